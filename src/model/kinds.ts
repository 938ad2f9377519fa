/**
 * What differs between the kinds of record, asked of the kind instead of
 * branched on: `kindOf(r).attachCount(r)`, never `isPosix(r) ? … : …`. The
 * code above the back-ends (list, holders, select, cleanup, metrics, the
 * columns) reads records only through these. A new kind of shared memory
 * adds its record to the family (record.ts) and its entry here.
 */
import {
  formatKey,
  isDest,
  objectKey,
  statusOf,
  type HeldKind,
  type HeldRecord,
  type PosixRecord,
  type SegmentRecord,
  type ShmRecord,
} from './record.js';

interface RecordKind<R extends ShmRecord | HeldRecord> {
  readonly kind: R['kind'];
  /** 'segment', 'object': what one is called. */
  readonly noun: string;
  /** What a process holding one in its address space does to it: "attached", "mapped". */
  readonly holding: 'attached' | 'mapped';
  /** The same one across two looks (watch): a segment by id, an object by name and device+inode. */
  identity(r: R): string;
  /** How gc and run name it in their lines: "id 5 (key 0x00001234)", "/name". */
  subject(r: R): string;
  /** Its short name: "id 5", "/name". */
  shortName(r: R): string;
  /** Its names, each kind's own filled and the others null. */
  names(r: R): { id: number | null; key: number | null; name: string | null };
  /** How a hold on it shows in /proc: maps' "SYSV <id>" for a segment, "MAJ:MIN INODE" for an object. */
  holdKey(r: R): string;
  /** The kernel's own count of attachments, which sees every process; null where the kernel keeps none. */
  kernelAttachCount(r: R): number | null;
  /** NATTCH: the kernel's count, or the processes seen mapping it (null: not looked for). */
  attachCount(r: R): number | null;
  /** Seconds since the epoch it was last made, changed or used, as far as the kernel says. */
  lastUsed(r: R): number;
  /** Who made it: a segment's creator uid; an object records no creator, so its owner. */
  madeBy(r: R): number;
  /** Has a name to open, change and remove (a segment, an object); the held kinds go with their last holder. */
  readonly named: boolean;
  /** The creator's group (an object: its group, as lsipc shows it). */
  madeByGroup(r: R): number;
  /** The creator's pid, where the kernel records one. */
  creatorPid(r: R): number | null;
  /** Removed already, going at its last detach: no longer there for a new user. */
  going(r: R): boolean;
  /** The STATUS words (lsipc's order). */
  status(r: R): string[];
  /** May a process of this effective uid remove it (the kernel's rule)? */
  removableBy(r: R, euid: number): boolean;
  /** Its memory as metrics count it: [what, bytes] ("resident", "swapped"; "allocated"). */
  memory(r: R): [string, number][];
  /** Its pids seen mapping it (and how many processes could not be looked at), where the record keeps them. */
  noteMappers(r: R, pids: number[], unreadable: number): void;
}

/**
 * What every file of shared memory answers alike — an object and the held
 * kinds: named by its name, held by device and inode, its NATTCH the
 * processes seen mapping it, its owner for a creator it does not record.
 */
function fileMethods<R extends PosixRecord | HeldRecord>(): Pick<
  RecordKind<R>,
  'names' | 'holdKey' | 'kernelAttachCount' | 'attachCount' | 'lastUsed' | 'madeBy' | 'madeByGroup' | 'creatorPid' | 'going' | 'noteMappers'
> {
  return {
    names: (r) => ({ id: null, key: null, name: r.name }),
    holdKey: (r) => objectKey(r),
    kernelAttachCount: () => null,
    attachCount: (r) => r.mappedBy?.length ?? null,
    lastUsed: (r) => Math.max(r.mtime, r.ctime),
    madeBy: (r) => r.uid,
    madeByGroup: (r) => r.gid,
    creatorPid: () => null,
    going: () => false,
    noteMappers: (r, pids, unreadable) => {
      r.mappedBy = pids;
      r.unreadable = unreadable;
    },
  };
}

const sysv: RecordKind<SegmentRecord> = {
  kind: 'sysv',
  noun: 'segment',
  holding: 'attached',
  named: true,
  identity: (r) => `sysv ${r.id}`,
  subject: (r) => `id ${r.id} (key ${formatKey(r.key)})`,
  shortName: (r) => `id ${r.id}`,
  names: (r) => ({ id: r.id, key: r.key, name: null }),
  holdKey: (r) => `SYSV ${r.id}`,
  kernelAttachCount: (r) => r.nattch,
  attachCount: (r) => r.nattch,
  lastUsed: (r) => Math.max(r.ctime, r.atime, r.dtime),
  madeBy: (r) => r.cuid,
  madeByGroup: (r) => r.cgid,
  creatorPid: (r) => (r.cpid > 0 ? r.cpid : null),
  going: (r) => isDest(r),
  status: (r) => statusOf(r),
  // the owner, the creator, or root (CAP_SYS_ADMIN)
  removableBy: (r, euid) => euid === 0 || r.uid === euid || r.cuid === euid,
  memory: (r) => [
    ['resident', r.rss ?? 0],
    ['swapped', r.swap ?? 0],
  ],
  noteMappers: () => undefined,
};

const posix: RecordKind<PosixRecord> = {
  kind: 'posix',
  noun: 'object',
  holding: 'mapped',
  named: true,
  identity: (r) => `posix ${r.name} ${objectKey(r)}`,
  subject: (r) => r.name,
  shortName: (r) => r.name,
  ...fileMethods<PosixRecord>(),
  status: () => [],
  // /dev/shm is sticky: its owner, or root
  removableBy: (r, euid) => euid === 0 || r.uid === euid,
  memory: (r) => [['allocated', r.allocated]],
};

/** What each held kind is called. */
const HELD_NOUNS: Record<HeldKind, string> = { memfd: 'memfd', deleted: 'deleted file', anon: 'shared anonymous region' };

/** A memfd, a removed-but-held tmpfs file, shared anonymous memory: found through their holders, never removed by us. */
function held<K extends HeldKind>(kind: K): RecordKind<HeldRecord<K>> {
  return {
    kind,
    noun: HELD_NOUNS[kind],
    holding: 'mapped',
    named: false,
    identity: (r) => `${kind} ${objectKey(r)}`,
    subject: (r) => `${r.name} (inode ${r.ino})`,
    shortName: (r) => `${r.name} (inode ${r.ino})`,
    ...fileMethods<HeldRecord<K>>(),
    status: (r) => [...(r.hugetlb ? ['hugetlb'] : []), ...(r.statted ? [] : ['unseen'])],
    // no name to remove: it goes when its last holder closes and unmaps it
    removableBy: () => false,
    memory: (r) => [['allocated', r.allocated ?? 0]],
  };
}

const KINDS = { sysv, posix, memfd: held('memfd'), deleted: held('deleted'), anon: held('anon') } as const;

/** A kind by its name ('sysv', 'posix'): for what is not a record (a Shm, a target). */
export const kindNamed = (kind: ShmRecord['kind']): RecordKind<ShmRecord> => KINDS[kind] as unknown as RecordKind<ShmRecord>;

/** The kind of a row that may be no segment or object at all (a holder, a limit): null then. */
export const kindIfAny = (r: { kind: string }): RecordKind<ShmRecord> | null =>
  (KINDS as Record<string, RecordKind<ShmRecord> | undefined>)[r.kind] ?? null;

/** The kind of a record: a lookup by its `kind`, the one place that tells them apart. */
export function kindOf<R extends ShmRecord>(r: R): RecordKind<R> {
  return KINDS[r.kind] as unknown as RecordKind<R>;
}
