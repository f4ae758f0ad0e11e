import { resolve } from 'node:path';
import { defineConfig } from 'rolldown';

/**
 * The CLI as a few files instead of ~80 modules. Node links an ES module graph file by file, and
 * before the first request a piped run waited on about 80 of them: one bundled chunk for that path
 * brings the first audio 30-40 ms sooner on Node 20 (npm run bench, "Start-up").
 *
 * The input is tsc's module-by-module build, so the bundle runs the very JavaScript the tests and
 * benches run. What a command loads only when it runs (`import()`: the batch runner, tag writers,
 * book readers, other commands) stays in chunks of its own, so `tts --help` parses no pipeline.
 * Every file lands flat in dist/, one folder below the package's root, where src/package-files.ts
 * looks for it.
 */
const ENTRY = resolve('dist/cli/main.js');
/** The speak command, loaded by main on the way to the first request. */
const SPEAK = resolve('dist/cli/speak-command.js');

export default defineConfig({
  input: { tts: ENTRY },
  platform: 'node',
  // Modules imported both ways (a chunk loaded on demand that the first-request path also needs)
  // are simply in the bundle's chunk: not worth a warning on every build.
  checks: { ineffectiveDynamicImport: false },
  // Packages stay where npm put them: some find their own files (wasm, eSpeak's data) at run time.
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  output: {
    dir: 'dist',
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'tts-[name].js',
    // One chunk for everything a spoken run imports statically on its way to the first request.
    codeSplitting: {
      groups: [{ debugName: 'speak', name: (id, ctx) => (onPathToFirstRequest(id, ctx) ? 'speak' : null) }],
    },
  },
});

let firstRequestPath;
function onPathToFirstRequest(id, ctx) {
  if (!firstRequestPath) {
    firstRequestPath = new Set();
    const visit = (module) => {
      if (firstRequestPath.has(module)) return;
      firstRequestPath.add(module);
      for (const imported of ctx.getModuleInfo(module)?.importedIds ?? []) visit(imported);
    };
    visit(ENTRY);
    visit(SPEAK);
  }
  return firstRequestPath.has(id);
}
