import type { Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { OUTPUT_FORMATS } from '../audio/formats.js';
import { Redactor } from '../config/secrets.js';
import { InterruptedError, PartialFailure, TtsError, UsageError } from '../errors.js';
import { isNoRoom, writeError } from '../output/write-error.js';
import { BUILT_IN_PROVIDERS } from '../providers/registry.js';
import { escapeControls } from '../text/control-characters.js';
import { Reporter } from '../ui/reporter.js';
import type { CliIo } from './cli-io.js';
import { EXIT_OK, exitCodeFor } from './exit-codes.js';
import { errorJson, formatError } from './format-error.js';
import { audioDestination, type RawSpeakFlags } from './speak-options.js';
import { VERSION } from './version.js';

const EXAMPLES = `
Examples:
  tts "Hello there" -o hello.mp3           speak into a file (format from the extension)
  cat chapter.txt | tts -o chapter.opus    any length: chunked, fetched in parallel, joined
  tts -f notes.md -o - | mpv -             stream the audio to a player
  tts "Bonjour" -p openrouter -v nova -o b.wav
  tts -i "Whisper, slowly." -m gpt-4o-mini-tts "A secret" -o s.flac
  tts config set openai.apiKey             store a key (asked for unseen)
  tts config set kokoro.baseUrl http://localhost:8880/v1   add any compatible server
  tts "Hello" --play                       play through the speakers as it arrives
  tts -f talk.md -o talk.mp3 --subtitles talk.srt   subtitles timed to the speech (.srt, .vtt, .json)
  tts -f talk.ssml -o talk.mp3             SSML: pauses, voices, rates, spelled letters
  tts -f play.txt --cast "ANN=nova,BOB=onyx" -o play.mp3   a dialogue with a cast of voices
  tts -f notes.md --lexicon words.txt --dry-run      pronunciations, and what they change
  tts -f book.txt -o book.mp3 --dry-run    chunk plan and estimated cost, nothing sent
  tts -f book.txt -o book.mp3 --json       a JSON summary for scripts
  tts voices -p openrouter -m openai/gpt-4o-mini-tts-2025-12-15
  tts voices --preview -v alloy,nova,onyx  hear voices before choosing one (cached)
  tts models -p openrouter --json
  tts config set voice nova                remember a default (provider, model, voice, format, speed)
  eval "$(tts completion bash)"            shell completion (bash, zsh, fish)

With nothing configured, tts speaks with its built-in offline voice (eSpeak NG).

Providers: ${BUILT_IN_PROVIDERS.map((p) => p.name).join(', ')}, or a configured <name>.baseUrl
Exit codes: 0 ok, 2 usage or bad input, 3 configuration, 4 provider or network, 5 audio or disk full,
  130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP)`;

/**
 * `--` ends the options: every word after it is text, even one that names a command
 * (`tts -o x.mp3 -- voices` speaks "voices"). commander would dispatch that word to the command, so
 * the words are kept aside here and handed to the speak action instead.
 */
class TtsProgram extends Command {
  literalText: string[] | undefined;

  override parseOptions(args: string[]): { operands: string[]; unknown: string[] } {
    const parsed = super.parseOptions(args);
    const end = args.indexOf('--');
    const after = end === -1 ? [] : args.slice(end + 1);
    const allAfterEnd = after.length > 0 && parsed.unknown.length === 0 && parsed.operands.length === after.length && parsed.operands.every((word, i) => word === after[i]);
    if (allAfterEnd && this.commands.some((c) => c.name() === after[0])) {
      this.literalText = after;
      return { operands: [], unknown: [] };
    }
    return parsed;
  }
}

/** What the run learns as it goes: the reporter is made once commander has read -q. */
interface RunState {
  reporter: Reporter;
  /** The command whose action ran, to read its --json. */
  command: Command | undefined;
}

/** Runs one command line and returns its exit code; nothing here calls process.exit. */
export async function runCli(io: CliIo): Promise<number> {
  const redactor = new Redactor();
  // Keys in the environment are hidden from the first word printed, whatever the command.
  redactor.add(...Object.entries(io.env).filter(([name]) => /_(API_KEY|TOKEN)$/.test(name)).map(([, value]) => value));
  const makeReporter = ({ quiet }: { quiet: boolean }): Reporter =>
    new Reporter({ stderr: io.stderr, quiet, ci: Boolean(io.env['CI']), noColor: io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '', redactor });
  const state: RunState = { reporter: makeReporter({ quiet: false }), command: undefined };
  const program = buildProgram(io, state);
  // One parser: -q and --debug are what commander read, however they were written (-qF wav).
  program.hook('preAction', (_program, command) => {
    state.reporter = makeReporter({ quiet: program.opts<RawSpeakFlags>().quiet === true });
    state.command = command;
  });
  try {
    await program.parseAsync([...io.argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT_OK;
    // commander has already printed its own message for its errors; the exit code is ours.
    const failure = error instanceof CommanderError ? new UsageError(error.message.replace(/^error: /, '')) : settleFailure(error, io.signal);
    if (!(error instanceof CommanderError)) state.reporter.line(formatError(failure, { debug: debugWanted(program, state.command) }));
    const code = exitCodeFor(failure);
    // A batch's JSON summary already lists each file's outcome: no second JSON object follows it.
    const json = failure instanceof PartialFailure ? undefined : jsonErrorStream(program, state.command, io);
    if (json) json.write(`${state.reporter.printableJson(errorJson(failure, code))}\n`);
    return code;
  }
}

/**
 * Where --json puts an error object for scripts: stdout, or stderr when stdout carries the audio.
 * Undefined without --json. The command is known once its action ran; before that (an unknown
 * option), any command that read --json counts.
 */
function jsonErrorStream(program: Command, command: Command | undefined, io: CliIo): Writable | undefined {
  const candidates = command ? [command] : [program, ...program.commands];
  const withJson = candidates.find((c) => c.opts<{ json?: boolean }>().json === true);
  if (!withJson) return undefined;
  if (withJson !== program) return io.stdout;
  const flags = program.opts<RawSpeakFlags>();
  const audioOnStdout = flags.dryRun !== true && audioDestination(flags, { stdoutIsTTY: Boolean(io.stdout.isTTY) }).output?.kind === 'stdout';
  return audioOnStdout ? io.stderr : io.stdout;
}

/**
 * What a run ended with, as the user should hear it. After a signal, whatever the stopped work
 * threw (an aborted request, a closed stream), the signal is what ended it. A full disk met where
 * no sink could say so (a chunk being fetched to disk) is still a full disk, not an unexpected error.
 */
function settleFailure(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted && !(error instanceof TtsError && error.kind !== 'interrupted')) {
    return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
  }
  if (!(error instanceof TtsError) && isNoRoom(error)) return writeError(error, (error as NodeJS.ErrnoException).path ?? 'the audio');
  return error;
}

function buildProgram(io: CliIo, state: RunState): Command {
  const program = new TtsProgram('tts');
  program
    .description('Speak text, or turn it into an audio file, through any OpenAI-compatible speech provider.')
    .version(VERSION, '-V, --version')
    // Options after a command's name are that command's: `tts models --base-url …` is the models'.
    .enablePositionalOptions()
    .argument('[text...]', 'the text to speak (else --file, else stdin)')
    .option('-f, --file <paths...>', "read text from files ('-' = stdin); several make several outputs with -o folder/")
    .option('--markdown', 'speak Markdown as words, not markup (default for .md files)')
    .option('--no-markdown', 'speak the text exactly as written')
    .option('-o, --output <path>', "write audio to a file ('-' = stdout)")
    .addOption(new Option('-F, --format <format>', `audio format: ${OUTPUT_FORMATS.join(' | ')}; ogg means opus (default: the -o extension, else config, else mp3)`))
    .option('-m, --model <id>', 'model (default: the provider’s)')
    .option('-v, --voice <id>', 'voice (default: the provider’s)')
    .option('-s, --speed <0.25-4>', 'speaking speed')
    .option('-i, --instructions <text>', 'how to speak (models that take it)')
    .option('-p, --provider <name>', `${BUILT_IN_PROVIDERS.map((p) => p.name).join(' | ')} | a configured custom name`)
    .option('--base-url <url>', "the provider's API root (requests go to <base-url>/audio/speech)")
    .option('--stream-format <sse|audio>', 'how the provider streams audio (default: audio)')
    .option('--timeout <seconds>', 'longest a request may take, from sending it to its last byte (default: 300)')
    .option('-c, --concurrency <n>', 'chunk requests in parallel (default: 4)')
    .option('--rpm <n>', 'requests per minute at most, evenly spaced (default: as the provider allows)')
    .option('--retries <n>', 'retries per chunk on rate limits, server errors and dropped connections (default: 4)')
    .option('--cast <NAME=voice,...>', 'speak a dialogue: lines starting NAME: in that voice (NAME=voice:instructions also)')
    .option('--lexicon <file>', 'pronunciations: lines "word = say this", "/regex/ = say this", or a W3C PLS file')
    .option('--chapters <list>', 'only these chapters of a book, as --dry-run numbers them: 3-7,9')
    .option('--title <text>', "the title in the audio's tags (default: the book's)")
    .option('--author <text>', "the author in the audio's tags (default: the book's)")
    .option('--subtitles <file>', 'also write subtitles timed to the speech: .srt, .vtt or .json (an extension alone: beside each audio file)')
    .option('--play', 'play through the speakers as it arrives (default when there is no -o and stdout is a terminal)')
    .option('--no-play', 'do not play')
    .option('--no-cache', 'do not keep or reuse finished chunks')
    .option('--dry-run', 'show the chunk plan and an estimated cost; send nothing, write nothing')
    .option('--json', 'print the run summary (or dry run) as JSON for scripts')
    .option('-q, --quiet', 'no progress or summary on stderr')
    .option('--verbose', 'show each request and its timing')
    .option('--debug', 'also show request headers (secrets masked) and bodies, and stack traces')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(run tts --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // commander quotes what it was given (an unknown option): escaped like every other word.
      writeErr: (text) => io.stderr.write(escapeControls(state.reporter.redactor.redact(text))),
      outputError: (text, write) => write(`tts: ${text.replace(/^error: /, '')}`),
    })
    .action(async (words: string[], flags: RawSpeakFlags) => {
      // Each command's code (the pipeline, conf) loads only when it runs: --help stays fast.
      const { runSpeak } = await import('./speak-command.js');
      await runSpeak(program.literalText ?? words, flags, io, state.reporter);
    });
  addCommands(program, io, state);
  sharedCommandSettings(program);
  return program;
}

/** Every command fails and prints as the program does, and takes --debug. */
function sharedCommandSettings(program: Command): void {
  for (const command of program.commands) {
    command.exitOverride().configureOutput(program.configureOutput());
    for (const sub of command.commands) sub.exitOverride().configureOutput(program.configureOutput());
    // An unexpected error's hint says to run again with --debug: after the command's name too.
    for (const leaf of command.commands.length > 0 ? command.commands : [command]) leaf.option('--debug', 'show the stack trace of an unexpected error');
  }
}

/** --debug, before the command's name (the program's) or after it (the command's). */
const debugWanted = (program: Command, command: Command | undefined): boolean => [program, command].some((c) => c?.opts<{ debug?: boolean }>().debug === true);

/** The commands beside speaking: config, voices, models, completion and cache, each loaded when it runs. */
function addCommands(program: TtsProgram, io: CliIo, state: RunState): void {
  const configCommands = () => import('./config-command.js');
  const config = program.command('config').description('show or change the settings in the config file').exitOverride();
  config.command('set <key> [value]').description('set a value (an API key with no value is asked for unseen)').action(async (key: string, value: string | undefined) => (await configCommands()).configSet(key, value, io));
  config.command('get <key>').description('print a value (secrets masked)').action(async (key: string) => (await configCommands()).configGet(key, io));
  config.command('unset <key>').description('remove a value').action(async (key: string) => (await configCommands()).configUnset(key, io));
  config.command('list').description('print every value (secrets masked)').action(async () => (await configCommands()).configList(io));
  config.command('path').description("print the config file's path").action(async () => (await configCommands()).configPath(io));

  const discovery = () => import('./discovery-commands.js');
  const providerOptions = (command: Command): Command =>
    command
      .option('-p, --provider <name>', 'the provider to ask (default: as for speaking)')
      .option('--base-url <url>', "the provider's API root")
      .option('--json', 'print JSON for scripts');
  providerOptions(program.command('voices').description("list the provider's voices (live where it can say), or hear them with --preview"))
    .option('-m, --model <id>', 'voices of this model (OpenRouter)')
    .option('--preview', 'speak a short sentence in each voice, announced by name (cached: a second preview is free)')
    .option('-v, --voice <ids>', 'with --preview: only these voices, e.g. alloy,nova')
    .option('-o, --output <path>', 'with --preview: write the preview to a file instead of playing it')
    .option('-F, --format <format>', 'with --preview: the audio format')
    .action(async (flags: import('./voice-preview.js').PreviewFlags & { preview?: boolean }) =>
      flags.preview ? (await import('./voice-preview.js')).previewVoices(flags, io, state.reporter) : (await discovery()).voicesCommand(flags, io, state.reporter),
    );
  providerOptions(program.command('models').description("list the provider's speech models (live where it can say)"))
    .action(async (flags: import('./discovery-commands.js').DiscoveryFlags) => (await discovery()).modelsCommand(flags, io, state.reporter));

  program
    .command('completion')
    .description('print a shell completion script: bash, zsh or fish')
    .argument('<shell>', 'bash | zsh | fish')
    .action(async (shell: string) => {
      io.stdout.write((await import('./completion.js')).completionScript(shell, program));
    });

  const cacheCommands = () => import('./cache-command.js');
  const cache = program.command('cache').description('the cache of finished chunks').exitOverride();
  cache.command('clear').description('remove every cached chunk').action(async () => (await cacheCommands()).cacheClear(io));
  cache.command('info').description("print the cache's folder and size").action(async () => (await cacheCommands()).cacheInfo(io));
}
