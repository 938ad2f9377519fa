/**
 * Messages that say what to type: each wrong turn a newcomer takes gets one
 * line naming the right command line, and the usage status (2). All of these
 * are refused while the command line is read, before any memory is touched.
 */
import { spawnSync } from 'node:child_process';
import { BIN } from '../helpers/ns.js';

const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });

test.each([
  [
    ['write', '5', 'hello'],
    "shmctl-ts: write: too many arguments for 'write'. Expected 1 argument but got 2. The bytes go in --data STRING, --file PATH or on stdin: shmctl-ts write ID --data 'hello'",
  ],
  [
    ['lock', '5', 'make'],
    "shmctl-ts: lock: too many arguments for 'lock'. Expected 1 argument but got 2. To run a command, put -- before it: shmctl-ts lock ID -- COMMAND [ARGS...]",
  ],
  [
    ['attach', '5', 'sleep', '1'],
    "shmctl-ts: attach: too many arguments for 'attach'. Expected 1 argument but got 3. To run a command, put -- before it: shmctl-ts attach ID -- COMMAND [ARGS...]",
  ],
  [['stat', '0x1234'], "shmctl-ts: stat: invalid id '0x1234': ids are decimal numbers; to name a segment by its key: --key 0x1234"],
  [['rm', '0x1234'], "shmctl-ts: rm: invalid id '0x1234': ids are decimal numbers; to name a segment by its key: --key 0x1234"],
  [['read', '0xbeef'], "shmctl-ts: read: invalid id '0xbeef': ids are decimal numbers; to name a segment by its key: --key 0xbeef"],
  [
    ['create', '--key', '1', '--size', '4', 'KB'],
    "shmctl-ts: create: unexpected word 'KB': a size takes its suffix with no space (--size 4KB)",
  ],
  [
    ['create', '--private', '--size', '16', 'MiB'],
    "shmctl-ts: create: unexpected word 'MiB': a size takes its suffix with no space (--size 16MiB)",
  ],
  [
    ['ls', '-m'],
    "shmctl-ts: ls: unknown option '-m': ls lists System V segments (ipcs -m's view) without it: shmctl-ts ls (--posix for POSIX objects)",
  ],
  [['ipcs'], "shmctl-ts: unknown command 'ipcs': did you mean: shmctl-ts ls"],
  [['remove', '5'], "shmctl-ts: unknown command 'remove': did you mean: shmctl-ts rm"],
  [['delete'], "shmctl-ts: unknown command 'delete': did you mean: shmctl-ts rm"],
  [['version'], "shmctl-ts: unknown command 'version': did you mean: shmctl-ts --version"],
])('%j says what to type', (args, line) => {
  const r = run(...args);
  expect(r.stderr).toBe(`${line}\n`);
  expect(r.stdout).toBe('');
  expect(r.status).toBe(2);
});

test('help --help and help -h are help, status 0', () => {
  for (const flag of ['--help', '-h']) {
    const r = run('help', flag);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: shmctl-ts \[options\] \[command\]\n/);
  }
});
