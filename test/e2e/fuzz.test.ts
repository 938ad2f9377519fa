/**
 * Random command lines thrown at the real binary in a private namespace:
 * whatever the input, no stack trace, no death by signal, and a documented
 * exit status. A fixed seed in CI; SHMCTL_TS_FUZZ_SEED=random and
 * SHMCTL_TS_FUZZ_RUNS=5000 for a longer hunt (`npm test -- test/e2e/fuzz`).
 */
import fc from 'fast-check';
import { commands } from '../../commands/cli.js';
import { withNamespace, type Namespace } from '../helpers/ns.js';

const seedText = process.env.SHMCTL_TS_FUZZ_SEED ?? '20261123';
const SEED = seedText === 'random' ? Date.now() % 2 ** 31 : Number(seedText);
const RUNS = Number(process.env.SHMCTL_TS_FUZZ_RUNS ?? 150);

// Every command declared but run (it runs commands), watch (until interrupted) and completion; and never --ns,
// --all-namespaces, --search or --output (not in FLAGS): the fuzz stays inside its own namespace and folder.
const COMMANDS = [
  ...commands.map((c) => c.name).filter((n) => !['run', 'watch', 'completion'].includes(n)),
  'help',
  '--help',
  '-V',
  'nope',
  '',
];
const FLAGS = [
  '--key',
  '-k',
  '--size',
  '-s',
  '--mode',
  '--private',
  '--ftok',
  '--proj',
  '--excl',
  '--hugetlb',
  '--noreserve',
  '-t',
  '-p',
  '-c',
  '-l',
  '-u',
  '--human',
  '-b',
  '--format',
  '-f',
  '--json',
  '--raw',
  '--export',
  '-o',
  '--noheadings',
  '--time-format',
  '-P',
  '--id',
  '--owner',
  '--created-by',
  '--field',
  '-F',
  '-m',
  '-M',
  '--all',
  '-a',
  '-v',
  '--readonly',
  '--timeout',
  '-q',
  '--shared',
  '--offset',
  '--data',
  '--file',
  '--length',
  '--lock',
  '--post',
  '--wait',
  '--lock-memory',
  '--unlock-memory',
  '--unattached',
  '--creator-dead',
  '--older-than',
  '--name',
  '--yes',
  '--ignore-unreadable',
  '--sysv',
  '--posix',
  '--need',
  '--count',
  'decode',
  'ftok',
  '--help',
  '-',
  '---',
  '--=',
];
const VALUES = [
  '0',
  '1',
  '2',
  '-1',
  '0x0',
  '0x1',
  '0xffffffff',
  '4294967296',
  '2147483648',
  '9007199254740993',
  '1e3',
  '1K',
  '1.5',
  '0.5K',
  '64M',
  '1T',
  '16E',
  'abc',
  '',
  ' ',
  '/etc/passwd',
  '/nonexistent',
  '/dev/null',
  '/proc',
  '0644',
  '7777',
  'json',
  'ipcs',
  'raw',
  'lsipc',
  'table',
  'KEY,ID',
  '+UID',
  'all',
  'root',
  'nobody',
  'root:root',
  ':0',
  'iso',
  'size',
  'status',
  'nattch',
  'A',
  'ü',
  '💥',
  '%s%n',
  "'",
  '"',
  '\\',
  '$(echo x)',
  '90s',
  '7d',
  '*',
  '[!a]*',
];

const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FLAGS) },
  { weight: 4, arbitrary: fc.constantFrom(...VALUES) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).filter((s) => !s.includes('\0')) },
);

const argv = fc.tuple(fc.constantFrom(...COMMANDS), fc.array(token, { maxLength: 7 })).map(([cmd, rest]) => {
  const args = cmd ? [cmd, ...rest] : rest;
  // Nothing may wait for ever: holds and waits get a short timeout, last so it wins.
  if (cmd === 'attach' || rest.some((t) => ['--wait', '--post', '--lock'].includes(t))) args.push('--timeout', '0.2');
  return args.filter((a) => a !== '--'); // never a command to run
});

function check(ns: Namespace, args: string[]): void {
  const r = ns.cli(args, { input: '' });
  const what = JSON.stringify(args);
  expect([what, r.signal]).toEqual([what, null]);
  expect([what, [0, 1, 2, 75].includes(r.status!)]).toEqual([what, true]);
  expect([what, /\n\s+at |internal error|Error: /.test(r.stderr)]).toEqual([what, false]);
  if (r.status !== 0) expect([what, r.stderr.split('\n').filter(Boolean).length]).toEqual([what, 1]);
}

test(
  `${RUNS} random command lines (seed ${SEED}): no stack trace, no signal, a documented status`,
  () =>
    withNamespace(async (ns) => {
      ns.cli(['create', '--key', '0x1', '--size', '4096']);
      ns.cli(['create', '--key', '0x2', '--size', '1', '--mode', '644']);
      await fc.assert(
        fc.asyncProperty(argv, async (args) => check(ns, args)),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    }, false),
  600_000,
);
