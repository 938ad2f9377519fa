/**
 * "A shared memory object": the one interface the API, and through it the
 * CLI, uses for both kinds. A System V segment (sysv/shm.ts) and a POSIX
 * object (posix/shm.ts) implement it, each with its own extras (locking pages
 * in memory and the hand-off are System V's); callers ask the object, never
 * which kind it is.
 */
import type { Fenced } from './fence.js';
import type { LockMode } from '../model/lock-state.js';
import type { PosixRecord, SegmentRecord, ShmRecord } from '../model/record.js';
import type { Mapping } from './mapping.js';
import type { Region } from './region.js';

/** A lock held: release() once (later calls do nothing). */
export interface LockHandle {
  readonly mode: LockMode;
  /**
   * The descriptor that holds a POSIX object's flock (null for a segment's
   * semaphore lock): a command that inherits it keeps the lock while it runs.
   */
  readonly fd: number | null;
  release(): void;
  /** `await using held = await shm.lock()`: released when the block ends, however it ends. */
  [Symbol.asyncDispose](): Promise<void>;
}

export interface LockOptions {
  /** A shared (reader) lock instead of an exclusive one. */
  shared?: boolean;
  /** Give up after this long (LockTimeout); default: wait for ever. */
  timeoutMs?: number | null;
  /** The timeout a message names, when it differs from what is left of it. */
  timeoutLabelMs?: number | null;
}

/** The one-slot hand-off (write --post, read --wait): System V semaphores. */
export interface HandOff {
  /** Producer: wait until the slot is free (false: timed out). */
  waitEmpty(timeoutMs: number | null): Promise<boolean>;
  commitPost(): void;
  abortPost(): void;
  /** Consumer: wait for a post (false: timed out). */
  waitFull(timeoutMs: number | null): Promise<boolean>;
  commitTake(): void;
  abortTake(): void;
}

export interface SetChange {
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface SharedMemory {
  readonly kind: 'sysv' | 'posix';
  /** The segment's id, or null for an object. */
  readonly id: number | null;
  /** The object's name, "/name", or null for a segment. */
  readonly name: string | null;
  /** How messages name it: "id 5" or "/name". */
  readonly subject: string;
  /** What it is, in messages: "segment" or "object". */
  readonly noun: string;
  /** What a command run with it learns of it (SHMCTL_TS_SHMID or SHMCTL_TS_NAME). */
  readonly env: Record<string, string>;
  /** Whether its pages can be locked in memory (SHM_LOCK). */
  readonly canLockMemory: boolean;
  /** Whether it has the hand-off. */
  readonly canHandOff: boolean;

  stat(opts: { usage: boolean }): ShmRecord;
  /** Its record as a listing sees it: stat, or where this user may not stat it, what the system lists of it. */
  listed(): ShmRecord;
  attach(opts: { readonly: boolean }): Mapping;
  region(opts: { write: boolean }): Region;
  lock(mode: LockMode, timeoutMs: number | null, labelMs: number | null): Promise<LockHandle>;
  /** Remove it; how many still use it, and why its lock was left, if it was. */
  remove(): { inUse: number; warning: string | null };
  /**
   * If it is still the one `listed` describes (not replaced, not attached or
   * locked since), keep new users away from it for a last look before removal
   * (fence.ts); else why it is left.
   */
  fenceIfUnchanged(listed: ShmRecord): Promise<Fenced | string>;
  set(change: SetChange): void;
  lockMemory(lock: boolean): void;
  handOff(): Promise<HandOff>;
}

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

/** The two kinds of shared memory. */
export type ShmKind = 'sysv' | 'posix';
/** The record `stat()` gives for a kind: a segment's, an object's, or either. */
export type RecordOf<K extends ShmKind> = [K] extends ['sysv'] ? SegmentRecord : [K] extends ['posix'] ? PosixRecord : ShmRecord;
/** Names of a System V segment, existing or to be made. */
export type SysvTarget = { id: number } | { key: number } | { ftok: string; proj?: number };
/** Options that make a System V segment (a key, no key, or ftok), as opposed to a POSIX object (name). */
export type SysvCreateOptions = ShmCreateOptions &
  ({ key: number | 'random' } | { private: true } | { ftok: string }) & { name?: undefined };
/** Options that make a POSIX object. */
export type PosixCreateOptions = ShmCreateOptions & { name: string; key?: undefined; private?: undefined | false; ftok?: undefined };
