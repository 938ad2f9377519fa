#!/usr/bin/env node
// `npm test`: runs jest inside a private IPC namespace, so that no test can
// see or touch the host's segments, then prints the line CI reads:
// "N passed, N failed". End-to-end tests make a fresh namespace per test on
// top of this one (test/helpers/ns.ts).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

if (!process.env.SHMCTL_TS_TEST_NS) {
  // Root (CI) can unshare the IPC namespace directly; others map themselves
  // to root in a user namespace first.
  // SHELL fixed: script(1) runs $SHELL -c, and CI's may differ from a developer's.
  const env = { ...process.env, SHMCTL_TS_TEST_NS: '1', SHELL: '/bin/sh' };
  const self = [process.execPath, fileURLToPath(import.meta.url), ...args];
  const direct = process.getuid?.() === 0;
  // A mount namespace too, so the suite gets a /dev/shm of its own (POSIX objects).
  const ns = ['--ipc', '--mount', '--propagation', 'private'];
  const r = spawnSync('unshare', direct ? [...ns, ...self] : ['--user', '--map-root-user', ...ns, ...self], {
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

const results = join(tmpdir(), `shmctl-ts-jest-${process.pid}.json`);
const jest = spawnSync(
  process.execPath,
  [join(suite.root, 'node_modules/jest/bin/jest.js'), '--json', `--outputFile=${results}`, ...args],
  {
    cwd: suite.root,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim(), LC_ALL: 'C' },
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  skipped = r.numPendingTests + r.numTodoTests;
  rmSync(results, { force: true });
} catch {
  failed += 1; // jest did not even report
}

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
process.exit(jest.status === 0 && failed === 0 ? 0 : 1);

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
