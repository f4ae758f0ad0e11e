import type { Command, Option } from 'commander';
import { OUTPUT_FORMATS } from '../audio/formats.js';
import { UsageError } from '../errors.js';
import { BUILT_IN_PROVIDERS } from '../providers/registry.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** Values worth completing for flags that take one. */
const VALUES: Record<string, readonly string[]> = {
  '--format': OUTPUT_FORMATS,
  '--provider': BUILT_IN_PROVIDERS.map((p) => p.name),
  '--stream-format': ['audio', 'sse'],
};

interface Spec {
  commands: string[];
  subcommands: Record<string, string[]>;
  flags: string[];
  fileFlags: string[];
}

/** Read from the program itself, so completion never drifts from the real flags. */
function describe(program: Command): Spec {
  const longs = (options: readonly Option[]): string[] => options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
  return {
    commands: program.commands.map((c) => c.name()),
    subcommands: Object.fromEntries(program.commands.map((c) => [c.name(), c.commands.map((s) => s.name())])),
    flags: [...longs(program.options), '--help'],
    fileFlags: ['-f', '--file', '-o', '--output'],
  };
}

function bash(spec: Spec): string {
  const values = Object.entries(VALUES).map(([flag, list]) => `    ${flag}) COMPREPLY=($(compgen -W "${list.join(' ')}" -- "$cur")); return ;;`).join('\n');
  const subs = Object.entries(spec.subcommands).filter(([, list]) => list.length > 0).map(([c, list]) => `    ${c}) COMPREPLY=($(compgen -W "${list.join(' ')}" -- "$cur")); return ;;`).join('\n');
  return `# tts completion for bash: eval "$(tts completion bash)"
_tts() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${values}
    ${spec.fileFlags.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [ "$COMP_CWORD" -eq 2 ]; then
    case "\${COMP_WORDS[1]}" in
${subs}
    esac
  fi
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${spec.flags.join(' ')}" -- "$cur")); return; fi
  [ "$COMP_CWORD" -eq 1 ] && COMPREPLY=($(compgen -W "${spec.commands.join(' ')}" -- "$cur"))
}
complete -o default -F _tts tts
`;
}

function zsh(spec: Spec): string {
  const values = Object.entries(VALUES).map(([flag, list]) => `    ${flag}) compadd -- ${list.join(' ')}; return ;;`).join('\n');
  return `#compdef tts
# tts completion for zsh: tts completion zsh > "\${fpath[1]}/_tts"
_tts() {
  case "\${words[CURRENT-1]}" in
${values}
    ${spec.fileFlags.join('|')}) _files; return ;;
  esac
  if (( CURRENT == 3 )); then
    case "\${words[2]}" in
${Object.entries(spec.subcommands).filter(([, l]) => l.length > 0).map(([c, l]) => `      ${c}) compadd -- ${l.join(' ')}; return ;;`).join('\n')}
    esac
  fi
  if [[ "\${words[CURRENT]}" == -* ]]; then compadd -- ${spec.flags.join(' ')}; return; fi
  (( CURRENT == 2 )) && compadd -- ${spec.commands.join(' ')}
}
compdef _tts tts
`;
}

function fish(spec: Spec): string {
  const lines = ['# tts completion for fish: tts completion fish > ~/.config/fish/completions/tts.fish', 'complete -c tts -f'];
  for (const c of spec.commands) lines.push(`complete -c tts -n '__fish_use_subcommand' -a ${c}`);
  for (const [c, list] of Object.entries(spec.subcommands)) for (const s of list) lines.push(`complete -c tts -n '__fish_seen_subcommand_from ${c}' -a ${s}`);
  for (const flag of spec.flags.filter((f) => f.startsWith('--'))) {
    const values = VALUES[flag];
    const file = spec.fileFlags.includes(flag) ? ' -r -F' : '';
    lines.push(`complete -c tts -l ${flag.slice(2)}${values ? ` -x -a '${values.join(' ')}'` : ''}${file}`);
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: string, program: Command): string {
  const spec = describe(program);
  if (shell === 'bash') return bash(spec);
  if (shell === 'zsh') return zsh(spec);
  if (shell === 'fish') return fish(spec);
  throw new UsageError(`No completion for "${shell}"`, { hint: `Shells: ${SHELLS.join(', ')}` });
}
