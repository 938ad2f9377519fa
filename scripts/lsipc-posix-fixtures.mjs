#!/usr/bin/env node
/**
 * Regenerates test/fixtures/lsipc-posix/expected.json: what util-linux's
 * `lsipc -M` prints (stdout, stderr, exit status) for each case below, over
 * the objects test/fixtures/lsipc-posix/objects.sh makes in a private mount
 * namespace. CI has Debian's util-linux 2.38, which knows no POSIX objects;
 * test/e2e/lsipc-posix.test.ts compares shmctl-ts with these captures.
 *
 * Usage, as root:  node scripts/lsipc-posix-fixtures.mjs UTIL_LINUX_BUILD_DIR
 * (a util-linux source tree where `make lsipc` has been run; 2.42.2 made the
 * fixtures in the repository).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'test/fixtures/lsipc-posix');
const build = process.argv[2];
if (!build || !existsSync(join(build, 'lsipc'))) {
  console.error('usage: node scripts/lsipc-posix-fixtures.mjs UTIL_LINUX_BUILD_DIR (with lsipc built in it)');
  process.exit(2);
}
const lsipc = resolve(build, 'lsipc');

const UTF8 = { LC_ALL: 'C.UTF-8', TZ: 'UTC' };
const C = { LC_ALL: 'C', TZ: 'UTC' };
const INDIA = { LC_ALL: 'C.UTF-8', TZ: 'IST-5:30' };
const ESC = 'e\x1b[31mx\tt';

/** [environment, lsipc's arguments after -M]: listings, then one object (-N NAME), then refusals. */
const CASES = [
  ...[
    [],
    ['-r'],
    ['-e'],
    ['-n'],
    ['-J'],
    ['-b'],
    ['-P'],
    ['-c'],
    ['-t'],
    ['-c', '-r'],
    ['-c', '-e'],
    ['-c', '-J'],
    ['-o', 'CUID,CUSER,CGID,CGROUP'],
    ['-o', 'KEY,ID,UID,USER,GID,GROUP,CTIME'],
    ['-o', '+CUSER,CGROUP'],
    ['-o', 'name,mtime,owner,perms'],
    ['-o', 'NAME', '-r', '--noheadings'],
    ['--noheadings'],
    ['-r', '--noheadings'],
    ['-y'],
    ['-y', '-e'],
    ['-y', '-r'],
    ['-y', '-J'],
    ['--notruncate'],
    ['--time-format', 'iso'],
    ['--time-format', 'full'],
    ['--time-format', 'short'],
    ['-b', '-P', '--time-format', 'iso', '-r'],
    ['-b', '-J'],
    ['--time-format', 'iso', '-J'],
  ].map((args) => [UTF8, args]),
  ...[[], ['-r'], ['-e'], ['-o', '+NAME'], ['-c']].map((args) => [C, args]),
  ...[[], ['--time-format', 'iso'], ['--time-format', 'full'], ['-J', '--time-format', 'iso']].map((args) => [INDIA, args]),
  ...[
    ['-N', 'small'],
    ['-N', 'big'],
    ['-N', 'empty'],
    ['-N', 'odd'],
    ['-N', 'with space'],
    ['-N', '中文'],
    ['-N', 'ｆｕｌｌ'],
    ['-N', ESC],
    ['-N', 'back\\slash"q\'s'],
    ['-N', 'small', '-b'],
    ['-N', 'small', '-P'],
    ['-N', 'small', '--time-format', 'iso'],
    ['-N', 'small', '--time-format', 'short'],
    ['-N', 'kib', '-o', 'NAME,CUSER,CGROUP'],
    ['-N', 'kib', '-o', '+CUID'],
  ].map((args) => [UTF8, args]),
  [C, ['-N', '中文']],
  [INDIA, ['-N', 'mib']],
  ...[
    ['-o', 'SIZE'],
    ['-o', 'NATTCH'],
    ['-o', 'NAME,STATUS'],
    ['-c', '-t'],
    ['-c', '-o', 'NAME'],
    ['-N', 'small', '-o', 'SIZE'],
  ].map((args) => [UTF8, args]),
];

const quote = (s) => (/^[\w.,+%:=/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Runs `command` in a new mount namespace, over a fresh tmpfs /dev/shm holding the objects. */
function inFixture(command, env) {
  const script = 'mount -t tmpfs tmpfs /dev/shm && cd /dev/shm && sh "$0" && exec env -i PATH="$PATH" "$@"';
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, join(dir, 'objects.sh'), ...envArgs, ...command],
    {
      cwd: '/',
    },
  );
}

const order = inFixture(['ls', '-f', '/dev/shm'], UTF8);
if (order.status !== 0) throw new Error(`making the objects failed: ${order.stderr}`);
const version = spawnSync(lsipc, ['--version']).stdout.toString().trim();
const cases = CASES.map(([env, args]) => {
  const r = inFixture([lsipc, '-M', ...args], env);
  return {
    env,
    args,
    command: `${Object.entries(env)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ')} lsipc -M ${args.map(quote).join(' ')}`.trim(),
    status: r.status,
    stdout: r.stdout.toString('base64'),
    stderr: r.stderr.toString(),
  };
});
const names = order.stdout
  .toString('latin1')
  .split('\n')
  .filter((n) => n && n !== '.' && n !== '..');
writeFileSync(
  join(dir, 'expected.json'),
  JSON.stringify({ version, directoryOrder: names.map((n) => Buffer.from(n, 'latin1').toString('base64')), cases }, null, 1) + '\n',
);
console.log(`${cases.length} cases from ${version} in ${join(dir, 'expected.json')}`);
