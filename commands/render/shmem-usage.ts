/** `usage`: where meminfo's Shmem goes, as lines for a person (JSON is the model as it is). */
import type { ShmemUsage } from '../../src/model/shmem-usage.js';
import { terminalSafe } from '../../src/model/text.js';
import { humanSize } from './human.js';

/** A size as people read it, or exact bytes with `bytes`. */
const sizeText = (n: number, bytes: boolean): string => (bytes ? String(n) : n < 0 ? `-${humanSize(-n)}` : humanSize(n));

export function renderShmemUsage(u: ShmemUsage, opts: { bytes: boolean; verbose: boolean }): string {
  const size = (n: number): string => sizeText(n, opts.bytes).padStart(opts.bytes ? 14 : 7);
  const share = (n: number): string => (u.shmem > 0 ? `${((100 * n) / u.shmem).toFixed(1).padStart(5)}%` : '     -');
  const lines: string[] = [`Shmem (/proc/meminfo)        ${size(u.shmem)}`];
  if (u.shmemHuge) lines.push(`  of which transparent huge pages ${sizeText(u.shmemHuge, opts.bytes)}`);
  for (const b of u.buckets) {
    lines.push(`  ${b.label.padEnd(27)}${size(b.bytes)} ${share(b.bytes)}`);
    for (const item of b.items) {
      if (item.bytes === 0 && !opts.verbose) continue;
      const holders = item.holders.length ? `  held by pid${item.holders.length === 1 ? '' : 's'} ${pidList(item.holders)}` : '';
      lines.push(`      ${size(item.bytes)}  ${terminalSafe(item.what)}${holders}`);
      if (item.charged?.length)
        lines.push(
          `      ${''.padStart(size(0).length)}  charged to ${item.charged.map((c) => `${terminalSafe(c.cgroup)} ${sizeText(c.bytes, opts.bytes)}`).join(', ')}`,
        );
    }
    if (opts.verbose || b.bucket === 'rest') for (const note of b.notes) lines.push(`      (${terminalSafe(note)})`);
  }
  const pools = u.hugePages.filter((p) => p.total > 0 || opts.verbose);
  if (pools.length) {
    lines.push('', 'Huge page pools (not in Shmem: SHM_HUGETLB segments and hugetlbfs files take from them):');
    for (const p of pools)
      lines.push(`  ${humanSize(p.size)} pages: ${p.total - p.free} of ${p.total} in use, ${p.reserved} reserved, ${p.surplus} surplus`);
  }
  const leaders = u.memfdHolders.filter((h) => h.memfds > 1 || opts.verbose);
  if (leaders.length) {
    lines.push('', 'Processes holding the most memfds:');
    for (const h of leaders) lines.push(`  pid ${h.pid}: ${h.memfds} memfd${h.memfds === 1 ? '' : 's'}, ${sizeText(h.bytes, opts.bytes)}`);
  }
  if (u.cgroups.length) {
    lines.push('', 'Control groups charged the most shmem (memory.stat; a page is charged to whoever first touched it):');
    for (const c of u.cgroups) lines.push(`  ${size(c.bytes)}  ${terminalSafe(c.path)}`);
  }
  for (const note of u.notes) lines.push('', `note: ${terminalSafe(note)}`);
  return lines.join('\n') + '\n';
}

function pidList(pids: number[]): string {
  return pids.slice(0, 5).join(',') + (pids.length > 5 ? `,… (${pids.length})` : '');
}
