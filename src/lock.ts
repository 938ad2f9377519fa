/**
 * A lock, and a one-slot hand-off, for a System V segment, made of a System V
 * semaphore set whose key is derived from the segment's id (lockKeyFor): any
 * process that can see the segment finds its lock, and a segment re-created
 * under the same key (a new id) never inherits an old, stale set.
 *
 * The set has four semaphores:
 *   0  RW     32767 free "slots": shared takes 1, exclusive takes all 32767.
 *             Taken with SEM_UNDO, so a holder that dies (even by SIGKILL)
 *             gives its slots back.
 *   1  EMPTY  1 when the hand-off slot may be written (a post may start).
 *   2  FULL   1 when a post waits to be read.
 *   3  MARK   21332 once initialised: tells our sets from anybody else's.
 *
 * Trust: the key is predictable, so anybody could make a set there first and
 * play with its values. A set is used only when it was made (sem_perm.cuid,
 * which nobody can change) by root, the segment's owner or its creator;
 * anything else is refused with the command that removes it.
 *
 * Ownership and access follow the segment: the set is given the segment's
 * owner and group, and read-write access for every class (owner, group,
 * others) that may read or write the segment. Taking the exclusive lock needs
 * write permission on the segment, the shared lock read permission.
 *
 * Creation is race-free: one process wins IPC_CREAT|IPC_EXCL and initialises
 * the set, ending with a semop on MARK, which sets sem_otime; everyone else
 * waits for sem_otime to be set before using it (Stevens' recipe).
 *
 * Waiting is done in slices of semtimedop(2) with the event loop turning in
 * between, so SIGINT/SIGTERM handlers still run while a process waits.
 */
import { Errno, LockTimeout, OperationError, ShmError } from './errors.js';
import * as libc from './libc.js';
import { readFileSync } from 'node:fs';
import { describeId, statSegment } from './shm.js';
import { formatKey, isDest, type SegmentRecord } from './record.js';

const RW = 0;
const EMPTY = 1;
const FULL = 2;
const MARK = 3;
const NSEMS = 4;
/** SEMVMX: the most a semaphore holds; the number of shared holders a lock allows. */
export const SLOTS = 32767;
const MAGIC = 21332;

export type LockMode = 'exclusive' | 'shared';

export { LockTimeout };

export interface LockState {
  state: 'free' | 'exclusive' | 'shared';
  /** Processes holding it (1 for exclusive). */
  holders: number;
  /** Processes waiting for it. */
  waiters: number;
}

/** What a segment's owner, group and mode say about a lock set: the parts trust and access need. */
type Owners = Pick<SegmentRecord, 'uid' | 'gid' | 'cuid' | 'cgid' | 'mode'>;

/**
 * The semaphore key of segment `segmentId`'s lock: FNV-1a of "shmctl-ts lock
 * <id>", never 0 (IPC_PRIVATE). Published in the README so that other
 * programs can take the same lock.
 */
export function lockKeyFor(segmentId: number): number {
  let h = 0x811c9dc5;
  for (const c of `shmctl-ts lock ${segmentId}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h === 0 ? 1 : h;
}

/** May a set made by `cuid` be trusted as this segment's lock? Only root, its owner or its creator. */
export function trustedMaker(cuid: number, seg: Owners): boolean {
  return cuid === 0 || cuid === seg.uid || cuid === seg.cuid;
}

/** The set's mode: read-write for the owner, and for group and others where they may read or write the segment. */
export function lockModeFor(segMode: number): number {
  return 0o600 | (segMode & 0o060 ? 0o060 : 0) | (segMode & 0o006 ? 0o006 : 0);
}

/**
 * May this process read (4) or write (2) the segment? The kernel's rule
 * (ipcperms): owner or creator use the owner bits, a member of its group or
 * its creator's group the group bits, everyone else the others' bits; root
 * (CAP_IPC_OWNER) may do anything.
 */
function mayAccess(seg: Owners, bits: 4 | 2): boolean {
  const euid = process.geteuid?.() ?? 0;
  if (euid === 0) return true;
  const groups = new Set([process.getegid?.() ?? 0, ...(process.getgroups?.() ?? [])]);
  const shift = euid === seg.uid || euid === seg.cuid ? 6 : groups.has(seg.gid) || groups.has(seg.cgid) ? 3 : 0;
  return ((seg.mode >> shift) & bits) === bits;
}

const slice = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const isGone = (e: unknown): boolean => e instanceof ShmError && (e.errno === Errno.EINVAL || e.errno === Errno.EIDRM);

/** Is this set (of `nsems` semaphores) one of ours? */
function isOurs(semid: number, nsems: number): boolean {
  return nsems === NSEMS && libc.semctl(semid, MARK, libc.GETVAL) === MAGIC;
}

/** "uid 65534 (nobody)" */
function whoIs(uid: number): string {
  const name = libc.userNameOf(uid);
  return name === null ? `uid ${uid}` : `uid ${uid} (${name})`;
}

function untrusted(subject: string, semid: number, cuid: number): OperationError {
  return new OperationError(
    subject,
    `semaphore set ${semid} at its lock's key was made by ${whoIs(cuid)}, not by the segment's owner, its creator or root: ` +
      `not trusted as its lock; remove it with: ipcrm -s ${semid}`,
  );
}

export class SegmentLock {
  #held: LockMode | null = null;

  private constructor(
    readonly semid: number,
    readonly key: number,
    readonly segmentId: number,
    private readonly segment: Owners,
  ) {}

  /**
   * The lock of segment `segmentId`, made on first use (by root, the segment's
   * owner or its creator only) with the segment's owner, group and access.
   */
  static async open(segmentId: number): Promise<SegmentLock> {
    const seg = statSegment(segmentId, { usage: false });
    if (isDest(seg)) {
      throw new OperationError(describeId(segmentId), 'is removed (dest): it goes at its last detach, and takes no new lock');
    }
    const key = lockKeyFor(segmentId);
    return new SegmentLock(await openSet(key, seg), key, segmentId, seg);
  }

  get held(): LockMode | null {
    return this.#held;
  }

  /** Refuse a lock the segment's permissions do not grant this process. */
  checkAccess(mode: LockMode): void {
    if (mode === 'exclusive' && !mayAccess(this.segment, 2)) {
      throw new ShmError(
        'semop',
        Errno.EACCES,
        describeId(this.segmentId),
        `the exclusive lock needs write permission on the segment${mayAccess(this.segment, 4) ? '; take the shared one (--shared)' : ''}`,
      );
    }
    if (mode === 'shared' && !mayAccess(this.segment, 4)) {
      throw new ShmError('semop', Errno.EACCES, describeId(this.segmentId), 'the shared lock needs read permission on the segment');
    }
  }

  /** Take the lock; false when `timeoutMs` ran out first (null waits for ever). */
  async acquire(mode: LockMode, timeoutMs: number | null = null): Promise<boolean> {
    if (this.#held) throw new Error('lock already held by this process');
    this.checkAccess(mode);
    const ok = await wait(this.semid, [{ num: RW, op: mode === 'exclusive' ? -SLOTS : -1, flags: libc.SEM_UNDO }], timeoutMs, this);
    if (ok) this.#held = mode;
    return ok;
  }

  /** Give the lock back. A set removed meanwhile (rm of the segment) holds nothing any more: not an error. */
  release(): void {
    if (!this.#held) return;
    const mode = this.#held;
    this.#held = null;
    try {
      libc.semtimedop(this.semid, [{ num: RW, op: mode === 'exclusive' ? SLOTS : 1, flags: libc.SEM_UNDO | libc.IPC_NOWAIT }], null);
    } catch (e) {
      if (!isGone(e)) throw e;
    }
  }

  /** Producer: wait until the slot is free to write (the last post was read). */
  waitEmpty(timeoutMs: number | null = null): Promise<boolean> {
    this.checkAccess('exclusive');
    return wait(this.semid, [{ num: EMPTY, op: -1, flags: libc.SEM_UNDO }], timeoutMs, this);
  }

  /**
   * Producer: the data is written; signal it. One atomic semop that also
   * cancels waitEmpty's undo, so the post outlives this process.
   */
  commitPost(): void {
    libc.semtimedop(
      this.semid,
      [
        { num: EMPTY, op: 1, flags: libc.SEM_UNDO },
        { num: EMPTY, op: -1, flags: 0 },
        { num: FULL, op: 1, flags: 0 },
      ],
      null,
    );
  }

  /** Producer: writing failed after waitEmpty; give the slot back. */
  abortPost(): void {
    libc.semtimedop(this.semid, [{ num: EMPTY, op: 1, flags: libc.SEM_UNDO }], null);
  }

  /** Consumer: wait for a post. If this process dies before commitTake, the post stays. */
  waitFull(timeoutMs: number | null = null): Promise<boolean> {
    this.checkAccess('shared');
    return wait(this.semid, [{ num: FULL, op: -1, flags: libc.SEM_UNDO }], timeoutMs, this);
  }

  /** Consumer: the post is read; free the slot for the next one. */
  commitTake(): void {
    libc.semtimedop(
      this.semid,
      [
        { num: FULL, op: 1, flags: libc.SEM_UNDO },
        { num: FULL, op: -1, flags: 0 },
        { num: EMPTY, op: 1, flags: 0 },
      ],
      null,
    );
  }

  /** Consumer: reading failed after waitFull; leave the post for the next reader. */
  abortTake(): void {
    libc.semtimedop(this.semid, [{ num: FULL, op: 1, flags: libc.SEM_UNDO }], null);
  }

  state(): LockState {
    return stateOf(this.semid);
  }
}

function stateOf(semid: number): LockState {
  const free = libc.semctl(semid, RW, libc.GETVAL);
  const waiters = libc.semctl(semid, RW, libc.GETNCNT);
  if (free === SLOTS) return { state: 'free', holders: 0, waiters };
  if (free === 0) return { state: 'exclusive', holders: 1, waiters };
  return { state: 'shared', holders: SLOTS - free, waiters };
}

/**
 * Give the set the segment's owner, group and access, where they differ and
 * this process may change them (root, or the set's owner or creator).
 */
function followSegment(semid: number, set: libc.SemidDs, seg: Owners): void {
  const want = { uid: seg.uid, gid: seg.gid, mode: lockModeFor(seg.mode) };
  if (set.uid === want.uid && set.gid === want.gid && (set.mode & 0o777) === want.mode) return;
  const euid = process.geteuid?.() ?? 0;
  if (euid !== 0 && euid !== set.uid && euid !== set.cuid) return;
  try {
    libc.semctlSet(semid, want);
  } catch (e) {
    if (!(e instanceof ShmError && (e.errno === Errno.EPERM || isGone(e)))) throw e;
  }
}

/** After the segment's owner, group or mode changed (set): its lock set, if it has a trusted one, follows. */
export function lockFollowsSegment(seg: SegmentRecord): void {
  try {
    const semid = libc.semget(lockKeyFor(seg.id), 0, 0);
    const set = libc.semctlStat(semid);
    if (trustedMaker(set.cuid, seg) && isOurs(semid, set.nsems)) followSegment(semid, set, seg);
  } catch (e) {
    if (!(e instanceof ShmError)) throw e; // none, gone, or not ours to look at
  }
}

/** Open the set with this key, or create and initialise it; never both, never half, never somebody else's. */
async function openSet(key: number, seg: Owners & { id: number }): Promise<number> {
  const subject = describeId(seg.id);
  const lockSubject = `${subject}: lock (semaphore key ${formatKey(key)})`;
  const euid = process.geteuid?.() ?? 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (trustedMaker(euid, seg)) {
      try {
        const semid = libc.semget(key, NSEMS, libc.IPC_CREAT | libc.IPC_EXCL | 0o600);
        libc.semctl(semid, RW, libc.SETVAL, SLOTS);
        libc.semctl(semid, EMPTY, libc.SETVAL, 1);
        libc.semctlSet(semid, { uid: seg.uid, gid: seg.gid, mode: lockModeFor(seg.mode) });
        // The last step is a semop: it sets sem_otime, which tells the others "ready".
        libc.semtimedop(semid, [{ num: MARK, op: MAGIC, flags: 0 }], null);
        return semid;
      } catch (e) {
        if (!(e instanceof ShmError)) throw e;
        if (e.errno !== Errno.EEXIST) throw e.with(lockSubject, e.errno === Errno.EACCES ? 'permission denied' : e.reason);
      }
    }
    let semid: number;
    try {
      semid = libc.semget(key, 0, 0);
    } catch (e) {
      if (e instanceof ShmError && e.errno === Errno.ENOENT) {
        if (trustedMaker(euid, seg)) continue; // removed meanwhile: try to create it
        throw new OperationError(
          subject,
          `has no lock yet, and only its owner (${whoIs(seg.uid)}), its creator or root may make one ` +
            `(a lock made by anybody else would not be trusted); one of them can run: shmctl-ts lock ${seg.id} -- true`,
        );
      }
      throw e instanceof ShmError ? e.with(lockSubject) : e;
    }
    const notOurs = (): OperationError =>
      new OperationError(lockSubject, `semaphore set ${semid} has this key but is not a shmctl-ts lock; left alone`);
    try {
      let set = libc.semctlStat(semid);
      if (!trustedMaker(set.cuid, seg)) throw untrusted(subject, semid, set.cuid);
      // A set of another size is somebody else's: no need to wait for it.
      if (set.nsems !== NSEMS) throw notOurs();
      for (let waited = 0; set.otime === 0; waited += 5) {
        if (waited >= 2000) throw new OperationError(lockSubject, `semaphore set ${semid} was made but never initialised (its maker died?); remove it with: ipcrm -s ${semid}`);
        await new Promise((r) => setTimeout(r, 5));
        set = libc.semctlStat(semid);
      }
      if (!isOurs(semid, NSEMS)) throw notOurs();
      followSegment(semid, set, seg);
      return semid;
    } catch (e) {
      if (isGone(e)) continue;
      if (e instanceof ShmError && e.errno === Errno.EACCES) throw e.with(lockSubject, 'permission denied');
      throw e;
    }
  }
  throw new OperationError(lockSubject, 'could not be opened (it kept disappearing)');
}

/** Wait for `ops` in slices, keeping the event loop (and signal handlers) alive. */
async function wait(semid: number, ops: libc.SemOp[], timeoutMs: number | null, lock: SegmentLock): Promise<boolean> {
  const deadline = timeoutMs === null ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    try {
      libc.semtimedop(semid, ops, Math.max(0, Math.min(left, 200)));
      return true;
    } catch (e) {
      if (!(e instanceof ShmError)) throw e;
      if (e.errno === Errno.EAGAIN || e.errno === Errno.EINTR) {
        if (Date.now() >= deadline) return false;
        await slice();
        continue;
      }
      if (isGone(e)) throw e.with(describeId(lock.segmentId), 'its lock was removed while waiting');
      throw e.with(describeId(lock.segmentId), e.errno === Errno.EACCES ? 'permission denied for its lock' : e.reason);
    }
  }
}

/** A shmctl-ts lock set as listings see it: who made it, and its state (null when this user may not read it). */
export interface LockInfo {
  semid: number;
  cuid: number;
  state: LockState | null;
}

interface SemRow {
  key: number;
  semid: number;
  nsems: number;
  cuid: number;
}

function readProcSem(): SemRow[] {
  let text: string;
  try {
    text = readFileSync('/proc/sysvipc/sem', 'latin1');
  } catch {
    return [];
  }
  const rows: SemRow[] = [];
  // key semid perms nsems uid gid cuid cgid otime ctime
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    rows.push({ key: Number(f[0]) >>> 0, semid: Number(f[1]), nsems: Number(f[3]), cuid: Number(f[6]) });
  }
  return rows;
}

/**
 * Every semaphore set that may be a shmctl-ts lock, by key (lockKeyFor). Its
 * state is null when this user may not read it. Whether it is trusted depends
 * on the segment: lockOf() says.
 */
export function readLockStates(): Map<number, LockInfo> {
  const locks = new Map<number, LockInfo>();
  for (const row of readProcSem()) {
    if (row.key === 0 || row.nsems !== NSEMS) continue;
    try {
      if (isOurs(row.semid, row.nsems)) locks.set(row.key, { semid: row.semid, cuid: row.cuid, state: stateOf(row.semid) });
    } catch {
      locks.set(row.key, { semid: row.semid, cuid: row.cuid, state: null });
    }
  }
  return locks;
}

/**
 * The lock state a listing shows for a segment: its state, 'unknown' when it
 * may not be read, 'untrusted' when somebody else made a set at its key,
 * null when it has none.
 */
export function lockOf(seg: SegmentRecord, locks: Map<number, LockInfo>): LockState['state'] | 'unknown' | 'untrusted' | null {
  const info = locks.get(lockKeyFor(seg.id));
  if (!info) return null;
  if (!trustedMaker(info.cuid, seg)) return 'untrusted';
  return info.state?.state ?? 'unknown';
}

/**
 * Remove the lock of this segment, if it has one and it is ours and trusted.
 * 'removed', 'none', or the reason it could not be (the caller warns: the
 * segment itself is gone either way).
 */
export function removeLockFor(seg: Owners & { id: number }): { removed: boolean; problem: string | null } {
  const key = lockKeyFor(seg.id);
  let semid: number;
  try {
    semid = libc.semget(key, 0, 0);
    const set = libc.semctlStat(semid);
    if (!trustedMaker(set.cuid, seg) || !isOurs(semid, set.nsems)) return { removed: false, problem: null };
    libc.semctl(semid, 0, libc.IPC_RMID);
    return { removed: true, problem: null };
  } catch (e) {
    if (e instanceof ShmError && (e.errno === Errno.ENOENT || isGone(e))) return { removed: false, problem: null };
    if (e instanceof ShmError) {
      return { removed: false, problem: `its lock (semaphore key ${formatKey(key)}) was left: ${e.reason} (${e.code})` };
    }
    throw e;
  }
}
