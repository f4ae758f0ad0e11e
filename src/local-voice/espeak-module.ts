/**
 * Runs eSpeak NG's command line, compiled to WebAssembly (the `espeak-ng` package), once per call.
 * Each run needs a fresh instance (its `main` keeps state between calls), but the compiled module
 * is kept: compiling the 18 MB binary costs more than most runs. Call this from a worker thread,
 * as a run is synchronous.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export interface EspeakFs {
  writeFile(path: string, data: string): void;
  readFile(path: string): Uint8Array;
  readdir(path: string): string[];
  stat(path: string): { mode: number };
  isDir(mode: number): boolean;
}

interface EspeakModule {
  FS: EspeakFs;
}

type EspeakFactory = (options: Record<string, unknown>) => Promise<EspeakModule>;

export interface EspeakRun {
  fs: EspeakFs;
  /** What eSpeak printed to stdout and stderr, line by line. */
  lines: string[];
  errors: string[];
}

/** The little of the WebAssembly API used here: the project's libraries carry no DOM types. */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let loaded: Promise<{ factory: EspeakFactory; compiled: object }> | undefined;

function load(): Promise<{ factory: EspeakFactory; compiled: object }> {
  loaded ??= (async () => {
    const script = createRequire(import.meta.url).resolve('espeak-ng');
    const { default: factory } = (await import('espeak-ng' as string)) as { default: EspeakFactory };
    const compiled = await wasm.compile(await readFile(script.replace(/\.js$/, '.wasm')));
    return { factory, compiled };
  })();
  return loaded;
}

/** One run of `espeak-ng ARGS`, with `files` written into its file system first. */
export async function runEspeak(args: readonly string[], files: Readonly<Record<string, string>> = {}): Promise<EspeakRun> {
  const { factory, compiled } = await load();
  const lines: string[] = [];
  const errors: string[] = [];
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const started = factory({
    arguments: [...args],
    preRun: [(m: EspeakModule) => Object.entries(files).forEach(([path, text]) => m.FS.writeFile(path, text))],
    print: (line: string) => lines.push(line),
    printErr: (line: string) => errors.push(line),
    instantiateWasm: (imports: object, done: (instance: object, module: object) => void) => {
      wasm.instantiate(compiled, imports).then((instance) => done(instance, compiled), fail);
      return {};
    },
  });
  const espeak = await Promise.race([started, failed]);
  return { fs: espeak.FS, lines, errors };
}
