/**
 * The built JavaScript file for a module that runs in a process or thread of its own. Normally it
 * sits beside the caller in dist/; under the test runner the caller is TypeScript source in src/,
 * and the child must still be the built file (npm test builds first).
 */
export function builtFile(callerUrl: string, relativePath: string): URL {
  if (!callerUrl.endsWith('.ts')) return new URL(relativePath, callerUrl);
  const inSrc = new URL(relativePath, callerUrl).href;
  return new URL(inSrc.replace(/\/src\//, '/dist/'));
}
