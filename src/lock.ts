/**
 * A lock, and a one-slot hand-off, for a keyed segment, made of a System V
 * semaphore set with the segment's key (semaphore keys are a namespace of
 * their own, so any process that knows the segment finds its lock).
 *
 * The set has four semaphores:
 *   0  RW     32767 free "slots": shared takes 1, exclusive takes all 32767.
 *             Taken with SEM_UNDO, so a holder that dies (even by SIGKILL)
 *             gives its slots back.
 *   1  EMPTY  1 when the hand-off slot may be written (a post may start).
 *   2  FULL   1 when a post waits to be read.
 *   3  MARK   21332 once initialised: tells our sets from anybody else's.
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
import { formatKey } from './record.js';

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

const slice = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Is this set (of `nsems` semaphores) one of ours? */
function isOurs(semid: number, nsems: number): boolean {
  return nsems === NSEMS && libc.semctl(semid, MARK, libc.GETVAL) === MAGIC;
}

export class SegmentLock {
  #held: LockMode | null = null;

  private constructor(
    readonly semid: number,
    readonly key: number,
    readonly segmentId: number,
  ) {}

  /**
   * The lock of segment `segmentId`, made on first use with the segment's
   * permission bits (whoever may write the segment may take its lock).
   */
  static async open(segmentId: number): Promise<SegmentLock> {
    const seg = statSegment(segmentId, { usage: false });
    if (seg.key === libc.IPC_PRIVATE) {
      throw new OperationError(
        describeId(segmentId),
        'has no key (IPC_PRIVATE, or removed), so no other process could find its lock; create the segment with --key',
      );
    }
    return new SegmentLock(await openSet(seg.key, seg.mode & 0o777), seg.key, segmentId);
  }

  get held(): LockMode | null {
    return this.#held;
  }

  /** Take the lock; false when `timeoutMs` ran out first (null waits for ever). */
  async acquire(mode: LockMode, timeoutMs: number | null = null): Promise<boolean> {
    if (this.#held) throw new Error('lock already held by this process');
    const ok = await wait(this.semid, [{ num: RW, op: mode === 'exclusive' ? -SLOTS : -1, flags: libc.SEM_UNDO }], timeoutMs, this);
    if (ok) this.#held = mode;
    return ok;
  }

  release(): void {
    if (!this.#held) return;
    const mode = this.#held;
    this.#held = null;
    libc.semtimedop(this.semid, [{ num: RW, op: mode === 'exclusive' ? SLOTS : 1, flags: libc.SEM_UNDO | libc.IPC_NOWAIT }], null);
  }

  /** Producer: wait until the slot is free to write (the last post was read). */
  waitEmpty(timeoutMs: number | null = null): Promise<boolean> {
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

/** Open the set with this key, or create and initialise it; never both, never half. */
async function openSet(key: number, mode: number): Promise<number> {
  const subject = `lock of key ${formatKey(key)}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const semid = libc.semget(key, NSEMS, libc.IPC_CREAT | libc.IPC_EXCL | mode);
      libc.semctl(semid, RW, libc.SETVAL, SLOTS);
      libc.semctl(semid, EMPTY, libc.SETVAL, 1);
      // The last step is a semop: it sets sem_otime, which tells the others "ready".
      libc.semtimedop(semid, [{ num: MARK, op: MAGIC, flags: 0 }], null);
      return semid;
    } catch (e) {
      if (!(e instanceof ShmError)) throw e;
      if (e.errno !== Errno.EEXIST) throw e.with(subject, e.errno === Errno.EACCES ? 'permission denied' : e.reason);
    }
    let semid: number;
    try {
      semid = libc.semget(key, 0, 0);
    } catch (e) {
      if (e instanceof ShmError && e.errno === Errno.ENOENT) continue; // removed meanwhile: try to create it
      throw e instanceof ShmError ? e.with(subject) : e;
    }
    const notOurs = (): OperationError =>
      new OperationError(subject, `semaphore set ${semid} has this key but is not a shmctl-ts lock; left alone`);
    try {
      // A set of another size is somebody else's: no need to wait for it.
      if (libc.semctlStat(semid).nsems !== NSEMS) throw notOurs();
      for (let waited = 0; libc.semctlStat(semid).otime === 0; waited += 5) {
        if (waited >= 2000) throw new OperationError(subject, 'the semaphore set was made but never initialised (its maker died?)');
        await new Promise((r) => setTimeout(r, 5));
      }
      if (!isOurs(semid, NSEMS)) throw notOurs();
      return semid;
    } catch (e) {
      if (e instanceof ShmError && (e.errno === Errno.EINVAL || e.errno === Errno.EIDRM)) continue;
      if (e instanceof ShmError && e.errno === Errno.EACCES) throw e.with(subject, 'permission denied');
      throw e;
    }
  }
  throw new OperationError(subject, 'could not be opened (it kept disappearing)');
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
      if (e.errno === Errno.EIDRM || e.errno === Errno.EINVAL) {
        throw e.with(describeId(lock.segmentId), 'its lock was removed while waiting');
      }
      throw e.with(describeId(lock.segmentId), e.errno === Errno.EACCES ? 'permission denied for its lock' : e.reason);
    }
  }
}

interface SemRow {
  key: number;
  semid: number;
  nsems: number;
}

function readProcSem(): SemRow[] {
  let text: string;
  try {
    text = readFileSync('/proc/sysvipc/sem', 'latin1');
  } catch {
    return [];
  }
  const rows: SemRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    rows.push({ key: Number(f[0]) >>> 0, semid: Number(f[1]), nsems: Number(f[3]) });
  }
  return rows;
}

/**
 * The state of every shmctl-ts lock, by key. A lock this user may not read
 * shows as null (it exists, but its state is unknown).
 */
export function readLockStates(): Map<number, LockState | null> {
  const states = new Map<number, LockState | null>();
  for (const row of readProcSem()) {
    if (row.key === 0 || row.nsems !== NSEMS) continue;
    try {
      if (isOurs(row.semid, row.nsems)) states.set(row.key, stateOf(row.semid));
    } catch {
      states.set(row.key, null);
    }
  }
  return states;
}

/** Remove the lock of this key, if there is one and it is ours. True when one was removed. */
export function removeLockFor(key: number): boolean {
  if (key === libc.IPC_PRIVATE) return false;
  let semid: number;
  try {
    semid = libc.semget(key, 0, 0);
    if (!isOurs(semid, libc.semctlStat(semid).nsems)) return false;
    libc.semctl(semid, 0, libc.IPC_RMID);
    return true;
  } catch (e) {
    if (e instanceof ShmError && ([Errno.ENOENT, Errno.EINVAL, Errno.EIDRM] as number[]).includes(e.errno)) return false;
    throw e instanceof ShmError ? e.with(`lock of key ${formatKey(key)}`) : e;
  }
}
