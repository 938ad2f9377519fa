/** The lock of a POSIX object: flock(2), and the states /proc/locks shows. */
import { closeSync, fstatSync } from 'node:fs';
import { ShmError } from '../model/errors.js';
import type { LockState } from '../model/lock-state.js';
import * as libc from '../kernel/posix.js';
import { readFileLocks } from '../kernel/procfs.js';
import { hiddenProcesses } from '../kernel/processes.js';
import { objectKey, type PosixRecord } from '../model/record.js';
import { checkPosixName } from './name.js';
import { openExisting } from './open.js';

/**
 * Locks on POSIX objects, from /proc/locks (flock, fcntl and OFD locks alike),
 * by "device inode" (lockKeyOf). An object with no entry is free.
 */
export function readPosixLocks(): Map<string, LockState> {
  return readFileLocks();
}

/**
 * An object's flock as a non-blocking try on a fresh descriptor shows it:
 * for when /proc/locks may be blind (it leaves out locks whose holders are not
 * in this /proc's PID namespace). Shared first, which conflicts with no one
 * else's shared lock; then exclusive. null when it cannot be opened, or the
 * name now is another file than `r`. Holders counted as 1: at least one.
 */
function probeLock(r: { name: string; dev: number; ino: number }): LockState | null {
  let fd: number;
  try {
    fd = openExisting(r.name, false);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (st.dev !== r.dev || st.ino !== r.ino) return null;
    if (!libc.flock(fd, libc.LOCK_SH | libc.LOCK_NB)) return { state: 'exclusive', holders: 1, waiters: 0 };
    const shared = !libc.flock(fd, libc.LOCK_EX | libc.LOCK_NB);
    return shared ? { state: 'shared', holders: 1, waiters: 0 } : { state: 'free', holders: 0, waiters: 0 };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Objects' locks, /proc/locks read once: an object's entry there, or — with
 * none — 'free' when every process is seen, else (/proc/locks leaves out the
 * locks of processes not seen; hidepid hides none of its lines, but is
 * counted too) what a non-blocking try shows; null when that cannot be made.
 */
export function objectLocks(): (r: PosixRecord) => LockState | null {
  const locks = readPosixLocks();
  const blind = hiddenProcesses() !== null;
  return (r) => locks.get(objectKey(r)) ?? (blind ? probeLock(r) : { state: 'free', holders: 0, waiters: 0 });
}

/**
 * flock(2) on the object's own descriptor: dies with its holder (the kernel
 * drops it when the descriptor closes, whatever killed the process).
 */
export class PosixLock {
  #fd: number;
  readonly name: string;
  readonly mode: 'exclusive' | 'shared';

  private constructor(name: string, fd: number, mode: 'exclusive' | 'shared') {
    this.name = name;
    this.#fd = fd;
    this.mode = mode;
  }

  /** Wait up to `timeoutMs` (null: for ever); null when the time ran out. */
  static async acquire(name: string, mode: 'exclusive' | 'shared', timeoutMs: number | null): Promise<PosixLock | null> {
    name = checkPosixName(name);
    const fd = openExisting(name, false);
    const op = (mode === 'exclusive' ? libc.LOCK_EX : libc.LOCK_SH) | libc.LOCK_NB;
    const started = Date.now();
    // flock has no timeout: try, then sleep a little longer each time (≤ 20 ms),
    // with the event loop free in between for signals.
    for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
      let got: boolean;
      try {
        got = libc.flock(fd, op);
      } catch (e) {
        closeSync(fd);
        throw e instanceof ShmError ? e.with(name) : e;
      }
      if (got) return new PosixLock(name, fd, mode);
      if (timeoutMs !== null && Date.now() - started >= timeoutMs) {
        closeSync(fd);
        return null;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** The descriptor the flock is on (-1 once released). */
  get fd(): number {
    return this.#fd;
  }

  /** `await using held = await shm.lock()`: released when the block ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  release(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    closeSync(fd); // closing the last descriptor drops the flock
  }
}
