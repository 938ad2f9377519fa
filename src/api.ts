/**
 * The typed API: one object for a System V segment or a POSIX object, named
 * any way the CLI names it, with what the CLI does to it. The CLI's commands
 * are built on this class, so there is one implementation of each verb.
 *
 *   const shm = Shm.create({ key: 0x1234, size: 4096 });
 *   const m = shm.attach();          // m.buffer is the memory itself
 *   m.buffer.write('hello');
 *   m.detach();                      // later use of m throws
 *   const held = await shm.lock();   // exclusive; { shared: true } for readers
 *   held.release();
 *   shm.remove();
 */
import { Errno, LockTimeout, ShmError, UsageError } from './model/errors.js';
import { IPC_PRIVATE } from './kernel/sysv.js';
import { lockFollowsSegment, removeLockFor } from './sysv/lock-set.js';
import { SegmentLock, type LockMode } from './sysv/lock.js';
import { writeBuffer } from './transfer.js';
import type { Mapping } from './mapping.js';
import { checkPosixName } from './posix/name.js';
import { createPosix, listPosix, removePosix, setPosix, statPosix } from './posix/object.js';
import { type PosixRecord } from './model/record.js';
import { lockKeyOf } from './model/record.js';
import { PosixLock, readPosixLocks } from './posix/lock.js';
import { PosixObject } from './posix/descriptor.js';
import { readProcShm } from './kernel/procfs.js';
import type { SegmentRecord, ShmRecord } from './model/record.js';
import { checkRegionRange, type Region } from './region.js';
import { Attachment } from './sysv/attachment.js';
import { createRandomKeySegment, createSegment, describeId, keyFromPath, lockSegment, openKey, removeSegment, setSegment, statSegment } from './sysv/segment.js';

/** What names an existing segment or object: exactly one of these. */
export type ShmTarget = { id: number } | { key: number } | { ftok: string; proj?: number } | { name: string };

export interface ShmCreateOptions {
  /** A System V key (unsigned 32-bit, not 0), or 'random' for an unused one. */
  key?: number | 'random';
  /** A System V segment with no key (IPC_PRIVATE). */
  private?: boolean;
  /** The key ftok(3) makes from this existing path and `proj` (default 1). */
  ftok?: string;
  proj?: number;
  /** A POSIX object, "/name". */
  name?: string;
  /** Bytes. */
  size: number;
  /** Permission bits; default 0600. */
  mode?: number;
  /** Fail (EEXIST) if it exists, instead of opening it. */
  exclusive?: boolean;
  /** System V only: SHM_HUGETLB, SHM_NORESERVE. */
  flags?: number;
}

/** A lock held: release() once (later calls do nothing). */
export interface LockHandle {
  readonly mode: LockMode;
  /**
   * The descriptor that holds a POSIX object's flock (null for a segment's
   * semaphore lock): a command that inherits it keeps the lock while it runs.
   */
  readonly fd: number | null;
  release(): void;
}

export interface LockOptions {
  /** A shared (reader) lock instead of an exclusive one. */
  shared?: boolean;
  /** Give up after this long (LockTimeout); default: wait for ever. */
  timeoutMs?: number | null;
}

export class Shm {
  /** The segment's id (System V), or null. */
  readonly id: number | null;
  /** The object's name, "/name" (POSIX), or null. */
  readonly name: string | null;
  /** Whether create() made it (false when it existed already, or for open()). */
  readonly created: boolean;

  private constructor(id: number | null, name: string | null, created = false) {
    this.id = id;
    this.name = name;
    this.created = created;
  }

  get kind(): 'sysv' | 'posix' {
    return this.name === null ? 'sysv' : 'posix';
  }

  /** How messages name it: "id 5" or "/name". */
  get subject(): string {
    return this.name ?? describeId(this.id!);
  }

  /** An existing segment (by id, key or ftok) or POSIX object (by name). Keys are looked up now. */
  static open(target: ShmTarget): Shm {
    if ('name' in target) return new Shm(null, checkPosixName(target.name));
    if ('id' in target) {
      if (!Number.isInteger(target.id) || target.id < 0) throw new UsageError(`invalid id ${target.id}`);
      return new Shm(target.id, null);
    }
    if ('key' in target) return new Shm(openKey(target.key), null);
    return new Shm(openKey(keyFromPath(target.ftok, target.proj ?? 1)), null);
  }

  /** Create a segment or object, or (without `exclusive`) open the existing one as it is. */
  static create(opts: ShmCreateOptions): Shm {
    const ways = [opts.key !== undefined, opts.private === true, opts.ftok !== undefined, opts.name !== undefined];
    if (ways.filter(Boolean).length !== 1) throw new UsageError('give exactly one of key, private, ftok, name');
    if (opts.name !== undefined) {
      if (opts.flags) throw new UsageError('flags (SHM_HUGETLB, SHM_NORESERVE) are for System V segments');
      const name = checkPosixName(opts.name);
      const r = createPosix({ name, size: opts.size, mode: opts.mode ?? 0o600, exclusive: opts.exclusive ?? false });
      return new Shm(null, name, r.created);
    }
    const base = { size: opts.size, mode: opts.mode ?? 0o600, flags: opts.flags ?? 0 };
    if (opts.key === 'random') return new Shm(createRandomKeySegment(base).id, null, true);
    const key = opts.private ? IPC_PRIVATE : opts.key !== undefined ? opts.key : keyFromPath(opts.ftok!, opts.proj ?? 1);
    const r = createSegment({ ...base, key, exclusive: opts.exclusive ?? false });
    return new Shm(r.id, null, r.created);
  }

  /**
   * Every field (IPC_STAT, or lstat for an object). `usage` adds what only
   * /proc knows: rss and swap of a segment, the processes mapping an object.
   */
  stat(opts: { usage?: boolean } = {}): ShmRecord {
    return this.name !== null ? statPosix(this.name, { usage: opts.usage ?? true }) : statSegment(this.id!, { usage: opts.usage ?? true });
  }

  /**
   * Attach the segment, or map the object, as a Mapping: `.buffer`/`.view()`
   * are the memory itself (no copy), bounds-checked; `detach()` once, after
   * which every method throws. A mapped POSIX object that another process
   * shrinks raises SIGBUS when touched past its new end: use read()/write()
   * where that may happen.
   */
  attach(opts: { readonly?: boolean } = {}): Mapping {
    const readonly = opts.readonly ?? false;
    if (this.name === null) return Attachment.attach(this.id!, { readonly });
    const obj = PosixObject.open(this.name, { write: !readonly });
    try {
      return obj.map({ readonly });
    } finally {
      obj.close();
    }
  }

  /**
   * The memory for copying: the attached segment, or the object's descriptor
   * (pread/pwrite, safe against truncation). Close it after use.
   */
  region(opts: { write?: boolean } = {}): Region {
    const write = opts.write ?? false;
    return this.name !== null ? PosixObject.open(this.name, { write }) : Attachment.attach(this.id!, { readonly: !write });
  }

  /**
   * Refuse a range outside it before anything is attached or opened (a
   * refusal leaves no attach time, no lpid): the size comes from IPC_STAT or
   * stat(2), which change nothing. Where they are refused, the region's own
   * check does the job after opening.
   */
  checkRange(offset: number, length: number | null): void {
    let size: number;
    try {
      size = this.stat({ usage: false }).size;
    } catch (e) {
      if (e instanceof ShmError && e.errno === Errno.EACCES) return;
      throw e;
    }
    checkRegionRange(this.subject, size, offset, length ?? Math.max(0, size - offset), this.kind === 'posix' ? 'object' : 'segment');
  }

  /** A copy of [offset, offset + length) (default: to the end). */
  read(offset = 0, length?: number): Buffer {
    this.checkRange(offset, length ?? null);
    const region = this.region();
    try {
      const n = length ?? Math.max(0, region.size - offset);
      region.checkRange(offset, n);
      const out = Buffer.allocUnsafe(n);
      region.readWindows(offset, n, 1 << 30, (data, at) => void data.copy(out, at - offset));
      return out;
    } finally {
      region.close();
    }
  }

  /** Write `data` at `offset`; refused before anything is written if it does not fit. */
  write(offset: number, data: Buffer | string): number {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    this.checkRange(offset, bytes.length);
    const region = this.region({ write: true });
    try {
      return writeBuffer(region, offset, bytes);
    } finally {
      region.close();
    }
  }

  /**
   * Take the lock (a semaphore set keyed like the segment; flock on an
   * object). Dies with its holder. Throws LockTimeout when `timeoutMs` runs out.
   */
  async lock(opts: LockOptions & { timeoutLabelMs?: number | null } = {}): Promise<LockHandle> {
    const mode: LockMode = opts.shared ? 'shared' : 'exclusive';
    const timeout = opts.timeoutMs ?? null;
    const label = `${((opts.timeoutLabelMs ?? timeout) ?? 0) / 1000} s`;
    if (this.name !== null) {
      const lock = await PosixLock.acquire(this.name, mode, timeout);
      if (lock) return lock;
      const s = readPosixLocks().get(lockKeyOf(statPosix(this.name)));
      const held = s ? ` (held ${s.state}${s.holders > 1 ? ` by ${s.holders}` : ''})` : '';
      throw new LockTimeout(this.name, `timed out after ${label} waiting for the ${mode} lock${held}`);
    }
    const lock = await SegmentLock.open(this.id!);
    if (!(await lock.acquire(mode, timeout))) {
      const s = lock.state();
      throw new LockTimeout(
        this.subject,
        `timed out after ${label} waiting for the ${mode} lock (held ${s.state}${s.holders > 1 ? ` by ${s.holders}` : ''})`,
      );
    }
    return { mode, fd: null, release: () => lock.release() };
  }

  /**
   * Remove it: IPC_RMID (with its shmctl-ts lock), or shm_unlink. Memory in
   * use stays until its last user lets go; `inUse` says how many there were.
   * `warning` says why the segment's lock set was left, if it was.
   */
  remove(): { inUse: number; warning: string | null } {
    if (this.name !== null) return { inUse: removePosix(this.name).mappedBy, warning: null };
    const { stillAttached, before } = removeSegment(this.id!);
    // The segment is gone: a lock set we may not remove is worth a word, not a failure.
    const lock = before ? removeLockFor(before) : { problem: null };
    return { inUse: stillAttached, warning: lock.problem };
  }

  /** Change permission bits and owner (IPC_SET; fchmod/fchown). */
  set(change: { mode?: number; uid?: number; gid?: number }): void {
    if (this.name !== null) return setPosix(this.name, change);
    setSegment(this.id!, change);
    let now: SegmentRecord;
    try {
      now = statSegment(this.id!, { usage: false });
    } catch (e) {
      if (e instanceof ShmError) return; // given away to where we may not look: its new owner's lock follows at its next use
      throw e;
    }
    lockFollowsSegment(now);
  }

  /** SHM_LOCK / SHM_UNLOCK (System V only). */
  lockMemory(lock: boolean): void {
    if (this.name !== null) throw new UsageError('locking pages in memory (SHM_LOCK) is for System V segments');
    lockSegment(this.id!, lock);
  }
}

/** Segments (default), POSIX objects, or both: the records every view renders. */
export function list(opts: { kind?: 'sysv' | 'posix' | 'all'; usage?: boolean } = {}): ShmRecord[] {
  const kind = opts.kind ?? 'sysv';
  const sysv: SegmentRecord[] = kind === 'posix' ? [] : readProcShm();
  const posix: PosixRecord[] = kind === 'sysv' ? [] : listPosix({ usage: opts.usage ?? true });
  return [...sysv, ...posix];
}

/** Is this a "no such segment/object" failure? */
export function isMissing(e: unknown): boolean {
  return e instanceof ShmError && (e.errno === Errno.ENOENT || e.errno === Errno.EINVAL || e.errno === Errno.EIDRM);
}
