/**
 * The semaphore set behind a segment's lock: where it is (lockKeyFor), whom
 * to trust (sem_perm.cuid: root, the segment's owner or its creator), its
 * owner and access following the segment's, making it race-free, listing and
 * removing it. The rules are told in sysv/lock.ts.
 */
import { Errno, OperationError, ShmError, hasErrno, isMissingErrno } from '../model/errors.js';
import type { LockColumn, LockState } from '../model/lock-state.js';
import { formatKey, type SegmentRecord } from '../model/record.js';
import { userNameOf } from '../kernel/nss.js';
import { readProcSem } from '../kernel/procfs.js';
import * as libc from '../kernel/sysv.js';
import { describeId } from './segment.js';

export const RW = 0;
export const EMPTY = 1;
export const FULL = 2;
const MARK = 3;
const NSEMS = 4;
/** SEMVMX: the most a semaphore holds; the number of shared holders a lock allows. */
export const SLOTS = 32767;
const MAGIC = 21332;

/** What a segment's owner, group and mode say about a lock set: the parts trust and access need. */
export type Owners = Pick<SegmentRecord, 'uid' | 'gid' | 'cuid' | 'cgid' | 'mode'>;

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
function trustedMaker(cuid: number, seg: Owners): boolean {
  return cuid === 0 || cuid === seg.uid || cuid === seg.cuid;
}

/** The set's mode: read-write for the owner, and for group and others where they may read or write the segment. */
function lockModeFor(segMode: number): number {
  return 0o600 | (segMode & 0o060 ? 0o060 : 0) | (segMode & 0o006 ? 0o006 : 0);
}

export const isGone = (e: unknown): boolean => hasErrno(e, Errno.EINVAL, Errno.EIDRM);

/** Is this set (of `nsems` semaphores) one of ours? */
function isOurs(semid: number, nsems: number): boolean {
  return nsems === NSEMS && libc.semctl(semid, MARK, libc.GETVAL) === MAGIC;
}

/** "uid 65534 (nobody)" */
function whoIs(uid: number): string {
  const name = userNameOf(uid);
  return name === null ? `uid ${uid}` : `uid ${uid} (${name})`;
}

function untrusted(subject: string, semid: number, cuid: number): OperationError {
  return new OperationError(
    subject,
    `semaphore set ${semid} at its lock's key was made by ${whoIs(cuid)}, not by the segment's owner, its creator or root: ` +
      `not trusted as its lock; remove it with: ipcrm -s ${semid}`,
  );
}

export function stateOf(semid: number): LockState {
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
export async function openSet(key: number, seg: Owners & { id: number }): Promise<number> {
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
      if (hasErrno(e, Errno.ENOENT)) {
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
        if (waited >= 2000)
          throw new OperationError(
            lockSubject,
            `semaphore set ${semid} was made but never initialised (its maker died?); remove it with: ipcrm -s ${semid}`,
          );
        await new Promise((r) => setTimeout(r, 5));
        set = libc.semctlStat(semid);
      }
      if (!isOurs(semid, NSEMS)) throw notOurs();
      followSegment(semid, set, seg);
      return semid;
    } catch (e) {
      if (isGone(e)) continue;
      if (hasErrno(e, Errno.EACCES)) throw ShmError.of(e).with(lockSubject, 'permission denied');
      throw e;
    }
  }
  throw new OperationError(lockSubject, 'could not be opened (it kept disappearing)');
}

/** A shmctl-ts lock set as listings see it: who made it, and its state (null when this user may not read it). */
interface LockInfo {
  semid: number;
  cuid: number;
  state: LockState | null;
  /** A set that is not a shmctl-ts lock sits at the key: no lock can be taken while it does. */
  foreign?: boolean;
}

/**
 * Every semaphore set at a key, as a shmctl-ts lock or (`foreign`) a set that
 * is none but would stop one being taken. Its state is null when this user
 * may not read it. Whether it is trusted depends on the segment: lockOf() says.
 */
function readLockStates(): Map<number, LockInfo> {
  const locks = new Map<number, LockInfo>();
  for (const row of readProcSem()) {
    if (row.key === 0) continue;
    const foreign = { semid: row.semid, cuid: row.cuid, state: null, foreign: true };
    try {
      locks.set(row.key, isOurs(row.semid, row.nsems) ? { semid: row.semid, cuid: row.cuid, state: stateOf(row.semid) } : foreign);
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
function lockOf(seg: SegmentRecord, locks: Map<number, LockInfo>): LockColumn {
  const info = locks.get(lockKeyFor(seg.id));
  if (!info) return null;
  if (info.foreign || !trustedMaker(info.cuid, seg)) return 'untrusted';
  return info.state?.state ?? 'unknown';
}

/** Segments' locks, their sets read once: the LOCK column's word, and the state (null: none, or not to be trusted). */
export function segmentLocks(): { column: (r: SegmentRecord) => LockColumn; state: (r: SegmentRecord) => LockState | null } {
  const sets = readLockStates();
  return { column: (r) => lockOf(r, sets), state: (r) => lockStateOf(r, sets) };
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
    if (e instanceof ShmError && isMissingErrno(e.errno)) return { removed: false, problem: null };
    if (e instanceof ShmError) {
      return { removed: false, problem: `its lock (semaphore key ${formatKey(key)}) was left: ${e.reason} (${e.code})` };
    }
    throw e;
  }
}

/** The full state (holders, waiters) of a segment's trusted, readable lock; null for none. */
function lockStateOf(seg: SegmentRecord, locks: Map<number, LockInfo>): LockState | null {
  const info = locks.get(lockKeyFor(seg.id));
  return info && !info.foreign && trustedMaker(info.cuid, seg) ? info.state : null;
}
