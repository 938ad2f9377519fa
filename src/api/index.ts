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
 *
 * Shm is the same for both kinds; what differs lives in the two
 * implementations of SharedMemory (sysv/shm.ts, posix/shm.ts).
 */
import { Errno, hasErrno, isMissingErrno, ShmError, UsageError } from '../model/errors.js';
import { DEFAULT_MODE } from '../model/parse.js';
import type { LockMode } from '../model/lock-state.js';
import { IPC_PRIVATE } from '../kernel/sysv.js';
import type { Mapping } from '../memory/mapping.js';
import { checkPosixName } from '../posix/name.js';
import { createPosix } from '../posix/object.js';
import { PosixShm } from '../posix/shm.js';
import { checkRegionRange, type Region } from '../memory/region.js';
import type {
  HandOff,
  LockHandle,
  LockOptions,
  PosixCreateOptions,
  RecordOf,
  SetChange,
  SharedMemory,
  ShmCreateOptions,
  ShmKind,
  ShmTarget,
  SysvCreateOptions,
  SysvTarget,
} from '../memory/shared-memory.js';
import { createRandomKeySegment, createSegment, keyFromPath, openKey } from '../sysv/segment.js';
import { SysvShm } from '../sysv/shm.js';
import { writeBuffer } from '../memory/transfer.js';

export type {
  HandOff,
  LockHandle,
  LockOptions,
  PosixCreateOptions,
  RecordOf,
  SetChange,
  ShmCreateOptions,
  ShmKind,
  ShmTarget,
  SysvCreateOptions,
  SysvTarget,
};
export type { Mapping, Region };
// What names need, and the namespace's limits: for callers (the CLI among them) that only know this module.
export { checkPosixName, isPosixName } from '../posix/name.js';
export { describeKey, keyFromPath } from '../sysv/segment.js';
export { IPC_PRIVATE, SHM_HUGETLB, SHM_NORESERVE } from '../kernel/sysv.js';
export { pageSize } from '../kernel/ffi.js';
export { readShmLimits, readShmUsage } from '../diagnose/limits.js';
export { utcOffset } from '../kernel/zone.js';
export { list, lockDetail, lockStates } from '../ops/list.js';
export { kindsOf } from '../ops/kinds.js';
export { describeHolders, indexHolders, indexHoldersOfAll, noteMappersFrom, type HolderIndex } from '../ops/holders.js';
export { findHeld, openHeld, type HeldTarget } from '../ops/held.js';
export { shmemUsage } from '../diagnose/shmem-usage.js';
export { isEmptySelection, select, selectionNeedsHolders, type Selection } from '../ops/select.js';
export { planCleanup, removeAllListed, removeListed, type CleanupPlan, type Kept, type Removal } from '../ops/cleanup.js';
export { JobWatch, POLL_MS } from '../ops/reap.js';
export { isolate, userNamespaceCommand } from '../ops/isolate.js';
export { enteredMountNamespace, enterNamespace, inEachNamespace, ipcNamespaces, type NamespaceSpec } from '../ops/namespaces.js';

export { DEFAULT_MODE };

/**
 * A segment or an object. `Shm.create`/`Shm.open` give a `Shm<'sysv'>` or a
 * `Shm<'posix'>` where the arguments say which (then `stat()` is a
 * SegmentRecord or a PosixRecord); `isSysv()`/`isPosix()` narrow a `Shm`
 * whose kind is known only at run time.
 */
export class Shm<K extends ShmKind = ShmKind> {
  /** Whether create() made it (false when it existed already, or for open()). */
  readonly created: boolean;
  readonly #impl: SharedMemory;

  private constructor(impl: SharedMemory, created = false) {
    this.#impl = impl;
    this.created = created;
  }

  get kind(): K {
    return this.#impl.kind as K;
  }

  /** A System V segment? (narrows the type) */
  isSysv(): this is Shm<'sysv'> {
    return this.#impl.kind === 'sysv';
  }

  /** A POSIX object? (narrows the type) */
  isPosix(): this is Shm<'posix'> {
    return this.#impl.kind === 'posix';
  }

  /** The segment's id (System V), or null. */
  get id(): [K] extends ['sysv'] ? number : [K] extends ['posix'] ? null : number | null {
    return this.#impl.id as never;
  }

  /** The object's name, "/name" (POSIX), or null. */
  get name(): [K] extends ['posix'] ? string : [K] extends ['sysv'] ? null : string | null {
    return this.#impl.name as never;
  }

  /** How messages name it: "id 5" or "/name". */
  get subject(): string {
    return this.#impl.subject;
  }

  /** What it is, in messages: "segment" or "object". */
  get noun(): string {
    return this.#impl.noun;
  }

  /** What a command run with it learns of it: SHMCTL_TS_SHMID or SHMCTL_TS_NAME. */
  get env(): Record<string, string> {
    return this.#impl.env;
  }

  /** Whether its pages can be locked in memory (System V's SHM_LOCK). */
  get canLockMemory(): boolean {
    return this.#impl.canLockMemory;
  }

  /** Whether it has the hand-off (System V semaphores). */
  get canHandOff(): boolean {
    return this.#impl.canHandOff;
  }

  /** An existing segment (by id, key or ftok) or POSIX object (by name). Keys are looked up now. */
  static open(target: { name: string }): Shm<'posix'>;
  static open(target: SysvTarget): Shm<'sysv'>;
  static open(target: ShmTarget): Shm;
  static open(target: ShmTarget): Shm {
    if ('name' in target) return new Shm(new PosixShm(checkPosixName(target.name)));
    if ('id' in target) {
      if (!Number.isInteger(target.id) || target.id < 0) throw new UsageError(`invalid id ${target.id}`);
      return new Shm(new SysvShm(target.id));
    }
    if ('key' in target) return new Shm(new SysvShm(openKey(target.key)));
    return new Shm(new SysvShm(openKey(keyFromPath(target.ftok, target.proj ?? 1))));
  }

  /** Create a segment or object, or (without `exclusive`) open the existing one as it is. */
  static create(opts: PosixCreateOptions): Shm<'posix'>;
  static create(opts: SysvCreateOptions): Shm<'sysv'>;
  static create(opts: ShmCreateOptions): Shm;
  static create(opts: ShmCreateOptions): Shm {
    const ways = [opts.key !== undefined, opts.private === true, opts.ftok !== undefined, opts.name !== undefined];
    if (ways.filter(Boolean).length !== 1) throw new UsageError('give exactly one of key, private, ftok, name');
    const mode = opts.mode ?? DEFAULT_MODE;
    if (opts.name !== undefined) {
      if (opts.flags) throw new UsageError('flags (SHM_HUGETLB, SHM_NORESERVE) are for System V segments');
      const name = checkPosixName(opts.name);
      const r = createPosix({ name, size: opts.size, mode, exclusive: opts.exclusive ?? false });
      return new Shm(new PosixShm(name), r.created);
    }
    const base = { size: opts.size, mode, flags: opts.flags ?? 0 };
    if (opts.key === 'random') return new Shm(new SysvShm(createRandomKeySegment(base).id), true);
    const key = opts.private ? IPC_PRIVATE : opts.key !== undefined ? opts.key : keyFromPath(opts.ftok!, opts.proj ?? 1);
    const r = createSegment({ ...base, key, exclusive: opts.exclusive ?? false });
    return new Shm(new SysvShm(r.id), r.created);
  }

  /**
   * Every field (IPC_STAT, or lstat for an object). `usage` adds what only
   * /proc knows: rss and swap of a segment, the processes mapping an object.
   */
  stat(opts: { usage?: boolean } = {}): RecordOf<K> {
    return this.#impl.stat({ usage: opts.usage ?? true }) as RecordOf<K>;
  }

  /** Its record as ls lists it: stat(), or for a segment this user may not read (IPC_STAT), its line in /proc/sysvipc/shm. */
  listed(): RecordOf<K> {
    return this.#impl.listed() as RecordOf<K>;
  }

  /**
   * Attach the segment, or map the object, as a Mapping: `.buffer`/`.view()`
   * are the memory itself (no copy), bounds-checked; `detach()` once, after
   * which every method throws. A mapped POSIX object that another process
   * shrinks raises SIGBUS when touched past its new end: use read()/write()
   * where that may happen.
   */
  attach(opts: { readonly?: boolean } = {}): Mapping {
    return this.#impl.attach({ readonly: opts.readonly ?? false });
  }

  /**
   * The memory for copying: the attached segment, or the object's descriptor
   * (pread/pwrite, safe against truncation). Close it after use.
   */
  region(opts: { write?: boolean } = {}): Region {
    return this.#impl.region({ write: opts.write ?? false });
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
      if (hasErrno(e, Errno.EACCES)) return;
      throw e;
    }
    checkRegionRange(this.subject, size, offset, length ?? Math.max(0, size - offset), this.noun);
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
   * Take the lock (a segment's semaphore set, an object's flock). Dies with
   * its holder. Throws LockTimeout when `timeoutMs` runs out.
   */
  lock(opts: LockOptions = {}): Promise<LockHandle> {
    const mode: LockMode = opts.shared ? 'shared' : 'exclusive';
    const timeout = opts.timeoutMs ?? null;
    return this.#impl.lock(mode, timeout, opts.timeoutLabelMs ?? timeout);
  }

  /** The hand-off (write --post / read --wait); System V segments only. */
  handOff(): Promise<HandOff> {
    return this.#impl.handOff();
  }

  /**
   * Remove it: IPC_RMID (with its shmctl-ts lock), or shm_unlink. Memory in
   * use stays until its last user lets go; `inUse` says how many there were.
   * `warning` says why the segment's lock set was left, if it was.
   */
  remove(): { inUse: number; warning: string | null } {
    return this.#impl.remove();
  }

  /** Change permission bits and owner (IPC_SET; fchmod/fchown). */
  set(change: SetChange): void {
    this.#impl.set(change);
  }

  /** SHM_LOCK / SHM_UNLOCK (System V only). */
  lockMemory(lock: boolean): void {
    this.#impl.lockMemory(lock);
  }
}

/** Is this a "no such segment/object" failure? */
export function isMissing(e: unknown): boolean {
  return e instanceof ShmError && isMissingErrno(e.errno);
}
export { changesBetween, identityOf, indexRecords, looker, type WatchEvent } from '../ops/changes.js';
export { collectMetrics, finishMetrics, gatherMetrics, newMetrics } from '../diagnose/metrics.js';
export { readEnvironment } from '../diagnose/environment.js';
export { checkRequest, firstBlocker, standingProblems, type Finding, type ShmRequest } from '../diagnose/check.js';
export { decodeKey, searchKey, type DecodedKey, type KeySearch } from '../ops/ftok.js';
export { auditNamespace, finishAudits, gatherAudit, type AuditReport } from '../diagnose/audit.js';
export { enteredNamespace } from '../ops/namespaces.js';
