/** A POSIX object as a SharedMemory: its name, its descriptor and mapping, flock. */
import { LockTimeout, OperationError, UsageError } from '../model/errors.js';
import { heldText, type LockMode } from '../model/lock-state.js';
import { objectKey, type PosixRecord } from '../model/record.js';
import type { HandOff, LockHandle, SetChange, SharedMemory } from '../memory/shared-memory.js';
import type { Fence, Fenced } from '../memory/fence.js';
import { PosixObject } from './descriptor.js';
import { fenceObject } from './fence.js';
import { PosixLock, readPosixLocks } from './lock.js';
import type { PosixMapping } from './mapping.js';
import { removePosix, setPosix, statPosix } from './object.js';

export class PosixShm implements SharedMemory {
  readonly kind = 'posix';
  readonly id = null;
  readonly noun = 'object';
  readonly canLockMemory = false;
  readonly canHandOff = false;

  /** `name` checked already (checkPosixName), in its escaped form. */
  constructor(readonly name: string) {}

  get subject(): string {
    return this.name;
  }

  get env(): Record<string, string> {
    return { SHMCTL_TS_NAME: this.name };
  }

  stat(opts: { usage: boolean }): PosixRecord {
    return statPosix(this.name, opts);
  }

  /** Mapped (MAP_SHARED): touching it past an end another process shrank raises SIGBUS. */
  attach(opts: { readonly: boolean }): PosixMapping {
    const obj = PosixObject.open(this.name, { write: !opts.readonly });
    try {
      return obj.map(opts);
    } finally {
      obj.close();
    }
  }

  /** The descriptor (pread/pwrite), safe against truncation. */
  region(opts: { write: boolean }): PosixObject {
    return PosixObject.open(this.name, opts);
  }

  async lock(mode: LockMode, timeoutMs: number | null, labelMs: number | null): Promise<LockHandle> {
    const lock = await PosixLock.acquire(this.name, mode, timeoutMs);
    if (lock) return lock;
    const s = readPosixLocks().get(objectKey(statPosix(this.name)));
    throw new LockTimeout(
      this.name,
      `timed out after ${(labelMs ?? 0) / 1000} s waiting for the ${mode} lock${s ? ` (${heldText(s)})` : ''}`,
    );
  }

  remove(): { inUse: number; warning: string | null } {
    return { inUse: removePosix(this.name).mappedBy, warning: null };
  }

  fence(listed: PosixRecord): Fence {
    return fenceObject(listed);
  }

  /** Unchanged: the same device and inode, and its lock free (taken now, without waiting, and kept while fenced). */
  async fenceIfUnchanged(listed: PosixRecord): Promise<Fenced | string> {
    const now = this.stat({ usage: false });
    if (now.dev !== listed.dev || now.ino !== listed.ino) return 'replaced by another object since it was listed';
    let held: LockHandle;
    try {
      held = await this.lock('exclusive', 0, 0);
    } catch (e) {
      if (e instanceof LockTimeout) return 'its lock was taken since it was listed';
      throw e;
    }
    try {
      return { fence: this.fence(listed), release: () => held.release(), fd: held.fd };
    } catch (e) {
      held.release();
      if (e instanceof OperationError) return e.reason;
      throw e;
    }
  }

  listed(): PosixRecord {
    return this.stat({ usage: false });
  }

  set(change: SetChange): void {
    setPosix(this.name, change);
  }

  lockMemory(): void {
    throw new UsageError('locking pages in memory (SHM_LOCK) is for System V segments');
  }

  handOff(): Promise<HandOff> {
    throw new UsageError('the hand-off needs System V semaphores: it is for System V segments');
  }
}
