#!/usr/bin/env node
// `npm run bench`: shmctl-ts against its real peers, measured side by side in one run, in private IPC, mount and PID
// namespaces. Each pair runs interleaved (A B, B A, …) so that the machine's noise falls on both; the claim is the
// median of the pairwise ratios. Every side of every row is first checked to do its job (bench/lib.mjs).
//
//   npm run bench                 full sizes (1 GiB copies, 32,768 segments, 2,000 processes, 200 namespaces)
//   npm run bench -- --quick      small sizes, a minute or two, no targets (too small for the claims)
//   npm run bench -- --json FILE  also write the results as JSON
//   npm run bench -- --only copies   only the sections named (start-up, listing, watch, scale, copies, hex; comma-separated)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuOnce, enter, jsonOut, memory, notes, output, pair, peakAnon, quick, results, table } from './lib.mjs';
import { copies } from './copies.mjs';
import { hostScale } from './scale.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin/shmctl-ts');
const args = process.argv.slice(2);

if (!process.env.SHMCTL_TS_BENCH_NS) {
  const self = [process.execPath, fileURLToPath(import.meta.url), ...args];
  const env = { ...process.env, SHMCTL_TS_BENCH_NS: '1' };
  // A mount namespace too: POSIX objects go to a private tmpfs on /dev/shm, and /etc/passwd can be the bench's own.
  // A PID namespace: the processes walked (holders, gc) are the bench's own, every one of them readable.
  const ns = ['--ipc', '--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc'];
  const r = spawnSync('unshare', process.getuid() === 0 ? [...ns, ...self] : ['--user', '--map-root-user', ...ns, ...self], {
    stdio: 'inherit',
    env,
  });
  process.exit(r.status ?? 1);
}
execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=1777,size=8g', 'shmctl-ts-bench', '/dev/shm']);

const { createSegment, removeSegment } = await import(join(root, 'dist/src/sysv/segment.js'));
const { readProcShm } = await import(join(root, 'dist/src/kernel/proc-shm.js'));

const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'shmctl-ts-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function removeAll() {
  for (const r of readProcShm()) {
    try {
      removeSegment(r.id);
    } catch {
      /* gone */
    }
  }
}

// The C reference and helper (bench/shmcopy.c): segments made by processes that are gone, idle processes, reading a
// file N times. Without a compiler the rows that need it are skipped, and said so.
let ref = null;
const cc = spawnSync('sh', ['-c', 'command -v cc'], { encoding: 'utf8' }).stdout.trim();
if (cc) {
  // outside /dev/shm: its processes map their program, and would be holders of something there
  const bin = mkdtempSync(join(tmpdir(), 'shmctl-ts-bench-'));
  process.on('exit', () => rmSync(bin, { recursive: true, force: true }));
  ref = join(bin, 'shmcopy');
  execFileSync(cc, ['-O2', '-o', ref, join(root, 'bench/shmcopy.c')]);
} else notes.push('no C compiler (cc): the rows that need bench/shmcopy.c are skipped');

// 50 users of the bench's own (a copy of /etc/passwd and /etc/group with them, mounted over the real ones in this
// mount namespace): segments made by many users, named as ipcs and lsipc name them.
const USERS = 50;
const UID0 = 20000;
for (const [file, line] of [
  ['passwd', (i) => `bench${i}:x:${UID0 + i}:${UID0 + i}::/nonexistent:/usr/sbin/nologin`],
  ['group', (i) => `bench${i}:x:${UID0 + i}:`],
]) {
  const copy = join(work, file);
  writeFileSync(copy, readFileSync(`/etc/${file}`, 'latin1') + Array.from({ length: USERS }, (_, i) => line(i)).join('\n') + '\n');
  chmodSync(copy, 0o644);
  execFileSync('mount', ['--bind', copy, `/etc/${file}`]);
}

/** Occurrences of `re` in a side's output (its `check` command, else its command without its redirection). */
const occurrences = (re, n) => (c) => {
  const got = (output(c.check ?? c.cmd.replace(/ > \/dev\/null$/, '')).match(re) ?? []).length;
  if (got !== n) throw new Error(`${c.cmd}: ${got} matches of ${re}, expected ${n}`);
  return `${n} rows`;
};
const succeeds = (c) => (output(c.cmd), 'exit status 0');

// --- start-up ----------------------------------------------------------------
removeAll();
if (enter('start-up')) {
  const node0 = { label: 'node -e 0', cmd: `${process.execPath} -e 0` };
  const startRuns = quick ? 5 : 40;
  const startTarget = { peer: 'node -e 0', op: '≤', value: 1.1 };
  pair('start-up: ls, empty namespace', { label: 'shmctl-ts ls', cmd: `${BIN} ls` }, [node0, { label: 'ipcs -m', cmd: 'ipcs -m' }], {
    runs: startRuns,
    target: startTarget,
    check: (c) => (c === node0 ? succeeds(c) : occurrences(/Shared Memory Segments/g, 1)(c)),
  });
  const one = createSegment({ key: 0x7000, size: 4096, mode: 0o600 }).id;
  pair('start-up: stat ID', { label: 'shmctl-ts stat ID', cmd: `${BIN} stat ${one}` }, [node0], {
    runs: startRuns,
    target: startTarget,
    check: (c) => (c === node0 ? succeeds(c) : occurrences(/^key: +0x00007000/gm, 1)(c)),
  });
  pair('start-up: read ID --length 1', { label: 'shmctl-ts read ID --length 1', cmd: `${BIN} read ${one} --length 1` }, [node0], {
    runs: startRuns,
    target: startTarget,
    check: (c) => (c === node0 ? succeeds(c) : occurrences(/^\0$/g, 1)(c)),
  });
  pair('start-up: holders ID', { label: 'shmctl-ts holders ID', cmd: `${BIN} holders ${one}` }, [node0], {
    runs: startRuns,
    target: startTarget,
    check: (c) => (c === node0 ? succeeds(c) : occurrences(/^ *PID USER HOW/gm, 1)(c)),
  });
  pair('start-up: doctor', { label: 'shmctl-ts doctor', cmd: `${BIN} doctor` }, [node0], {
    runs: startRuns,
    target: startTarget,
    check: (c) => (c === node0 ? succeeds(c) : occurrences(/^nothing stands in the way$/gm, 1)(c)),
  });
  removeSegment(one);
  // two commands against two starts of node
  const createRm = `i=$(${BIN} create --key 0x7001 --size 4096) && ${BIN} rm "$i"`;
  pair(
    'start-up: create, then rm',
    { label: 'shmctl-ts create; shmctl-ts rm', cmd: createRm },
    [{ label: 'node -e 0 (twice)', cmd: `${node0.cmd}; ${node0.cmd}` }],
    {
      runs: startRuns,
      target: { op: '≤', value: 1.1 },
      check: (c) => {
        output(c.cmd);
        if (readProcShm().some((r) => r.key === 0x7001)) throw new Error('create, then rm: the segment is still there');
        return c.label.startsWith('node') ? 'exit status 0' : 'made and removed';
      },
    },
  );
}
// --- listing ----------------------------------------------------------------
// Three conditions: the creator still running (the bench itself made them: one pid, one user, the best case for a
// per-pid cache); every creator gone (the usual state of a leak; lsipc then reads no command line); and made by
// 1,000 processes (gone) as 50 users.
function listingRows(count, how) {
  const target = count === 32768 ? { op: '≤', value: 1.0 } : null;
  const rows = occurrences(/0x[0-9a-f]{8}/g, count);
  const name = `listing: ${count} segments, ${how}`;
  pair(name, { label: 'shmctl-ts ls', cmd: `${BIN} ls` }, [{ label: 'ipcs -m', cmd: 'ipcs -m' }], {
    runs: quick ? 3 : 9,
    target,
    check: rows,
  });
  pair(`${name}, JSON`, { label: 'shmctl-ts ls --json', cmd: `${BIN} ls --json` }, [{ label: 'lsipc -m --json', cmd: 'lsipc -m --json' }], {
    runs: quick ? 3 : 5,
    target,
    check: rows,
  });
  pair(`${name}, raw`, { label: 'shmctl-ts ls --raw', cmd: `${BIN} ls --raw` }, [{ label: 'lsipc -m --raw', cmd: 'lsipc -m --raw' }], {
    runs: quick ? 3 : 5,
    target,
    check: rows,
  });
}
if (enter('listing'))
  for (const count of quick ? [4096] : [4096, 32768]) {
    removeAll();
    writeFileSync('/proc/sys/kernel/shmmni', String(Math.max(count, 4096)));
    for (let i = 0; i < count; i++) createSegment({ key: 0x10000 + i, size: 4096, mode: 0o644 });
    listingRows(count, 'creator running');
    if (!ref) continue;
    removeAll();
    output(`${ref} make ${count} 1 1 0`);
    listingRows(count, 'creator gone');
    removeAll();
    const creators = quick ? 100 : 1000;
    output(`${ref} make ${count} ${creators} ${USERS} ${UID0}`);
    listingRows(count, `${creators} creators (gone) × ${USERS} users`);
  }

// --- watch: its CPU per look against the floor, one process reading /proc/sysvipc/shm once a look ----------------
// Both sides on the same footing: each one process making N + 1 looks, less the same making one (its start-up), over N.
if (enter('watch') && ref) {
  const count = quick ? 4096 : 32768;
  removeAll();
  const seesChange = await watchSeesChange();
  writeFileSync('/proc/sys/kernel/shmmni', String(Math.max(count, 4096)));
  output(`${ref} make ${count} 1 1 0`);
  const looks = 20;
  const perLook = (_cmd, side) => (cpuOnce(side.many) - cpuOnce(side.one)) / looks;
  pair(
    `watch: CPU per look, ${count} segments`,
    {
      label: 'shmctl-ts watch --jsonl',
      cmd: 'watch',
      many: `${BIN} watch --jsonl --interval 0.05 --count ${looks + 1}`,
      one: `${BIN} watch --jsonl --interval 0.05 --count 1`,
    },
    [
      {
        label: 'read /proc/sysvipc/shm (floor)',
        cmd: 'floor',
        many: `${ref} cat /proc/sysvipc/shm ${looks + 1}`,
        one: `${ref} cat /proc/sysvipc/shm 1`,
      },
    ],
    {
      runs: quick ? 3 : 7,
      measure: perLook,
      target: count === 32768 ? { op: '≤', value: 1.5 } : null,
      check: (side) => (side.cmd === 'floor' ? (output(side.one), 'read once') : seesChange),
    },
  );
}

/** watch, started, reports a segment made after it (its first look must have happened: made again until it says so). */
async function watchSeesChange() {
  const child = spawn(BIN, ['watch', '--jsonl', '--interval', '0.05'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const made = [];
  const deadline = Date.now() + 30000;
  try {
    while (Date.now() < deadline) {
      made.push(createSegment({ key: 0x7100 + made.length, size: 4096, mode: 0o600 }).id);
      const seen = () => made.some((id) => new RegExp(`"id": ?${id}[,}]`).test(out));
      await new Promise((resolve) => {
        const until = Date.now() + 500;
        const poll = () => (seen() || Date.now() > until ? resolve() : setTimeout(poll, 10));
        poll();
      });
      if (seen()) return 'reported a segment made after it started';
    }
    throw new Error(`watch reported no new segment in 30 s: ${out.slice(0, 500)}`);
  } finally {
    child.kill();
    for (const id of made) removeSegment(id);
  }
}

await hostScale({ BIN, helper: ref, createSegment, removeAll });
removeAll();
writeFileSync('/proc/sys/kernel/shmmni', '4096');

const { createPosix } = await import(join(root, 'dist/src/posix/object.js'));
await copies({ BIN, ref, work, createSegment, removeSegment, createPosix });
memory.push({
  name: 'peak private memory, idle node (for scale)',
  bytes: await peakAnon(`${process.execPath} -e "setTimeout(() => {}, 300)"`),
});

// --- report ------------------------------------------------------------------
const cpu = readFileSync('/proc/cpuinfo', 'latin1').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown CPU';
const cores = readFileSync('/proc/cpuinfo', 'latin1').match(/^processor\s*:/gm)?.length ?? 0;
const machine = `${cores} × ${cpu}, Linux ${readFileSync('/proc/sys/kernel/osrelease', 'latin1').trim()}, node ${process.version}, ${process.getuid() === 0 ? 'root' : 'a user'}`;
console.log(`\nshmctl-ts bench (${quick ? 'quick' : 'full'}), ${new Date().toISOString()}, ${machine}\n`);
console.log(table());
for (const n of notes) console.log(`\nnote: ${n}`);
console.log(
  '\nThroughput rows: speed ratio = peer time / shmctl-ts time (≥ 1 is as fast or faster). Time rows: shmctl-ts time / peer time (≤ 1 is as fast or faster). Every side of every row was first checked to do its job (its output, the bytes it copied); every timed run had to succeed.',
);
const missed = results.filter((r) => r.ok === false).length + memory.filter((m) => m.limit && m.bytes > m.limit).length;
console.log(
  `\n${quick ? 'quick: no targets (the claims are made at full size)' : missed === 0 ? 'every target met' : `${missed} target(s) missed`}`,
);
if (jsonOut)
  writeFileSync(jsonOut, JSON.stringify({ quick, date: new Date().toISOString(), machine, results, memory, notes }, null, 2) + '\n');
