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
import { Errno, OperationError, ShmError } from '../model/errors.js';
import type { LockMode, LockState } from '../model/lock-state.js';
import { isDest } from '../model/record.js';
import * as libc from '../kernel/sysv.js';
import { EMPTY, FULL, isGone, lockKeyFor, openSet, RW, SLOTS, stateOf, type Owners } from './lock-set.js';
import { describeId, statSegment } from './segment.js';

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
    if (this.#held) throw new OperationError(describeId(this.segmentId), 'its lock is already held by this process');
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
