/** How doctor and check show findings: one line each, the fix under a blocking one; and as JSON. */
import { humanBytes, type Environment, type Finding } from '../../src/model/environment.js';
import { jsonSafe, terminalSafe } from '../../src/model/text.js';

export function findingLines(findings: Finding[], opts: { allFixes: boolean }): string[] {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${f.blocks ? 'STOPS' : 'ok   '}  ${f.limit.padEnd(17)} ${terminalSafe(f.message)}`);
    if (f.blocks || opts.allFixes) for (const fix of f.fix) lines.push(`       fix: ${fix}`);
  }
  return lines;
}

/** The environment as labelled lines, sizes in bytes and human units. */
export function environmentLines(env: Environment): string[] {
  const b = (n: number | bigint): string => `${n} bytes (${humanBytes(n)})`;
  const pageBytes = (pages: bigint): string => humanBytes(pages * BigInt(env.pageSize));
  const row = (label: string, text: string): string => `${label.padEnd(20)}${terminalSafe(text)}`;
  const cg = env.cgroup;
  return [
    row('kernel.shmmax', `${b(env.shmmax)} per segment`),
    row(
      'kernel.shmall',
      `${env.shmall} pages of ${env.pageSize} bytes (${pageBytes(env.shmall)}); ${env.pagesUsed} in use (${pageBytes(env.pagesUsed)})`,
    ),
    row('kernel.shmmni', `${env.shmmni} segments; ${env.segments} in use`),
    row('/dev/shm', env.devShm ? `${b(env.devShm.size)}, ${b(env.devShm.free)} free` : 'none'),
    row('container', env.container ? `${env.container} (${env.containerEvidence})` : 'none detected'),
    row(
      'cgroup memory',
      cg
        ? `${cg.path} (v${cg.version}): ${cg.limit === null ? 'no limit' : b(cg.limit)}${cg.usage === null ? '' : `, ${b(cg.usage)} in use`}`
        : 'unknown',
    ),
    row(
      'RLIMIT_MEMLOCK',
      `${env.memlock.soft === null ? 'unlimited' : b(env.memlock.soft)} (soft), ${env.memlock.hard === null ? 'unlimited' : b(env.memlock.hard)} (hard); CAP_IPC_LOCK: ${env.memlock.capIpcLock ? 'yes' : 'no'}`,
    ),
    row(
      'huge pages',
      `${env.hugepages.free} of ${env.hugepages.total} free, ${humanBytes(env.hugepages.size)} each; vm.hugetlb_shm_group = ${env.hugepages.shmGroup}`,
    ),
    row('overcommit', overcommitText(env.commit)),
    row(
      'RemoveIPC',
      `${env.removeIpc.enabled ? 'yes' : 'no'} (${env.removeIpc.source})${env.removeIpc.enabled ? (env.removeIpc.affectsUser ? `: applies to uid ${env.uid}` : ': not for root and system users') : ''}`,
    ),
  ];
}

/** vm.overcommit_memory in words, with the numbers its mode compares. */
function overcommitText(c: Environment['commit']): string {
  const b = (n: number): string => `${n} bytes (${humanBytes(n)})`;
  const rule =
    c.mode === 1
      ? 'always: a segment of any size is committed'
      : c.mode === 2
        ? `never beyond CommitLimit ${b(c.limit)}; ${b(c.committed)} committed`
        : `heuristic: one segment at most RAM + swap, ${b(c.ram + c.swap)}`;
  return `vm.overcommit_memory = ${c.mode} (${rule})`;
}

/** JSON with 64-bit values written as numbers (they pass 2^53). */
export function bigJson(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000big${v}` : v), 2);
  return jsonSafe(text.replace(/"\\u0000big(\d+)"/g, '$1')) + '\n';
}
