// The measuring of `npm run bench` (bench/run.mjs): commands timed side by side, each checked first to do its job.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const env = { ...process.env, LC_ALL: 'C' };
delete env.NODE_OPTIONS;

const args = process.argv.slice(2);
export const quick = args.includes('--quick');
export const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : null;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
export const want = (name) => !only || only.includes(name);

/** The section the rows being made belong to (--only). */
let section = 'start-up';
export const enter = (name) => {
  section = name;
  return want(name);
};

/** Wall time of one run, in ms; its standard output thrown away. A command that fails fails the bench. */
export function timeOnce(cmd) {
  const t = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', cmd], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd}: status ${r.status}: ${r.stderr}`);
  return ms;
}

/** A command's standard output (as text), for checks; it must succeed. */
export function output(cmd) {
  const r = spawnSync('sh', ['-c', cmd], { env, encoding: 'latin1', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd}: status ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return r.stdout;
}

/** CPU milliseconds (user + system) a shell command's processes used, from bash's `times`. */
export function cpuOnce(cmd) {
  const r = spawnSync('bash', ['-c', `${cmd} > /dev/null; times`], { env, encoding: 'utf8' });
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stdout.trim());
  if (r.status !== 0 || !m) throw new Error(`${cmd}: status ${r.status}: ${r.stderr}`);
  return (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
}

/** Peak anonymous (private) memory of a command, sampled from /proc every 2 ms. */
export function peakAnon(cmd) {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `exec ${cmd}`], { env, stdio: 'ignore' });
    let peak = 0;
    const sample = () => {
      try {
        const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'latin1'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        /* exited */
      }
    };
    const timer = setInterval(sample, 2);
    child.on('exit', (code) => {
      clearInterval(timer);
      code === 0 ? resolve(peak) : reject(new Error(`${cmd}: status ${code}`));
    });
  });
}

export const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};

export const results = [];
export const memory = [];
export const notes = [];

/**
 * Interleave the commands `runs` times (A B, B A, …). `setup` runs before each command (not timed). `check(side)`
 * runs once before the timing, for each side, and throws unless that side did its job (its output, the bytes it
 * copied); it returns what it checked, kept with the row. For time rows the ratio is ours / peer (≤ 1 as fast); for
 * throughput rows peer / ours, speed (≥ 1 as fast). `target`: { peer?, op, value }, or several (one per peer).
 * `measure` replaces wall time (watch's CPU per look).
 */
export function pair(name, ours, peers, { runs, setup, target, check, measure = timeOnce, kind = 'time', unit = 'ms' }) {
  if (!want(section)) return;
  if (!check) throw new Error(`${name}: a row needs a check that each side did its job`);
  const all = [ours, ...peers];
  const checked = all.map((c) => {
    setup?.(c);
    return check(c);
  });
  const times = all.map(() => []);
  for (let i = 0; i < runs; i++) {
    const order = all.map((c, j) => j);
    if (i % 2 === 1) order.reverse();
    for (const j of order) {
      setup?.(all[j]);
      times[j][i] = measure(all[j].cmd, all[j]);
    }
  }
  const s = times.map(stats);
  peers.forEach((p, j) => {
    // the median of the pairwise ratios: run i of ours against run i of the peer, side by side in time
    const ratios = stats(times[0].map((o, i) => (kind === 'throughput' ? times[j + 1][i] / o : o / times[j + 1][i])));
    // the targets are claims at full size: --quick's sizes are too small for them (start-up outweighs a 64 MiB copy)
    const t = quick ? null : ([target ?? []].flat().find((x) => x.peer === p.label || x.peer === undefined) ?? null);
    results.push({
      name,
      section,
      ours: ours.label,
      peer: p.label,
      ours_ms: s[0],
      peer_ms: s[j + 1],
      unit,
      ratio: ratios.median,
      ratios,
      target: t ? `${t.op} ${t.value}` : null,
      ok: t ? (t.op === '≤' ? ratios.median <= t.value : ratios.median >= t.value) : null,
      kind,
      checked: { ours: checked[0], peer: checked[j + 1] },
    });
  });
}

/** A check: the command's output has exactly `n` lines matching `re` (a listing lists every row). */
export const linesMatching = (re, n) => (c) => {
  const got = output(c.check ?? c.cmd.replace(/ > \/dev\/null$/, ''))
    .split('\n')
    .filter((l) => re.test(l)).length;
  if (got !== n) throw new Error(`${c.cmd}: ${got} lines match ${re}, expected ${n}`);
  return `${n} lines matching ${re}`;
};

const f = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

/** The report as a Markdown table. */
export function table() {
  const lines = [
    `| pair | shmctl-ts median (min–max) | peer median (min–max) | ratio: median of pairwise ratios (min–max) | target | |`,
    `| --- | --- | --- | --- | --- | --- |`,
  ];
  for (const r of results) {
    const word = r.kind === 'throughput' ? 'speed' : 'time';
    const u = r.unit === 'ms' ? 'ms' : r.unit;
    lines.push(
      `| ${r.name}: ${r.ours} vs ${r.peer} | ${f(r.ours_ms.median)} ${u} (${f(r.ours_ms.min)}–${f(r.ours_ms.max)}) | ` +
        `${f(r.peer_ms.median)} ${u} (${f(r.peer_ms.min)}–${f(r.peer_ms.max)}) | ${r.ratio.toFixed(2)}× ${word} ` +
        `(${r.ratios.min.toFixed(2)}–${r.ratios.max.toFixed(2)}) | ${r.target ?? ''} | ${r.ok === null ? '' : r.ok ? 'ok' : 'MISSED'} |`,
    );
  }
  const MiB = 1 << 20;
  for (const m of memory) {
    const ok = m.limit ? (m.bytes <= m.limit ? 'ok' : 'MISSED') : '';
    lines.push(`| ${m.name} | ${(m.bytes / MiB).toFixed(1)} MiB | | | ${m.limit ? `≤ ${m.limit / MiB} MiB` : ''} | ${ok} |`);
  }
  return lines.join('\n');
}
