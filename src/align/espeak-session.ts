import { instantiateEspeak, type EspeakInstance, type EspeakRun } from '../local-voice/espeak-module.js';

/**
 * eSpeak kept loaded between runs. Making an instance costs about a quarter of a CPU second (V8
 * lays out its 18 MB of data, the glue builds its file system): more than speaking a short
 * request's reference. So one instance is made without running `main`, a copy of its memory is
 * kept as it is then, and each run puts that copy back and calls `main` again. Every run so starts
 * from the state a fresh instance has (their WAV files are byte for byte the same), for the price
 * of copying its 32 MB of memory.
 */
export class EspeakSession {
  private readonly lines: string[] = [];
  private readonly errors: string[] = [];
  private instance: EspeakInstance | undefined;
  private snapshot: Uint8Array | undefined;
  private stack = 0;

  /**
   * `espeak-ng ARGS` with `files` written first, and the `outputs` it writes removed first (so a
   * run that writes nothing leaves nothing of an earlier run behind); its exit status and what it
   * printed.
   */
  async run(args: readonly string[], files: Readonly<Record<string, string>>, outputs: readonly string[] = []): Promise<EspeakRun & { status: number }> {
    const { fs, exports } = await this.ready();
    for (const path of outputs) {
      try {
        fs.unlink(path);
      } catch {
        // Not there: nothing to remove.
      }
    }
    new Uint8Array(exports.memory.buffer).set(this.snapshot!);
    exports.stackRestore(this.stack);
    this.lines.length = 0;
    this.errors.length = 0;
    for (const [path, text] of Object.entries(files)) fs.writeFile(path, text);
    let status: number;
    try {
      status = exports.__main_argc_argv(args.length + 1, this.argv(['espeak-ng', ...args]));
    } catch (error) {
      // exit() inside eSpeak unwinds as Emscripten's ExitStatus; anything else leaves the instance
      // in an unknown state, and the next run makes a new one.
      const exit = error as { name?: unknown; status?: unknown } | null;
      if (exit?.name !== 'ExitStatus') {
        this.instance = undefined;
        throw error;
      }
      status = typeof exit.status === 'number' ? exit.status : 1;
    } finally {
      exports.stackRestore(this.stack);
    }
    return { fs, lines: [...this.lines], errors: [...this.errors], status };
  }

  private async ready(): Promise<EspeakInstance> {
    if (this.instance) return this.instance;
    const instance = await instantiateEspeak({ noInitialRun: true, print: (l) => this.lines.push(l), printErr: (l) => this.errors.push(l) });
    this.snapshot = new Uint8Array(instance.exports.memory.buffer).slice();
    this.stack = instance.exports.stackSave();
    this.instance = instance;
    return instance;
  }

  /** The arguments as C strings and a null-terminated array of pointers to them, on the stack. */
  private argv(args: readonly string[]): number {
    const { exports } = this.instance!;
    const encoder = new TextEncoder();
    const pointers = args.map((arg) => {
      const bytes = encoder.encode(`${arg}\0`);
      const at = exports.stackAlloc(bytes.length);
      new Uint8Array(exports.memory.buffer).set(bytes, at);
      return at;
    });
    const argv = exports.stackAlloc(4 * (pointers.length + 1));
    new Uint32Array(exports.memory.buffer, argv, pointers.length + 1).set([...pointers, 0]);
    return argv;
  }
}
