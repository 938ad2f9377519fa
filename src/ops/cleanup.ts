/**
 * Safe clean-up (gc): of what a selection picks, remove only what nothing
 * holds, and say why the rest is kept. Held means: attached (a segment's
 * nattch, the kernel's own count, or a process found attaching it), mapped or
 * open in a process (an object), or its shmctl-ts lock taken. Where /proc
 * cannot be read for some processes, any of them could have an object open:
 * objects are then kept unless the caller says to ignore them. A segment's
 * nattch counts every process, readable or not.
 */
import type { KindChoice } from '../model/record.js';
import { indexHolders, noteMappersFrom, type Hold, type HolderIndex } from './holders.js';
import { list, lockStates } from './list.js';
import { memoryOf } from './kinds.js';
import { kindOf } from '../model/kinds.js';
import type { LockColumn } from '../model/lock-state.js';
import { unreadableText } from '../model/holder.js';
import { Errno, hasErrno } from '../model/errors.js';
import type { Fenced } from '../memory/fence.js';
import type { PosixRecord, ShmRecord } from '../model/record.js';
import { mayBePostgres, postgresObjectsThere, postgresSegment, type PostgresSegment } from './postgres.js';
import { select, type Selection } from './select.js';

export interface Kept {
  record: ShmRecord;
  reason: string;
}

export interface CleanupPlan {
  /** Picked and held by nothing: what gc removes. */
  remove: ShmRecord[];
  /** Picked, but held: never removed. */
  kept: Kept[];
  /** Processes whose /proc entries could not be read. */
  unreadable: number;
  /** What goes with a segment in `remove`: a crashed PostgreSQL's dynamic shared memory objects (postgres.ts). */
  companions: Map<ShmRecord, PosixRecord[]>;
  /** Segments in `remove` that may be a crashed PostgreSQL's, not read (`readSegments` false: a dry run). */
  unread: ShmRecord[];
}

/** gc's default --min-age, seconds: a producer's object its consumer has not opened yet is younger than this. */
const MIN_AGE = 300;

/**
 * Seconds since it was last made, changed or used as far as the kernel says:
 * a segment's latest ctime, atime, dtime; an object's latest mtime, ctime.
 */
function ageOf(r: ShmRecord, now: number): number {
  return now - kindOf(r).lastUsed(r);
}

export function planCleanup(
  kind: KindChoice,
  selection: Selection,
  opts: { ignoreUnreadable?: boolean; now?: number; minAge?: number; readSegments?: boolean } = {},
): CleanupPlan {
  const records = list({ kind, usage: false });
  const holders = indexHolders(records, { fds: true });
  // an object's NATTCH (processes mapping it), from the same pass
  noteMappersFrom(records, holders);
  const chosen = select(records, selection, { holders, ...(opts.now === undefined ? {} : { now: opts.now }) });
  const locks = lockStates({ sysv: true, posix: true });
  const plan: CleanupPlan = { remove: [], kept: [], unreadable: holders.unreadable.length, companions: new Map(), unread: [] };
  const now = opts.now ?? Date.now() / 1000;
  const minAge = opts.minAge ?? MIN_AGE;
  for (const r of chosen) {
    // whatever the filters: a producer commonly makes an object, closes it, and its consumer opens it a moment later
    const age = ageOf(r, now);
    const young = age < minAge ? `younger than --min-age ${minAge}s (made, changed or used ${Math.max(0, Math.floor(age))}s ago)` : null;
    const reason = young ?? heldBecause(r, holders, locks(r), opts.ignoreUnreadable === true);
    if (reason) plan.kept.push({ record: r, reason });
    else plan.remove.push(r);
  }
  // a segment is read only when it is to be removed: an attach, even read-only, sets its times
  if (opts.readSegments ?? true) withPostgresObjects(plan, opts.ignoreUnreadable === true);
  else if (postgresObjectsThere()) plan.unread = plan.remove.filter((r) => mayBePostgres(r));
  return plan;
}

/**
 * A crashed PostgreSQL's segment takes its dynamic shared memory objects with
 * it (postgres.ts): removed alone, they would leak for good. When they cannot
 * be found, or one of them is held, the segment is kept, with why.
 */
function withPostgresObjects(plan: CleanupPlan, ignoreUnreadable: boolean): void {
  const found = new Map<ShmRecord, PostgresSegment>();
  for (const r of plan.remove) {
    const pg = postgresSegment(r);
    if (pg) found.set(r, pg);
  }
  if (!found.size) return;
  const objects = [...found.values()].flatMap((pg) => pg.objects);
  const holders = indexHolders(objects, { fds: true });
  const locks = lockStates({ sysv: false, posix: true });
  for (const [r, pg] of found) {
    let why = pg.keep;
    for (const o of pg.objects) {
      const held = why ? null : heldBecause(o, holders, locks(o), ignoreUnreadable);
      if (held) why = `its PostgreSQL dynamic shared memory ${o.name} must stay: ${held}`;
    }
    if (why) {
      plan.remove.splice(plan.remove.indexOf(r), 1);
      plan.kept.push({ record: r, reason: why });
    } else if (pg.objects.length) plan.companions.set(r, pg.objects);
  }
}

/** Why each of `records` must stay (as gc keeps things), or null: one scan of every process, the locks read once. */
export function keptBecause(records: ShmRecord[], opts: { ignoreUnreadable?: boolean } = {}): (r: ShmRecord) => string | null {
  const holders = indexHolders(records, { fds: true });
  const locks = lockStates({ sysv: true, posix: true });
  return (r) => heldBecause(r, holders, locks(r), opts.ignoreUnreadable === true);
}

/**
 * Why `r` must stay, or null. Also kept: what this user may not remove (the
 * kernel would refuse: a segment's owner or creator, an object's owner in the
 * sticky /dev/shm, or root), so that gc as a user is about that user's own.
 */
function heldBecause(r: ShmRecord, holders: HolderIndex, lock: LockColumn, ignoreUnreadable: boolean): string | null {
  const kind = kindOf(r);
  if (!kind.named) return noNameToRemove(r, holders);
  if (!kind.removableBy(r, process.geteuid?.() ?? 0)) return `not this user's to remove (owner uid ${r.uid})`;
  const holds = holders.of(r);
  const nattch = kind.kernelAttachCount(r);
  if (nattch) return `attached (nattch ${nattch})${holds.length ? ` by ${pids(holds)}` : ''}`;
  if (holds.length) return `${heldWords(r)} by ${pids(holds)}`;
  if (lock === 'exclusive' || lock === 'shared') return `its lock is held (${lock})`;
  if (lock === 'unknown') return 'its lock cannot be read (it may be held)';
  // a segment's nattch counts every process, seen or not; an object's holders are only the ones seen
  const seenOnly = nattch === null && !ignoreUnreadable;
  if (seenOnly && holders.hidden) return `${holders.hidden}, and may have it open (--ignore-unreadable to disregard them)`;
  if (seenOnly && holders.unreadable.length) {
    return `${unreadableText(holders.unreadable)} and may have it open (--ignore-unreadable to disregard them)`;
  }
  return null;
}

/** Why a memfd, deleted file or shared anonymous region stays: nothing names it; ending its holders would free it. */
function noNameToRemove(r: ShmRecord, holders: HolderIndex): string {
  const holds = holders.of(r);
  const bytes = kindOf(r).memory(r)[0]?.[1] ?? 0;
  const by = holds.length ? `ending ${pids(holds)} would free it (${bytes} bytes)` : 'no holder seen';
  return `a ${kindOf(r).noun} has no name to remove: it goes when its last holder lets go; ${by}`;
}

/** "attached" (a segment: its attachments are what holds it), "mapped or open" (an object). */
const heldWords = (r: ShmRecord): string => (kindOf(r).kernelAttachCount(r) === null ? `${kindOf(r).holding} or open` : kindOf(r).holding);

function pids(holds: Hold[]): string {
  const list = holds.slice(0, 5).map((h) => h.pid);
  const more = holds.length > 5 ? `, … (${holds.length} in all)` : '';
  return `${holds.length === 1 ? 'pid' : 'pids'} ${list.join(', ')}${more}`;
}

/**
 * The last look before removals: every process scanned again (maps,
 * descriptors, by device and inode) and the locks read again, once, right
 * before `records` are removed. Returns, for each, why it must now stay, or
 * null.
 */
function lastLook(
  records: ShmRecord[],
  ours: { fds: ReadonlySet<number>; lockedByUs: ReadonlySet<ShmRecord> } = { fds: new Set(), lockedByUs: new Set() },
): (r: ShmRecord) => string | null {
  const holders = indexHolders(records, { fds: true, ownFds: ours.fds });
  const locks = lockStates({ sysv: true, posix: true });
  return (r) => {
    const holds = holders.of(r);
    if (holds.length) return `${heldWords(r)} by ${pids(holds)} since it was listed`;
    // (a lock this process holds is no one else's)
    const lock = ours.lockedByUs.has(r) ? null : locks(r);
    if (lock === 'exclusive' || lock === 'shared') return `its lock was taken since it was listed (${lock})`;
    if (lock === 'unknown') return 'its lock cannot be read (it may be held)';
    return null;
  };
}

/** What became of one record gc or run --reap meant to remove. */
export interface Removal {
  /** Why it was left in place, or null when it was removed. */
  left: string | null;
  /** Removed, but with a word to say (its lock set could not be removed). */
  warning: string | null;
  /** It could not be removed or looked at: the error. */
  error?: unknown;
}

/**
 * Remove what was listed, if it is still that and held by nothing. Each is
 * checked (a segment's id may have been reused, an object's name given to
 * another file, either attached since), an object's lock taken without
 * waiting (held until it is gone: a locker who comes meanwhile waits, one who
 * was there keeps it), and fenced (fence.ts: an object renamed aside, a
 * segment's permission bits set to 0) so that no one new can open or attach
 * it by name. Then one last look at every process and lock, with the fences
 * up; what turns out held is let back as it was, the rest removed.
 */
export async function removeAllListed(records: ShmRecord[]): Promise<Map<ShmRecord, Removal>> {
  const out = new Map<ShmRecord, Removal>();
  const fenced: (Fenced & { r: ShmRecord })[] = [];
  for (const r of records) {
    if (!kindOf(r).named) {
      out.set(r, { left: 'it has no name to remove', warning: null });
      continue;
    }
    try {
      const f = await memoryOf(r).fenceIfUnchanged(r);
      if (typeof f === 'string') out.set(r, { left: f, warning: null });
      else fenced.push({ r, ...f });
    } catch (e) {
      out.set(r, gone(e) ? { left: 'gone already', warning: null } : { left: null, warning: null, error: e });
    }
  }
  // (the descriptors our own locks are on are no one's hold)
  const look = lastLook(
    fenced.map((f) => f.r),
    {
      fds: new Set(fenced.flatMap((f) => (f.fd === null ? [] : [f.fd]))),
      lockedByUs: new Set(fenced.filter((f) => f.fd !== null).map((f) => f.r)),
    },
  );
  for (const { r, fence, release } of fenced) {
    try {
      const why = fence.held() ?? look(r);
      if (why) {
        const note = fence.lift();
        out.set(r, { left: note ? `${why}; ${note}` : why, warning: null });
      } else out.set(r, { left: null, warning: fence.remove().warning });
    } catch (e) {
      out.set(r, gone(e) ? { left: 'gone already', warning: null } : { left: null, warning: null, error: e });
    } finally {
      release();
    }
  }
  return new Map(records.map((r) => [r, out.get(r)!]));
}

const gone = (e: unknown): boolean => hasErrno(e, Errno.ENOENT, Errno.EINVAL, Errno.EIDRM);

/** removeAllListed for one. */
export async function removeListed(r: ShmRecord): Promise<{ left: string | null; warning: string | null }> {
  const done = (await removeAllListed([r])).get(r)!;
  if (done.error !== undefined) throw done.error;
  return done;
}
