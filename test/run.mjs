#!/usr/bin/env node
// `npm test`: runs jest inside a private IPC namespace, so that no test can
// see or touch the host's segments, then prints the line CI reads:
// "N passed, N failed". End-to-end tests make a fresh namespace per test on
// top of this one (test/helpers/ns.ts).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

// jest's cache is kept per user: inside a user namespace this suite is uid 0, and root's cache directory is not
// ours to write (EACCES)
const realUid = process.env.SHMCTL_TS_REAL_UID ?? String(process.getuid?.() ?? 'x');
const cacheDirectory = join(tmpdir(), `shmctl-ts-jest-cache-${realUid}`);

if (!process.env.SHMCTL_TS_TEST_NS && process.getuid?.() !== 0) {
  // Most tests need root: private namespaces and mounts per test, other users (setpriv), a real /dev/shm of their
  // own. An ordinary user gets the ones that need none, and the rest counted as skipped, for that reason.
  console.error(
    'test/run.mjs: not root: running the tests that need no root (test/unit); the rest need root (namespaces, mounts, ' +
      'other users) and are counted as skipped: run `sudo npm test` for all of them',
  );
  process.exit(rootless());
}

if (!process.env.SHMCTL_TS_TEST_NS) {
  // Root (CI) unshares the IPC namespace directly.
  // SHELL fixed: script(1) runs $SHELL -c, and CI's may differ from a developer's.
  const env = { ...process.env, SHMCTL_TS_TEST_NS: '1', SHELL: '/bin/sh', SHMCTL_TS_REAL_UID: realUid };
  const self = [process.execPath, fileURLToPath(import.meta.url), ...args];
  // A mount namespace too, so the suite gets a /dev/shm of its own (POSIX objects).
  const ns = ['--ipc', '--mount', '--propagation', 'private'];
  const r = spawnSync('unshare', [...ns, ...self], {
    stdio: 'inherit',
    env,
  });
  if (r.error || r.status === null) {
    console.error(`test/run.mjs: cannot make a private IPC namespace (${r.error?.message ?? `signal ${r.signal}`})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  process.exit(r.status);
}

// POSIX objects made in-process (library tests) land in this tmpfs, not the host's /dev/shm.
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=1777,size=512m', 'shmctl-ts-suite', '/dev/shm'], { stdio: 'inherit' });
if (mounted.status !== 0) {
  console.error('test/run.mjs: cannot mount a private tmpfs on /dev/shm');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// Some tests run the binary as nobody, so the checkout must be reachable by
// nobody. A clone in root's 0700 home is not: then the suite runs from a bind
// mount of it under /tmp (in this private mount namespace only, gone when the
// suite ends), or, where the files themselves are closed to others (umask
// 077), from a copy opened to them.
const suite = reachableSuite(root);

const run = jest(suite.root, args);
let { passed, failed, skipped } = run.counts;

// Nothing the suite made may outlive it in this namespace.
const left = readFileSync('/proc/sysvipc/shm', 'latin1').trim().split('\n').length - 1;
if (left > 0) {
  console.error(`test/run.mjs: ${left} segment(s) left behind in the test namespace`);
  failed += 1;
}
const objects = readdirSync('/dev/shm');
if (objects.length > 0) {
  console.error(`test/run.mjs: POSIX objects left behind in the test namespace: ${objects.join(', ')}`);
  failed += 1;
}

suite.cleanUp();

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);

/**
 * Run jest in `dir` with `extra` arguments; its exit status and counts (from
 * test/helpers/count-reporter.cjs; a run that reported nothing counts as one
 * failure).
 */
function jest(dir, extra) {
  const counts = join(mkdtempSync(join(tmpdir(), 'shmctl-ts-counts-')), 'counts.json');
  const r = spawnSync(
    process.execPath,
    [
      join(dir, 'node_modules/jest/bin/jest.js'),
      `--cacheDirectory=${cacheDirectory}`,
      ...extra,
      // last: --reporters takes every word after it
      '--reporters=default',
      `--reporters=${join(dir, 'test/helpers/count-reporter.cjs')}`,
    ],
    {
      cwd: dir,
      stdio: 'inherit',
      env: {
        ...process.env,
        SHMCTL_TS_COUNTS: counts,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim(),
        LC_ALL: 'C',
      },
    },
  );
  let result = { passed: 0, failed: 1, skipped: 0 };
  try {
    result = JSON.parse(readFileSync(counts, 'utf8'));
  } catch {
    /* jest did not even report */
  }
  rmSync(dirname(counts), { recursive: true, force: true });
  return { status: r.status, counts: result };
}

/** An ordinary user's run: test/unit for real, every other test counted (not run) as skipped. */
function rootless() {
  // (the caller's arguments first: jest's list options take every word after them)
  const unit = jest(root, [...args, '--testPathIgnorePatterns=/test/(e2e|lib|arm64)/', '--passWithNoTests']);
  // the others, collected but not run: a name pattern that no test has
  const others = jest(root, [
    ...args,
    '--testPathIgnorePatterns=/test/unit/',
    '--testNamePattern=^ never a test name $',
    '--passWithNoTests',
    '--silent',
  ]);
  const passed = unit.counts.passed;
  const failed = unit.counts.failed + others.counts.failed;
  const skipped = unit.counts.skipped + others.counts.skipped;
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return unit.status === 0 && failed === 0 ? 0 : 1;
}

/** Can nobody run the built binary at `dir`? null when there is no nobody to ask (not root). */
function nobodyCanRun(dir) {
  const r = spawnSync(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      'sh',
      '-c',
      'test -x "$1/bin/shmctl-ts" && test -r "$1/dist/shmctl-ts.cjs" && test -r "$1/package.json"',
      'sh',
      dir,
    ],
    { stdio: 'ignore' },
  );
  return r.status === 0 ? true : r.status === 1 ? false : null;
}

function reachableSuite(dir) {
  const same = { root: dir, cleanUp: () => {} };
  if (process.getuid?.() !== 0 || nobodyCanRun(dir) !== false) return same;
  const place = mkdtempSync('/tmp/shmctl-ts-suite-');
  chmodSync(place, 0o755);
  if (spawnSync('mount', ['--bind', dir, place]).status === 0 && nobodyCanRun(place)) {
    console.error(`test/run.mjs: ${dir} is closed to other users; the suite runs from a bind mount of it at ${place}`);
    return { root: `${place}/`, cleanUp: () => (spawnSync('umount', [place]), rmSync(place, { recursive: true, force: true })) };
  }
  spawnSync('umount', [place]);
  const copy = spawnSync('sh', ['-c', 'tar -C "$1" --exclude=./.git -cf - . | tar -C "$2" -xf - && chmod -R a+rX "$2"', 'sh', dir, place]);
  if (copy.status !== 0 || !nobodyCanRun(place)) {
    console.error(
      `test/run.mjs: ${dir} is closed to other users and could not be copied where they can reach it; tests run as nobody will fail`,
    );
    rmSync(place, { recursive: true, force: true });
    return same;
  }
  console.error(`test/run.mjs: ${dir} is closed to other users; the suite runs from a copy at ${place}`);
  return { root: `${place}/`, cleanUp: () => rmSync(place, { recursive: true, force: true }) };
}
