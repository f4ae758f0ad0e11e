/**
 * eSpeak NG's command line, compiled to WebAssembly (the `espeak-ng` package). The 18 MB binary
 * is compiled once per thread and kept; each instance made from it runs `main` once, as the
 * command line would. Call this from a worker thread: a run is synchronous.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export interface EspeakFs {
  writeFile(path: string, data: string): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
  readdir(path: string): string[];
  stat(path: string): { mode: number };
  isDir(mode: number): boolean;
}

/** The instance's own exports: its memory, its stack and `main`. */
export interface EspeakExports {
  memory: { buffer: ArrayBuffer };
  stackSave(): number;
  stackRestore(pointer: number): void;
  stackAlloc(bytes: number): number;
  __main_argc_argv(argc: number, argv: number): number;
}

export interface EspeakInstance {
  fs: EspeakFs;
  exports: EspeakExports;
}

/** Emscripten's module options that callers set: what to run, and where its output goes. */
export interface EspeakOptions {
  arguments?: string[];
  /** Make the instance without running `main`. */
  noInitialRun?: boolean;
  files?: Readonly<Record<string, string>>;
  print(line: string): void;
  printErr(line: string): void;
}

interface EspeakModule {
  FS: EspeakFs;
}

type EspeakFactory = (options: Record<string, unknown>) => Promise<EspeakModule>;

/** The little of the WebAssembly API used here: the project's libraries carry no DOM types. */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: object }>;
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

/** A new instance of eSpeak from the compiled module; it runs `main` unless told not to. */
export async function instantiateEspeak(options: EspeakOptions): Promise<EspeakInstance> {
  const { factory, compiled } = await load();
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  let exports: EspeakExports | undefined;
  const started = factory({
    arguments: options.arguments ?? [],
    noInitialRun: options.noInitialRun ?? false,
    preRun: [(m: EspeakModule) => Object.entries(options.files ?? {}).forEach(([path, text]) => m.FS.writeFile(path, text))],
    print: options.print,
    printErr: options.printErr,
    instantiateWasm: (imports: object, done: (instance: object, module: object) => void) => {
      wasm.instantiate(compiled, imports).then((instance) => {
        exports = instance.exports as EspeakExports;
        done(instance, compiled);
      }, fail);
      return {};
    },
  });
  const espeak = await Promise.race([started, failed]);
  return { fs: espeak.FS, exports: exports! };
}

export interface EspeakRun {
  fs: EspeakFs;
  /** What eSpeak printed to stdout and stderr, line by line. */
  lines: string[];
  errors: string[];
}

/** One run of `espeak-ng ARGS`, with `files` written into its file system first. */
export async function runEspeak(args: readonly string[], files: Readonly<Record<string, string>> = {}): Promise<EspeakRun> {
  const lines: string[] = [];
  const errors: string[] = [];
  const { fs } = await instantiateEspeak({ arguments: [...args], files, print: (l) => lines.push(l), printErr: (l) => errors.push(l) });
  return { fs, lines, errors };
}
