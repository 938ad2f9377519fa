/**
 * `completion bash|zsh|fish`: a completion script generated from the same
 * declarations commander is built from (spec.ts), so it never drifts from
 * the options. Live values — segment ids and keys, POSIX names — come from
 * shmctl-ts itself at completion time (`ls --noheadings -o ...`), one per
 * line, names in their escaped form (no newline, no control character).
 *
 * Nothing found on the system is ever evaluated: any name may be planted by
 * another user (`$(…)`, backticks, quotes, globs). So no live word goes
 * through `compgen -W` (which expands its word list) or an unquoted `$(…)`
 * (which splits and globs): each line is read as it is, compared with what is
 * typed as plain text, and offered quoted with printf %q, so that what lands
 * on the command line is that text and nothing else. zsh runs the same
 * function; fish's completer never evaluates what a command substitution in
 * `complete -a` prints, and quotes what it inserts.
 */
import { UsageError } from '../../src/model/errors.js';
import { writeAll } from '../../src/kernel/io.js';
import type { CommandSpec, OptionSpec, Options } from '../options/spec.js';

/** What an option's value completes to. */
type ValueKind = 'ids' | 'keys' | 'names' | 'files' | 'users' | 'choices' | 'none';

function flagsOf(o: OptionSpec): { short?: string; long?: string; takesValue: boolean } {
  const parts = o.flags.split(/[ ,]+/);
  return {
    ...(parts.find((p) => /^-[^-]$/.test(p)) ? { short: parts.find((p) => /^-[^-]$/.test(p))! } : {}),
    ...(parts.find((p) => p.startsWith('--')) ? { long: parts.find((p) => p.startsWith('--'))! } : {}),
    takesValue: /[<[]/.test(o.flags),
  };
}

function valueKind(o: OptionSpec): ValueKind {
  if (o.choices) return 'choices';
  const long = flagsOf(o).long ?? '';
  if (long === '--key') return 'keys';
  if (long === '--id') return 'ids';
  if (long === '--posix' && /<NAME>/.test(o.flags)) return 'names';
  if (long === '--ftok' || long === '--file' || long === '--search') return 'files';
  if (long === '--owner' || long === '--created-by') return 'users';
  return 'none';
}

/** Commands whose operands are segments or objects. */
const takesTargets = (c: CommandSpec): boolean => c.arguments.some((a) => /target/.test(a.name));

const BASH_LIVE = `
_shmctl_ts_live() {
  # ids, keys or POSIX names of what exists now, one a line; nothing if listing fails
  local kind
  for kind in "$@"; do
    case "$kind" in
      ids) command shmctl-ts ls --format lsipc --noheadings -o ID 2>/dev/null ;;
      keys) command shmctl-ts ls --format lsipc --noheadings -o KEY 2>/dev/null | command grep -v '^0x00000000$' ;;
      names) command shmctl-ts ls --posix --format lsipc --noheadings -o NAME 2>/dev/null | command sed 's:^:/:' ;;
    esac
  done
}

_shmctl_ts_offer() {
  # Each line of stdin that begins with the word typed, offered quoted: never
  # expanded, split, globbed or evaluated.
  local w q
  while IFS= read -r w; do
    [[ -n $w ]] || continue
    printf -v q '%q' "$w"
    [[ $w == "$cur"* || $q == "$cur"* ]] && COMPREPLY+=("$q")
  done
  return 0
}`;

function bashScript(commands: CommandSpec[]): string {
  const names = [...commands.map((c) => c.name), 'help'].join(' ');
  const perCommand = commands
    .filter((c) => c.name !== 'completion')
    .map((c) => {
      const options = [...c.options.flatMap((o) => Object.values(flagsOf(o)).filter((v): v is string => typeof v === 'string')), '--help'];
      const valued = c.options.filter((o) => flagsOf(o).takesValue);
      const cases = valued
        .map((o) => {
          const f = flagsOf(o);
          const pattern = [f.short, f.long].filter(Boolean).join('|');
          const kind = valueKind(o);
          // Only our own fixed words go through compgen -W; whatever exists on the system is offered quoted.
          const action =
            kind === 'choices'
              ? `COMPREPLY=($(compgen -W "${o.choices!.join(' ')}" -- "$cur"))`
              : kind === 'files'
                ? '_shmctl_ts_offer < <(compgen -f -- "$cur")'
                : kind === 'users'
                  ? '_shmctl_ts_offer < <(compgen -u -- "$cur")'
                  : kind === 'none'
                    ? 'COMPREPLY=()'
                    : `_shmctl_ts_offer < <(_shmctl_ts_live ${kind})`;
          return `        ${pattern}) ${action}; return ;;`;
        })
        .join('\n');
      const words = c.arguments[0]?.choices;
      const operands = takesTargets(c)
        ? '_shmctl_ts_offer < <(_shmctl_ts_live ids names)'
        : words
          ? `[[ $COMP_CWORD -eq 2 ]] && COMPREPLY=($(compgen -W "${words.join(' ')}" -- "$cur"))`
          : 'COMPREPLY=()';
      return `    ${c.name})
      case "$prev" in
${cases || '        __none__) ;;'}
      esac
      if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "${options.join(' ')}" -- "$cur"))
      else
        ${operands}
      fi ;;`;
    })
    .join('\n');
  return `# shmctl-ts completion for bash. Load it with:
#   source <(shmctl-ts completion bash)
# or save it as /usr/share/bash-completion/completions/shmctl-ts
${BASH_LIVE}

_shmctl_ts() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${names} --help --version" -- "$cur"))
    return
  fi
  local i
  for ((i = 2; i < COMP_CWORD; i++)); do
    # after "--" comes a command of its own (attach, lock)
    if [[ "\${COMP_WORDS[i]}" == -- ]]; then
      _shmctl_ts_offer < <(compgen -c -- "$cur")
      return
    fi
  done
  case "\${COMP_WORDS[1]}" in
${perCommand}
    help) COMPREPLY=($(compgen -W "${names}" -- "$cur")) ;;
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")) ;;
  esac
}
complete -F _shmctl_ts shmctl-ts
`;
}

/** zsh runs the bash function through its bashcompinit layer: one script, the same behaviour. */
function zshScript(commands: CommandSpec[]): string {
  return `#compdef shmctl-ts
# shmctl-ts completion for zsh. Load it with:
#   source <(shmctl-ts completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(commands)}`;
}

const fishQuote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishScript(commands: CommandSpec[]): string {
  const names = [...commands.map((c) => c.name), 'help'];
  const lines = [
    '# shmctl-ts completion for fish. Load it with:',
    '#   shmctl-ts completion fish | source',
    'complete -c shmctl-ts -f',
    ...commands.map((c) => `complete -c shmctl-ts -n '__fish_use_subcommand' -a ${c.name} -d ${fishQuote(c.summary)}`),
    `complete -c shmctl-ts -n '__fish_use_subcommand' -a help -d 'show help for a command'`,
    `complete -c shmctl-ts -n '__fish_seen_subcommand_from help' -a ${fishQuote(names.join(' '))}`,
    `complete -c shmctl-ts -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'`,
  ];
  // fish splits a command substitution's output into lines and offers each as
  // it is (quoting it when inserted); nothing in it is evaluated.
  const live: Record<string, string> = {
    ids: "'(shmctl-ts ls --format lsipc --noheadings -o ID 2>/dev/null)'",
    keys: "'(shmctl-ts ls --format lsipc --noheadings -o KEY 2>/dev/null)'",
    // (lsipc's format shows names as lsipc -M does, without their slash: put back)
    names: "'(shmctl-ts ls --posix --format lsipc --noheadings -o NAME 2>/dev/null | sed \\'s:^:/:\\')'",
  };
  for (const c of commands) {
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    for (const o of c.options) {
      const f = flagsOf(o);
      const kind = valueKind(o);
      const parts = [`complete -c shmctl-ts ${when}`];
      if (f.short) parts.push(`-s ${f.short.slice(1)}`);
      if (f.long) parts.push(`-l ${f.long.slice(2)}`);
      if (f.takesValue) parts.push('-r');
      if (kind === 'choices') parts.push(`-a ${fishQuote(o.choices!.join(' '))}`);
      else if (kind === 'files') parts.push('-F');
      else if (kind === 'users') parts.push("-a '(__fish_complete_users)'");
      else if (kind !== 'none') parts.push(`-a ${live[kind]}`);
      parts.push(`-d ${fishQuote(o.description)}`);
      lines.push(parts.join(' '));
    }
    const words = c.arguments[0]?.choices;
    if (words) {
      lines.push(
        `complete -c shmctl-ts -n '__fish_seen_subcommand_from ${c.name}; and not __fish_seen_subcommand_from ${words.join(' ')}' -a ${fishQuote(words.join(' '))}`,
      );
    }
    if (takesTargets(c)) {
      lines.push(`complete -c shmctl-ts ${when} -a ${live.ids!.slice(0, -2)}; ${live.names!.slice(2)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function completionSpec(all: () => CommandSpec[]): CommandSpec {
  return {
    name: 'completion',
    summary: 'print a completion script for bash, zsh or fish (subcommands, options, live ids, keys and names)',
    usage: 'completion bash|zsh|fish',
    arguments: [{ name: '<shell>', description: 'bash, zsh or fish' }],
    options: [],
    run(args: string[], _opts: Options): number {
      const shell = args[0];
      const scripts: Record<string, (c: CommandSpec[]) => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };
      const make = shell === undefined ? undefined : scripts[shell];
      if (!make) throw new UsageError(`no completion for '${shell ?? ''}': use bash, zsh or fish`);
      writeAll(1, make(all()));
      return 0;
    },
  };
}
