/**
 * What `metrics` exports: shared memory as Prometheus gauges. One collection
 * per IPC namespace (with a `namespace` label when several are collected):
 * counts and bytes by kind and owner, resident and swapped bytes of segments,
 * what nothing holds and how old the oldest of it is, segments whose creator
 * is dead, the namespace's limits and their use, /dev/shm's size and free
 * space, and shmctl-ts locks held and waited for.
 */
import { isHeld, type KindChoice } from '../model/record.js';
import { statfsSync } from 'node:fs';
import { pageSize } from '../kernel/ffi.js';
import { creatorJudge, indexHolders, indexHoldersAcross, type HolderIndex } from '../ops/holders.js';
import { readShmLimits, readShmUsage } from './limits.js';
import { kindsOf, listKinds, locksOf } from '../ops/kinds.js';
import { kindOf } from '../model/kinds.js';
import type { MetricFamily, Sample } from '../model/metrics.js';
import type { NamespaceTag, ShmRecord } from '../model/record.js';
import { shmDir } from '../posix/name.js';

/** Families in a fixed order; `add` puts a sample in its family. */
class Families {
  readonly #byName = new Map<string, MetricFamily>();
  /** "name labels-json" → its sample, for sum() */
  readonly #index = new Map<string, Sample>();

  constructor(defs: [string, string][]) {
    for (const [name, help] of defs) this.#byName.set(name, { name, help, type: 'gauge', samples: [] });
  }

  add(name: string, labels: Record<string, string>, value: number | bigint): void {
    const sample = { labels, value };
    this.#byName.get(name)!.samples.push(sample);
    this.#index.set(`${name} ${JSON.stringify(labels)}`, sample);
  }

  /** Add to a sample with these labels (or start it at `value`). */
  sum(name: string, labels: Record<string, string>, value: number): void {
    const found = this.#index.get(`${name} ${JSON.stringify(labels)}`);
    if (found) found.value = Number(found.value) + value;
    else this.add(name, labels, value);
  }

  /** Every family, declared even without samples — but the namespace info only when namespaces were collected. */
  get all(): MetricFamily[] {
    return [...this.#byName.values()].filter((f) => f.samples.length > 0 || f.name !== 'shmctl_namespace_info');
  }
}

const DEFS: [string, string][] = [
  ['shmctl_namespace_info', 'An IPC namespace collected: its inode, and one process in it (pid and command); always 1'],
  ['shmctl_objects', 'System V segments and POSIX objects, by kind and owner'],
  ['shmctl_size_bytes', 'Their sizes added up, by kind and owner'],
  ['shmctl_resident_bytes', 'Resident bytes of System V segments, by owner'],
  ['shmctl_swapped_bytes', 'Swapped bytes of System V segments, by owner'],
  ['shmctl_allocated_bytes', 'Bytes of memory POSIX objects hold (tmpfs blocks), by owner'],
  ['shmctl_unattached_objects', 'Segments and objects that nothing attaches, maps or has open, by kind'],
  ['shmctl_unattached_size_bytes', 'Their sizes added up, by kind'],
  ['shmctl_oldest_unattached_age_seconds', 'Age (since its last change, ctime) of the oldest unattached one, by kind; 0 when none'],
  ['shmctl_creator_dead_segments', 'System V segments whose creator process is gone (or its pid reused)'],
  ['shmctl_limit_segments', 'kernel.shmmni: the most segments the namespace may hold'],
  ['shmctl_used_segments', 'Segments the namespace holds'],
  ['shmctl_limit_total_bytes', 'kernel.shmall in bytes: all segments together'],
  ['shmctl_used_total_bytes', 'Bytes of all segments together (whole pages)'],
  ['shmctl_limit_segment_size_bytes', 'kernel.shmmax: the largest segment'],
  ['shmctl_devshm_size_bytes', 'Size of the tmpfs on /dev/shm'],
  ['shmctl_devshm_free_bytes', 'Free bytes on /dev/shm'],
  ['shmctl_locks_held', 'shmctl-ts locks held, by kind and mode'],
  ['shmctl_lock_holders', 'Processes holding shmctl-ts locks, by kind'],
  ['shmctl_lock_waiters', 'Processes waiting for shmctl-ts locks, by kind'],
  ['shmctl_unreadable_processes', 'Processes whose /proc entries could not be read (what they hold is not counted)'],
];

interface CollectOptions {
  kind: KindChoice;
  now?: number;
  /**
   * Collect the held kinds (memfds, deleted files, shared anonymous memory)
   * asked for: they belong to processes, not to an IPC namespace, so a visit
   * of every namespace counts them in one of them only. Default true.
   */
  held?: boolean;
}

/** An empty set of families, to collect one or more namespaces into. */
export function newMetrics(): Families {
  return new Families(DEFS);
}

/**
 * Collect the namespace we are in (entered with setns, if another) into
 * `into`. `owner` names a uid; `tag` labels every sample with its namespace.
 */
export function collectMetrics(
  into: Families,
  opts: CollectOptions & { owner: (uid: number) => string; tag?: NamespaceTag; command?: (pid: number) => string | null },
): void {
  const pending = gatherMetrics(into, opts);
  pending.finish(indexHolders(pending.records, { fds: true }));
}

/** A namespace collected but for what needs its records' holders, which one pass over /proc gives every namespace. */
interface PendingMetrics {
  /** The namespace's inode (null: ours, untagged). */
  inode: number | null;
  records: ShmRecord[];
  finish(holders: HolderIndex): void;
}

/** collectMetrics, less what needs the holders (the pass over /proc): in each namespace of --all-namespaces. */
export function gatherMetrics(
  into: Families,
  opts: CollectOptions & { owner: (uid: number) => string; tag?: NamespaceTag; command?: (pid: number) => string | null },
): PendingMetrics {
  const ns: Record<string, string> = opts.tag ? { namespace: String(opts.tag.inode) } : {};
  if (opts.tag) into.add('shmctl_namespace_info', { ...ns, pid: String(opts.tag.pid), command: opts.command?.(opts.tag.pid) ?? '' }, 1);
  const objects = hasOwnShmDir();
  const kinds = kindsOf(opts.kind).filter((k) => (k === 'posix' ? objects : isHeld({ kind: k }) ? opts.held !== false : true));
  const records = listKinds(kinds, false);
  if (kinds.includes('sysv')) addSegmentLimits(into, records, ns);
  if (kinds.includes('posix')) addDevShm(into, ns);
  addLocks(into, records, ns, kinds);
  const now = opts.now ?? Date.now() / 1000;
  return {
    inode: opts.tag?.inode ?? null,
    records,
    finish: (holders) => {
      addRecords(into, records, holders, { ns, kinds, owner: opts.owner, now });
      into.add('shmctl_unreadable_processes', ns, holders.unreadable.length);
    },
  };
}

/** Every gathered namespace finished from one pass over /proc for all of them (not one pass each). */
export function finishMetrics(pending: readonly PendingMetrics[]): void {
  const indexes = indexHoldersAcross(
    pending.map((p) => ({ inode: p.inode, records: p.records })),
    { fds: true },
  );
  pending.forEach((p, i) => p.finish(indexes[i]!));
}

/** Does this namespace have a /dev/shm of its own? (not when one was listed already) */
function hasOwnShmDir(): boolean {
  try {
    shmDir();
    return true;
  } catch {
    return false;
  }
}

/** Counts and sizes by owner, memory, and what nothing holds (with the oldest such, by kind). */
function addRecords(
  into: Families,
  records: ShmRecord[],
  holders: HolderIndex,
  at: { ns: Record<string, string>; kinds: string[]; owner: (uid: number) => string; now: number },
): void {
  const { ns } = at;
  for (const k of at.kinds) {
    into.add('shmctl_unattached_objects', { ...ns, kind: k }, 0);
    into.add('shmctl_unattached_size_bytes', { ...ns, kind: k }, 0);
  }
  const oldest = new Map<string, number>();
  for (const r of records) {
    const owner = { ...ns, kind: r.kind, owner: at.owner(r.uid) };
    into.sum('shmctl_objects', owner, 1);
    into.sum('shmctl_size_bytes', owner, r.size);
    for (const [what, bytes] of kindOf(r).memory(r)) into.sum(`shmctl_${what}_bytes`, { ...ns, owner: owner.owner }, bytes);
    if (kindOf(r).kernelAttachCount(r) || holders.of(r).length) continue;
    into.sum('shmctl_unattached_objects', { ...ns, kind: r.kind }, 1);
    into.sum('shmctl_unattached_size_bytes', { ...ns, kind: r.kind }, r.size);
    oldest.set(r.kind, Math.max(oldest.get(r.kind) ?? 0, Math.max(0, at.now - r.ctime)));
  }
  for (const k of at.kinds) into.add('shmctl_oldest_unattached_age_seconds', { ...ns, kind: k }, Math.round(oldest.get(k) ?? 0));
}

/** Segments whose creator is gone, and the namespace's limits against their use. */
function addSegmentLimits(into: Families, records: ShmRecord[], ns: Record<string, string>): void {
  const creator = creatorJudge();
  into.add('shmctl_creator_dead_segments', ns, records.filter((r) => creator(r) === 'dead').length);
  const limits = readShmLimits();
  const usage = readShmUsage();
  const page = BigInt(pageSize());
  into.add('shmctl_limit_segments', ns, limits.shmmni);
  into.add('shmctl_used_segments', ns, usage.usedIds);
  into.add('shmctl_limit_total_bytes', ns, limits.shmall * page);
  into.add('shmctl_used_total_bytes', ns, usage.shmTot * page);
  into.add('shmctl_limit_segment_size_bytes', ns, limits.shmmax);
}

function addDevShm(into: Families, ns: Record<string, string>): void {
  try {
    const s = statfsSync(shmDir());
    into.add('shmctl_devshm_size_bytes', ns, s.blocks * s.bsize);
    into.add('shmctl_devshm_free_bytes', ns, s.bavail * s.bsize);
  } catch {
    /* no /dev/shm */
  }
}

function addLocks(into: Families, records: ShmRecord[], ns: Record<string, string>, kinds: string[]): void {
  const locks = locksOf({ sysv: kinds.includes('sysv'), posix: kinds.includes('posix') });
  for (const k of kinds) {
    for (const mode of ['exclusive', 'shared']) into.add('shmctl_locks_held', { ...ns, kind: k, mode }, 0);
    into.add('shmctl_lock_holders', { ...ns, kind: k }, 0);
    into.add('shmctl_lock_waiters', { ...ns, kind: k }, 0);
  }
  for (const r of records) {
    const s = locks(r)?.state(r);
    if (!s) continue;
    if (s.state !== 'free') into.sum('shmctl_locks_held', { ...ns, kind: r.kind, mode: s.state }, 1);
    into.sum('shmctl_lock_holders', { ...ns, kind: r.kind }, s.holders);
    into.sum('shmctl_lock_waiters', { ...ns, kind: r.kind }, s.waiters);
  }
}
