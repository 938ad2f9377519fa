/**
 * Who holds shared memory, and whether a segment's creator still lives: the
 * answers `holders`, ls's HOLDERS column and filters, and gc are built on.
 */
import { statSync } from 'node:fs';
import { scanHolds, type Hold } from '../kernel/holds.js';
import { hasLiveThreads } from '../kernel/proc-walk.js';
import { heldScanUnreadable } from './kinds.js';
import { hiddenProcesses, processOwner, readCommandLine, readProcessStat } from '../kernel/processes.js';
import type { HolderRecord, HolderReport, HoldHow } from '../model/holder.js';
import { kindOf } from '../model/kinds.js';
import { isHeld, type HeldRecord, type ShmRecord } from '../model/record.js';
import { escapeBytes } from '../model/text.js';

export type { Hold };

export interface HolderIndex {
  /** The processes that hold this record (attach, map or, if looked for, have it open). */
  of(r: ShmRecord): Hold[];
  /** Processes whose /proc entries could not be read: any of them could hold anything. */
  unreadable: number[];
  /** Why processes of this machine are not in /proc at all (hiddenProcesses), or null: they could hold anything too. */
  hidden: string | null;
}

/** One pass over /proc for all these records; `fds` also looks at open descriptors (POSIX objects). */
export function indexHolders(records: readonly ShmRecord[], opts: { fds?: boolean; ownFds?: ReadonlySet<number> } = {}): HolderIndex {
  return indexHoldersAcross([{ inode: null, records }], opts)[0]!;
}

/**
 * One pass over /proc for the records of several IPC namespaces (each listed in its namespace: `inode` its
 * namespace's, null for ours), descriptors included: each namespace's index, in the same order.
 */
export function indexHoldersAcross(
  sets: readonly { inode: number | null; records: readonly ShmRecord[] }[],
  opts: { fds?: boolean; ownFds?: ReadonlySet<number> } = {},
): HolderIndex[] {
  const own = sets.some((s) => s.inode !== null) ? statSync('/proc/self/ns/ipc').ino : null;
  // another namespace's link ("ipc:[INODE]"), which its segments' holds come back prefixed with; null for ours
  const linkOf = (inode: number | null): string | null => (inode === null || inode === own ? null : `ipc:[${inode}]`);
  const keys = new Set<string>();
  const elsewhere = new Map<string, Set<number>>();
  for (const { inode, records } of sets) {
    const link = linkOf(inode);
    for (const r of records) {
      // the held kinds were found through their holders: the scan that found them answers for them
      if (isHeld(r)) continue;
      const key = kindOf(r).holdKey(r);
      if (link === null || r.kind !== 'sysv') keys.add(key);
      else elsewhere.set(link, (elsewhere.get(link) ?? new Set<number>()).add(Number(key.slice('SYSV '.length))));
    }
  }
  const { holds, unreadable } = scanHolds({ keys, fds: opts.fds ?? true, elsewhere, ...(opts.ownFds ? { ownFds: opts.ownFds } : {}) });
  const held = sets.flatMap((s) => s.records).find(isHeld);
  const all = [...new Set([...unreadable, ...(held ? heldScanUnreadable(held) : [])])].sort((a, b) => a - b);
  const hidden = hiddenProcesses();
  return sets.map(({ inode }) => {
    const link = linkOf(inode);
    const keyOf = (r: ShmRecord): string => (link !== null && r.kind === 'sysv' ? `${link} ` : '') + kindOf(r).holdKey(r);
    return { of: (r: ShmRecord) => (isHeld(r) ? heldHolds(r) : (holds.get(keyOf(r)) ?? [])), unreadable: all, hidden };
  });
}

/** indexHoldersAcross as one index, answering for a record of any of the sets (ls --all-namespaces). */
export function indexHoldersOfAll(
  sets: readonly { inode: number | null; records: readonly ShmRecord[] }[],
  opts: { fds?: boolean } = {},
): HolderIndex {
  const indexes = indexHoldersAcross(sets, opts);
  const of = new Map<ShmRecord, HolderIndex>();
  sets.forEach((s, i) => s.records.forEach((r) => of.set(r, indexes[i]!)));
  const none: HolderIndex = { of: () => [], unreadable: [], hidden: null };
  return { of: (r) => (of.get(r) ?? none).of(r), unreadable: indexes[0]?.unreadable ?? [], hidden: indexes[0]?.hidden ?? null };
}

/** Each record's mappers (an object's NATTCH), from an index that looked at descriptors too: one pass serves both. */
export function noteMappersFrom(records: readonly ShmRecord[], holders: HolderIndex): void {
  for (const r of records)
    kindOf(r).noteMappers(
      r,
      holders
        .of(r)
        .filter((h) => h.mapped)
        .map((h) => h.pid),
      holders.unreadable.length,
    );
}

/** A held record's holders as holds: each process's mappings and descriptors. */
function heldHolds(r: HeldRecord): Hold[] {
  return r.holders.map((h) => ({ pid: h.pid, attachments: 0, mapped: h.mappings > 0, fd: h.fds.length > 0 }));
}

/** Every process that holds `record`, with who it is and since when. */
export function describeHolders(record: ShmRecord): HolderReport {
  const index = indexHolders([record], { fds: true });
  const holds = index.of(record);
  return {
    record,
    holders: holds.map((h) => holderRecord(h, kindOf(record).holding)),
    unreadable: index.unreadable,
    hidden: index.hidden,
    attachments: holds.reduce((n, h) => n + h.attachments, 0),
  };
}

function holderRecord(h: Hold, holding: Exclude<HoldHow, 'fd'>): HolderRecord {
  const how: HoldHow[] = [];
  if (h.mapped) how.push(holding);
  if (h.fd) how.push('fd');
  const stat = readProcessStat(h.pid);
  const line = readCommandLine(h.pid);
  return {
    kind: 'holder',
    pid: h.pid,
    uid: processOwner(h.pid),
    how,
    attachments: h.attachments,
    start: stat ? stat.start : null,
    command: line ? escapeBytes(line) : stat ? `[${escapeBytes(stat.comm)}]` : null,
  };
}

/**
 * Is the creator of a segment still running? 'dead' when its pid is gone,
 * has exited (a zombie), or belongs to a process that started after the
 * segment's ctime (the pid was reused); 'unknown' for POSIX objects (they
 * record no creator) and for a creator outside this PID namespace (cpid 0).
 * ctime moves on IPC_SET: a later change can only make a dead creator look
 * alive, never the other way round. The judge reads each creator's
 * /proc/PID/stat once (32,768 segments made by one process are one read).
 */
export function creatorJudge(): (r: ShmRecord) => 'alive' | 'dead' | 'unknown' {
  const stats = new Map<number, ReturnType<typeof readProcessStat>>();
  // pids and start times of a /proc of another PID namespace are not the creator's: no judgement there
  const foreign = hiddenProcesses()?.startsWith('this /proc belongs') ?? false;
  return (r) => {
    const cpid = kindOf(r).creatorPid(r);
    if (foreign || cpid === null) return 'unknown';
    let stat = stats.get(cpid);
    if (stat === undefined) stats.set(cpid, (stat = readProcessStat(cpid)));
    // a zombie leader whose other threads still run (its main thread exited) is a running process
    if (!stat || (stat.state === 'Z' && !hasLiveThreads(cpid))) return 'dead';
    // the start time is known to a tick, the boot time to the second
    return stat.start > r.ctime + 1 ? 'dead' : 'alive';
  };
}
