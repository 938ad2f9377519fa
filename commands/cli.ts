/**
 * The command line: commander built from the subcommands' declarations, and
 * the single place where failures become a stderr line and an exit status.
 */
import { Command, CommanderError, Option } from 'commander';
import { enterNamespace, utcOffset } from '../src/api/index.js';
import { namespaceOf, nsOption } from './options/common.js';
import { useUtcOffsets } from '../src/model/clock.js';
import { spec as attach } from './verbs/attach.js';
import { spec as audit } from './verbs/audit.js';
import { version } from './support/version.js';
import { completionSpec } from './verbs/completion.js';
import { spec as check } from './verbs/check.js';
import { spec as create } from './verbs/create.js';
import { spec as doctor } from './verbs/doctor.js';
import { spec as gc } from './verbs/gc.js';
import { spec as holders } from './verbs/holders.js';
import { spec as key } from './verbs/key.js';
import { spec as lock } from './verbs/lock.js';
import { spec as metrics } from './verbs/metrics.js';
import { spec as ls } from './verbs/ls.js';
import { spec as read } from './verbs/read.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, isBrokenPipe, reportError, warn } from './support/exit-status.js';
import { spec as rm } from './verbs/rm.js';
import { spec as runJob } from './verbs/run.js';
import { spec as set } from './verbs/set.js';
import type { CommandSpec, Options } from './options/spec.js';
import { spec as stat } from './verbs/stat.js';
import { spec as usage } from './verbs/usage.js';
import { spec as watch } from './verbs/watch.js';
import { spec as write } from './verbs/write.js';

export const commands: CommandSpec[] = [
  create,
  ls,
  stat,
  rm,
  set,
  attach,
  lock,
  write,
  read,
  holders,
  gc,
  runJob,
  key,
  doctor,
  check,
  audit,
  usage,
  metrics,
  watch,
];
// What works on a namespace's memory takes --ns (run makes namespaces of its own; key works on files).
// (usage is the whole machine's: meminfo is global, and it visits every namespace itself)
for (const c of commands) if (c !== runJob && c !== key && c !== usage) c.options.push(nsOption);
commands.push(completionSpec(() => commands));

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Where a subcommand's action leaves its exit status (commander's actions return nothing). */
interface Outcome {
  status: number;
}

/**
 * The program, with every subcommand, or (to start faster) only `only` when
 * the command line names one: its options and help are the same either way.
 */
function buildProgram(outcome: Outcome, trailing: string[], only?: string): Command {
  const program = new Command('shmctl-ts')
    .description('Inspect, create, read, write and remove Linux shared memory: System V segments and POSIX objects.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .configureOutput({ outputError: (text) => warn('', withHint('', text)) })
    .showSuggestionAfterError(true);

  for (const spec of commands.filter((c) => only === undefined || c.name === only)) {
    const sub = program
      .command(spec.name)
      .summary(spec.summary)
      .description(spec.summary)
      .usage(spec.usage.slice(spec.name.length + 1))
      .helpOption('-h, --help', 'show help')
      .exitOverride()
      .configureOutput({ outputError: (text) => warn(spec.name, withHint(spec.name, text)) });
    for (const arg of spec.arguments) sub.argument(arg.name, arg.description);
    const lastWins: Options = {};
    for (const o of spec.options) {
      const option = new Option(o.flags, o.description);
      if (o.choices) option.choices(o.choices);
      if (o.repeatable) option.argParser(collect);
      if (o.sets) {
        const { key, value } = o.sets;
        // commander reports options in the order they were given
        sub.on(`option:${option.name()}`, () => {
          lastWins[key] = value;
        });
      }
      sub.addOption(option);
    }
    sub.action(async (...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      const opts = { ...cmd.opts<Options>(), ...lastWins };
      const args = cmd.args;
      try {
        if (opts.ns !== undefined) enterNamespace(namespaceOf(opts.ns as string));
        outcome.status = await spec.run(args, opts, spec.trailingCommand ? trailing : []);
      } catch (e) {
        outcome.status = reportError(spec.name, e);
      }
    });
  }
  return program;
}

/** commander says "error: unknown option '--x'\n(Did you mean --y?)"; we want one line. */
function stripErrorPrefix(text: string): string {
  return text
    .replace(/^error: /, '')
    .trim()
    .replace(/\s*\n\s*/g, ' ');
}

/** Words people type from other tools, and what to type here instead. */
const OTHER_NAMES: Record<string, string> = {
  ipcs: 'ls',
  lsipc: 'ls',
  list: 'ls',
  show: 'stat',
  info: 'stat',
  ipcrm: 'rm',
  remove: 'rm',
  delete: 'rm',
  del: 'rm',
  ipcmk: 'create',
  make: 'create',
  new: 'create',
  version: '--version',
};

/** commander's one line, with what to type instead where we can tell. */
function withHint(command: string, text: string): string {
  const line = stripErrorPrefix(text);
  const unknown = /^unknown command '([^']*)'/.exec(line);
  if (unknown && OTHER_NAMES[unknown[1]!]) return `unknown command '${unknown[1]}': did you mean: shmctl-ts ${OTHER_NAMES[unknown[1]!]}`;
  if (/^too many arguments/.test(line)) {
    if (command === 'write') return `${line} The bytes go in --data STRING, --file PATH or on stdin: shmctl-ts write ID --data 'hello'`;
    if (command === 'lock' || command === 'attach')
      return `${line} To run a command, put -- before it: shmctl-ts ${command} ID -- COMMAND [ARGS...]`;
  }
  if (command === 'ls' && /^unknown option '-m'/.test(line))
    return `unknown option '-m': ls lists System V segments (ipcs -m's view) without it: shmctl-ts ls (--posix for POSIX objects)`;
  return line;
}

/**
 * Split off `-- CMD ARGS...` for the commands that run one, so that CMD's own
 * options never reach our parser.
 */
function splitTrailing(argv: string[]): { own: string[]; trailing: string[] } {
  const name = argv.find((a) => !a.startsWith('-'));
  const spec = commands.find((c) => c.name === name);
  const dashes = argv.indexOf('--');
  if (!spec?.trailingCommand || dashes < 0) return { own: argv, trailing: [] };
  return { own: argv.slice(0, dashes), trailing: argv.slice(dashes + 1) };
}

async function main(argv: string[]): Promise<number> {
  // Times in every view are local times as libc reckons them (TZ rule strings included), as ipcs prints them.
  useUtcOffsets(utcOffset);
  const { own: given, trailing } = splitTrailing(argv);
  // `help --help` (and `help -h`) is a request for help, as `--help` is
  const own = given[0] === 'help' && (given[1] === '--help' || given[1] === '-h') ? ['--help'] : given;
  const outcome: Outcome = { status: EXIT_OK };
  if (own[0] === 'help' && own[1] !== undefined && !commands.some((c) => c.name === own[1])) {
    warn('help', `no command '${own[1]}' (commands: ${commands.map((c) => c.name).join(', ')})`);
    return EXIT_USAGE;
  }
  const named = commands.find((c) => c.name === own[0])?.name;
  const program = buildProgram(outcome, trailing, named);
  if (own.length === 0) {
    warn('', `name a command: ${commands.map((c) => c.name).join(', ')} (shmctl-ts --help says more)`);
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(own, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version end with status 0; every other commander error is a usage error
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT_OK;
      return EXIT_USAGE;
    }
    return reportError('', e);
  }
  return outcome.status;
}

export async function start(): Promise<void> {
  // A failure in a timer or a promise nobody awaits (watch's refresh, run's polling) is one line too, never a
  // stack trace; a closed stdout (`| head`) ends quietly.
  const last = (e: unknown): void => process.exit(reportError(process.argv[2] ?? '', e) || (isBrokenPipe(e) ? EXIT_OK : EXIT_FAILED));
  process.on('uncaughtException', last);
  process.on('unhandledRejection', last);
  let status: number;
  try {
    status = await main(process.argv.slice(2));
  } catch (e) {
    status = reportError('', e) || EXIT_FAILED;
  }
  process.exit(status);
}
