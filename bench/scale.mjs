// `npm run bench`, section "scale": the jobs that walk every process (holders, ls -o +HOLDERS, gc, metrics across
// namespaces) at the scale of a host, against their peers (fuser, lsof) and against the floor: reading every
// process's maps once (grep), or entering every namespace from a shell (nsenter + cat).
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { enter, linesMatching, memory, notes, output, pair, peakAnon, quick, results } from './lib.mjs';

/** Starts `helper idle …` and resolves when every process is set; returns a function that ends them. */
async function idleProcesses(helper, args) {
  const child = spawn(helper, ['idle', ...args.map(String)], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`shmcopy idle: status ${code}`)));
  });
  return async () => {
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
  };
}

const countPids = (text) => (text.match(/\d+/g) ?? []).length;

export async function hostScale({ BIN, helper, createSegment, removeAll }) {
  if (!enter('scale')) return;
  if (!helper) {
    notes.push('no C compiler (cc): the host-scale rows are skipped');
    return;
  }
  const processes = quick ? 200 : 2000;
  const mappers = 20;
  const objects = quick ? 100 : 1000;
  const namespaces = quick ? 20 : 200;
  removeAll();
  // the leaks: `objects` segments whose creators are gone, and as many POSIX objects
  output(`${helper} make ${objects} 10 1 0`);
  for (let i = 0; i < objects; i++) writeFileSync(`/dev/shm/bench-leak-${i}`, Buffer.alloc(4096));
  const obj = '/dev/shm/bench-held';
  writeFileSync(obj, Buffer.alloc(4096));
  const id = createSegment({ key: 0, size: 4096, mode: 0o600 }).id;
  const end = await idleProcesses(helper, [processes, mappers, obj, id, namespaces]);
  try {
    const pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
    notes.push(
      `scale: ${pids} processes (${processes} idle, ${mappers} of them mapping one object and attaching one segment, ${namespaces} in IPC namespaces of their own); ${objects} segments and ${objects} objects that nobody holds`,
    );
    const runs = quick ? 3 : 7;
    const floor = (pattern) => `grep -lsE '${pattern}' /proc/[0-9]*/maps > /dev/null; true`;
    const floorCheck = (pattern) => ({ check: `grep -lsE '${pattern}' /proc/[0-9]*/maps; true` });
    const holdersLines = (c) => {
      const text = output(c.check ?? c.cmd.replace(/ > \/dev\/null.*$/, ''));
      const n = /^fuser/.test(c.cmd)
        ? countPids(text)
        : text.split('\n').filter((l) => /^\s*\d+ /.test(l) || /^\/proc\//.test(l) || /^\S+\s+\d+\s/.test(l)).length;
      if (n !== mappers) throw new Error(`${c.cmd}: ${n} holders, expected ${mappers}:\n${text.slice(0, 2000)}`);
      return `${mappers} holders listed`;
    };
    pair(
      `holders of a POSIX object, ${pids} processes`,
      { label: 'shmctl-ts holders /obj', cmd: `${BIN} holders /bench-held > /dev/null` },
      [
        { label: 'fuser', cmd: `fuser ${obj} > /dev/null 2>&1` },
        { label: 'lsof -n', cmd: `lsof -n ${obj} > /dev/null` },
        { label: 'grep -l of every maps (floor)', cmd: floor('/dev/shm/bench-held'), ...floorCheck('/dev/shm/bench-held') },
      ],
      {
        runs,
        check: holdersLines,
        target: [
          { peer: 'fuser', op: '≤', value: 0.5 },
          { peer: 'lsof -n', op: '≤', value: 0.3 },
          { peer: 'grep -l of every maps (floor)', op: '≤', value: 2 },
        ],
      },
    );
    pair(
      `holders of a segment, ${pids} processes`,
      { label: `shmctl-ts holders ID`, cmd: `${BIN} holders ${id} > /dev/null` },
      [{ label: 'grep -l of every maps (floor)', cmd: floor(` ${id} +/SYSV`), ...floorCheck(` ${id} +/SYSV`) }],
      { runs, check: holdersLines, target: { op: '≤', value: 2 } },
    );
    // every segment and object, each with its holders: the floor reads every maps file once, as we must
    const every = `(/SYSV|/dev/shm/)`;
    pair(
      `ls -A -o +HOLDERS, ${objects * 2 + 2} segments and objects, ${pids} processes`,
      { label: 'shmctl-ts ls -A -o +HOLDERS', cmd: `${BIN} ls -A -o +HOLDERS > /dev/null` },
      [{ label: 'grep -l of every maps (floor)', cmd: floor(every), ...floorCheck(every) }],
      {
        runs,
        check: (c) => (c.label.startsWith('shmctl') ? linesMatching(/^(sysv|posix) /, objects * 2 + 2)(c) : holdersLines(c)),
        target: { op: '≤', value: 2 },
      },
    );
    pair(
      `gc -A --unattached (dry run), ${objects * 2} to remove, ${pids} processes`,
      { label: 'shmctl-ts gc -A --unattached', cmd: `${BIN} gc -A --unattached --min-age 0 --ignore-unreadable > /dev/null 2>&1` },
      [{ label: 'grep -l of every maps (floor)', cmd: floor(every), ...floorCheck(every) }],
      {
        runs,
        check: (c) => {
          if (!c.label.startsWith('shmctl')) return holdersLines(c);
          const plan = JSON.parse(output(`${BIN} gc -A --unattached --min-age 0 --ignore-unreadable --json`)).gc;
          const n = plan.filter((p) => p.action === 'would remove').length;
          if (n !== objects * 2) throw new Error(`gc: ${n} to remove, expected ${objects * 2}`);
          return `${n} planned for removal, nothing removed`;
        },
        target: { op: '≤', value: 2 },
      },
    );
    // metrics across namespaces: every IPC namespace entered once, against a shell entering each with nsenter
    const nsPids = output(`for p in /proc/[0-9]*; do readlink $p/ns/ipc 2>/dev/null | sed "s|.*|\${p#/proc/} &|"; done`)
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .filter((x, i, all) => all.findIndex((y) => y[1] === x[1]) === i)
      .map((x) => x[0]);
    const loop = `for p in ${nsPids.join(' ')}; do nsenter --ipc=/proc/$p/ns/ipc cat /proc/sysvipc/shm; done > /dev/null`;
    pair(
      `metrics --all-namespaces, ${nsPids.length} IPC namespaces`,
      { label: 'shmctl-ts metrics --all-namespaces', cmd: `${BIN} metrics --all-namespaces > /dev/null` },
      [
        { label: 'nsenter + cat /proc/sysvipc/shm, each namespace', cmd: loop },
        { label: 'shmctl-ts metrics (one namespace)', cmd: `${BIN} metrics > /dev/null` },
      ],
      {
        runs,
        check: (c) => {
          const text = output(c.cmd.replace(/ > \/dev\/null$/, ''));
          const n = c.label.startsWith('nsenter')
            ? text.split('\n').filter((l) => /^\s+\d+\s/.test(l)).length
            : (text.match(/^shmctl_namespace_info\{/gm) ?? []).length;
          const want = c.label.startsWith('nsenter') ? 0 : c.label.includes('one') ? 0 : nsPids.length;
          if (c.label.startsWith('nsenter') ? n < nsPids.length : n !== want) throw new Error(`${c.cmd}: ${n} namespaces or segments`);
          return c.label.startsWith('nsenter') ? `${n} segments read` : `${n} namespaces reported`;
        },
        target: { peer: 'nsenter + cat /proc/sysvipc/shm, each namespace', op: '≤', value: 1 },
      },
    );
    // the audit across namespaces: one pass over /proc too (no peer audits shared memory: against one namespace's)
    const audit = `${BIN} audit --fail-on critical --json`;
    pair(
      `audit --all-namespaces, ${nsPids.length} IPC namespaces`,
      { label: 'shmctl-ts audit --all-namespaces', cmd: `${audit} --all-namespaces > /dev/null` },
      [{ label: 'shmctl-ts audit (one namespace)', cmd: `${audit} > /dev/null` }],
      {
        runs,
        check: (c) => {
          const { findings } = JSON.parse(output(c.cmd.replace(/ > \/dev\/null$/, '')));
          const n = new Set(findings.filter((f) => f.rule === 'sysctl-shm-rmid-forced').map((f) => f.namespace)).size;
          const want = c.label.includes('one') ? 1 : nsPids.length;
          if (n !== want) throw new Error(`${c.cmd}: ${n} namespaces audited, expected ${want}`);
          return `${n} namespaces audited`;
        },
      },
    );
    const row = results.find((r) => r.name.startsWith('metrics --all-namespaces') && r.peer.includes('one namespace'));
    if (row)
      notes.push(
        `metrics: each IPC namespace costs ${((row.ours_ms.median - row.peer_ms.median) / nsPids.length).toFixed(2)} ms (all namespaces less one, over ${nsPids.length})`,
      );
    memory.push({
      name: `peak private memory, metrics --all-namespaces, ${nsPids.length} namespaces`,
      bytes: await peakAnon(`${BIN} metrics --all-namespaces > /dev/null`),
      limit: 64 << 20,
    });
  } finally {
    await end();
    removeAll();
    output(`rm -f /dev/shm/bench-leak-* ${obj}`);
  }
}
