/** A System V segment as a SharedMemory: its id, its attachment, its semaphore lock, SHM_LOCK and the hand-off. */
import { LockTimeout, ShmError } from '../model/errors.js';
import { heldText, type LockMode } from '../model/lock-state.js';
import type { SegmentRecord } from '../model/record.js';
import type { HandOff, LockHandle, SetChange, SharedMemory } from '../memory/shared-memory.js';
import type { Fence, Fenced } from '../memory/fence.js';
import { Attachment } from './attachment.js';
import { fenceSegment } from './fence.js';
import { SegmentLock } from './lock.js';
import { lockFollowsSegment, removeLockFor } from './lock-set.js';
import { describeId, lockSegment, removeSegment, setSegment, statSegment } from './segment.js';

export class SysvShm implements SharedMemory {
  readonly kind = 'sysv';
  readonly name = null;
  readonly noun = 'segment';
  readonly canLockMemory = true;
  readonly canHandOff = true;

  constructor(readonly id: number) {}

  get subject(): string {
    return describeId(this.id);
  }

  get env(): Record<string, string> {
    return { SHMCTL_TS_SHMID: String(this.id) };
  }

  stat(opts: { usage: boolean }): SegmentRecord {
    return statSegment(this.id, opts);
  }

  attach(opts: { readonly: boolean }): Attachment {
    return Attachment.attach(this.id, opts);
  }

  region(opts: { write: boolean }): Attachment {
    return Attachment.attach(this.id, { readonly: !opts.write });
  }

  async lock(mode: LockMode, timeoutMs: number | null, labelMs: number | null): Promise<LockHandle> {
    const lock = await SegmentLock.open(this.id);
    if (!(await lock.acquire(mode, timeoutMs))) {
      throw new LockTimeout(
        this.subject,
        `timed out after ${(labelMs ?? 0) / 1000} s waiting for the ${mode} lock (${heldText(lock.state())})`,
      );
    }
    return {
      mode,
      fd: null,
      release: () => lock.release(),
      [Symbol.asyncDispose]: async () => lock.release(),
    };
  }

  remove(): { inUse: number; warning: string | null } {
    const { stillAttached, before } = removeSegment(this.id);
    // The segment is gone: a lock set we may not remove is worth a word, not a failure.
    const lock = before ? removeLockFor(before) : { problem: null };
    return { inUse: stillAttached, warning: lock.problem };
  }

  fence(listed: SegmentRecord): Fence {
    return fenceSegment(listed);
  }

  /** Unchanged: the same key, ctime and creator under its id, and not attached since. */
  async fenceIfUnchanged(listed: SegmentRecord): Promise<Fenced | string> {
    // IPC_STAT (one segment, O(1)); without read permission its /proc row (statSegment's own fallback)
    const now = this.stat({ usage: false });
    if (now.key !== listed.key || now.ctime !== listed.ctime || now.cuid !== listed.cuid) return 'its id now names another segment';
    if (now.nattch > 0) return `attached since it was listed (nattch ${now.nattch})`;
    return { fence: this.fence(now), release: () => undefined, fd: null };
  }

  /**
   * Its row in /proc/sysvipc/shm, as ls lists it (every segment is there, whatever its permissions, rss and swap
   * included); IPC_STAT where /proc has no row.
   */
  listed(): SegmentRecord {
    return this.stat({ usage: true });
  }

  set(change: SetChange): void {
    setSegment(this.id, change);
    let now: SegmentRecord;
    try {
      now = statSegment(this.id, { usage: false });
    } catch (e) {
      if (e instanceof ShmError) return; // given away to where we may not look: its new owner's lock follows at its next use
      throw e;
    }
    lockFollowsSegment(now);
  }

  lockMemory(lock: boolean): void {
    lockSegment(this.id, lock);
  }

  handOff(): Promise<HandOff> {
    return SegmentLock.open(this.id);
  }
}
