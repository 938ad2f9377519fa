/**
 * The kinds' back-ends by name: the one place above them that knows which
 * kinds there are. Everything above asks through these — list one kind or
 * all, open what a record names, read a kind's locks — and never branches on
 * a kind; what differs between records is the model's (model/kinds.ts).
 */
import { readProcShm } from '../kernel/proc-shm.js';
import { scanHeldFiles, type HeldScan } from '../kernel/shmem-files.js';
import { OperationError } from '../model/errors.js';
import type { LockColumn, LockState } from '../model/lock-state.js';
import {
  HELD_KINDS,
  type HeldKind,
  type KindChoice,
  type KindName,
  type HeldRecord,
  type PosixRecord,
  type SegmentRecord,
  type ShmRecord,
} from '../model/record.js';
import type { SharedMemory } from '../memory/shared-memory.js';
import { objectLocks } from '../posix/lock.js';
import { listPosix } from '../posix/object.js';
import { PosixShm } from '../posix/shm.js';
import { segmentLocks } from '../sysv/lock-set.js';
import { SysvShm } from '../sysv/shm.js';

/** A kind's locks, its table read once: the LOCK column's word, and the state (holders, waiters). */
interface Locks<R extends ShmRecord> {
  column(r: R): LockColumn;
  state(r: R): LockState | null;
}

/** What one listing has found so far, shared by its kinds (one pass over /proc serves every held kind). */
interface Listing {
  /** The held kinds the listing asks for, and their scan once made. */
  held: Set<HeldKind>;
  scan?: HeldScan;
}

interface Backend<R extends ShmRecord | HeldRecord> {
  /**
   * Everything of the kind in this IPC namespace (and its /dev/shm), or, for
   * the held kinds, held by the processes seen; `usage`: the memory each
   * holds; `sorted`: by name.
   */
  list(usage: boolean, sorted: boolean, listing: Listing): R[];
  /** What a record names, to act on. */
  open(r: R): SharedMemory;
  locks(): Locks<R>;
}

/** The processes the scan that found a held record could not read (any of them may hold it too). */
const scannedWith = new WeakMap<HeldRecord, number[]>();
export const heldScanUnreadable = (r: HeldRecord): number[] => scannedWith.get(r) ?? [];

/** A held kind: what the listing's one scan found of it, by name then inode (or as found). */
function heldBackend<K extends HeldKind>(kind: K): Backend<HeldRecord<K>> {
  return {
    list: (_usage, sorted, listing) => {
      listing.scan ??= scanHeldFiles(listing.held);
      const records = listing.scan.records.filter((r): r is HeldRecord<K> => r.kind === kind);
      for (const r of records) {
        r.unreadable = listing.scan.unreadable.length;
        scannedWith.set(r, listing.scan.unreadable);
      }
      return sorted ? records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.ino - b.ino)) : records;
    },
    open: (r) => {
      throw new OperationError(`${r.name} (inode ${r.ino})`, 'has no name to open: read it with its PID:FD or inode:N');
    },
    locks: () => ({ state: () => null, column: () => null }),
  };
}

const BACKENDS: {
  sysv: Backend<SegmentRecord>;
  posix: Backend<PosixRecord>;
  memfd: Backend<HeldRecord<'memfd'>>;
  deleted: Backend<HeldRecord<'deleted'>>;
  anon: Backend<HeldRecord<'anon'>>;
} = {
  sysv: { list: () => readProcShm(), open: (r) => new SysvShm(r.id), locks: segmentLocks },
  posix: {
    list: (usage, sorted) => listPosix({ usage, sorted }),
    open: (r) => new PosixShm(r.name),
    locks: () => {
      const state = objectLocks();
      // an object with no entry in /proc/locks is free, unless processes not seen could hold one
      return { state, column: (r) => state(r)?.state ?? 'unknown' };
    },
  },
  memfd: heldBackend('memfd'),
  deleted: heldBackend('deleted'),
  anon: heldBackend('anon'),
};

export type { KindChoice, KindName };

const backend = (kind: KindName): Backend<ShmRecord> => BACKENDS[kind] as Backend<ShmRecord>;

/** The kinds a choice means. */
export function kindsOf(choice: KindChoice | readonly KindName[]): KindName[] {
  if (typeof choice !== 'string') return [...choice];
  if (choice === 'all') return ['sysv', 'posix'];
  if (choice === 'held') return [...HELD_KINDS];
  if (choice === 'every') return Object.keys(BACKENDS) as KindName[];
  return [choice];
}

/** Every record of the chosen kinds, in the kinds' order; each kind's sorted by name, or as the system lists them. */
export function listKinds(choice: KindChoice | readonly KindName[], usage: boolean, order: 'name' | 'system' = 'name'): ShmRecord[] {
  const kinds = kindsOf(choice);
  const listing: Listing = { held: new Set(kinds.filter((k): k is HeldKind => (HELD_KINDS as readonly string[]).includes(k))) };
  return kinds.flatMap((k) => backend(k).list(usage, order === 'name', listing));
}

/** The segment or object a record names. */
export function memoryOf(r: ShmRecord): SharedMemory {
  return backend(r.kind).open(r);
}

/** The locks of the kinds asked for, each kind's table read when first asked (null: a kind not asked for). */
export function locksOf(asked: Partial<Record<KindName, boolean>>): (r: ShmRecord) => Locks<ShmRecord> | null {
  const read = new Map<KindName, Locks<ShmRecord>>();
  return (r) => {
    if (!asked[r.kind]) return null;
    let locks = read.get(r.kind);
    if (!locks) read.set(r.kind, (locks = backend(r.kind).locks()));
    return locks;
  };
}
