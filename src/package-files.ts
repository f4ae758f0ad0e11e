/**
 * The package's own files, found from its root. This module sits one folder below that root wherever
 * it runs: as src/package-files.ts under the test runner, as dist/package-files.js in the
 * module-by-module build, and inlined into the CLI's bundle, whose files all sit in dist/ too. A path
 * relative to the calling module would not survive bundling: the caller no longer sits where its
 * source did.
 */
const ROOT = new URL('../', import.meta.url);

export const packageFile = (path: string): URL => new URL(path, ROOT);

/**
 * A built module that runs in a process or thread of its own (`align/align-worker.js`): always the
 * module-by-module build in dist/, which `npm run build` makes beside the bundle and `npm test`
 * builds first.
 */
export const builtModule = (path: string): URL => packageFile(`dist/${path}`);
