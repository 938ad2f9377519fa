/**
 * The kinds' back-ends by name: the one place above them that knows which
 * kinds there are. Everything above asks through these — list one kind or
 * all, open what a record names, read a kind's locks — and never branches on
 * a kind; what differs between records is the model's (model/kinds.ts).
 */
import { readProcShm } from '../kernel/procfs.js';
import type { LockColumn, LockState } from '../model/lock-state.js';
import type { PosixRecord, SegmentRecord, ShmRecord } from '../model/record.js';
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

interface Backend<R extends ShmRecord> {
  /** Everything of the kind in this IPC namespace (and its /dev/shm); `usage`: the memory each holds; `sorted`: by name. */
  list(usage: boolean, sorted: boolean): R[];
  /** What a record names, to act on. */
  open(r: R): SharedMemory;
  locks(): Locks<R>;
}

const BACKENDS: { sysv: Backend<SegmentRecord>; posix: Backend<PosixRecord> } = {
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
};

export type KindName = keyof typeof BACKENDS;

const backend = (kind: KindName): Backend<ShmRecord> => BACKENDS[kind] as Backend<ShmRecord>;

/** The kinds a choice means: one, or 'all' of them. */
const kindsOf = (choice: KindName | 'all'): KindName[] => (choice === 'all' ? (Object.keys(BACKENDS) as KindName[]) : [choice]);

/** Every record of the chosen kinds, in the kinds' order; each kind's sorted by name, or as the system lists them. */
export function listKinds(choice: KindName | 'all', usage: boolean, order: 'name' | 'system' = 'name'): ShmRecord[] {
  return kindsOf(choice).flatMap((k) => backend(k).list(usage, order === 'name'));
}

/** The segment or object a record names. */
export function memoryOf(r: ShmRecord): SharedMemory {
  return backend(r.kind).open(r);
}

/** The locks of the kinds asked for, each kind's table read when first asked (null: a kind not asked for). */
export function locksOf(asked: Record<KindName, boolean>): (r: ShmRecord) => Locks<ShmRecord> | null {
  const read = new Map<KindName, Locks<ShmRecord>>();
  return (r) => {
    if (!asked[r.kind]) return null;
    let locks = read.get(r.kind);
    if (!locks) read.set(r.kind, (locks = backend(r.kind).locks()));
    return locks;
  };
}
