/**
 * System V shared memory as typed operations. Each failure is a ShmError that
 * names the segment and says why in words; where the kernel's errno is
 * ambiguous (Errno.EINVAL, Errno.ENOSPC from shmget) it is told apart by looking again.
 */
import { Errno, OperationError, ShmError, hasErrno } from '../model/errors.js';
import { checkMode, DEFAULT_MODE } from '../model/parse.js';
import { formatKey, recordFromShmidDs, type SegmentRecord } from '../model/record.js';
import { readKernel, readSysValue } from '../kernel/procfs.js';
import { readProcShm } from '../kernel/proc-shm.js';
import * as libc from '../kernel/sysv.js';

export function describeKey(key: number): string {
  return `key ${formatKey(key)}`;
}

function describeTarget(key: number): string {
  return key === libc.IPC_PRIVATE ? 'private segment' : describeKey(key);
}

export function describeId(id: number): string {
  return `id ${id}`;
}

/** Look a key up without asking for any access: the id, or null when no segment has it. */
export function findKey(key: number): number | null {
  try {
    return libc.shmget(key, 0, 0);
  } catch (e) {
    if (hasErrno(e, Errno.ENOENT)) return null;
    throw e;
  }
}

/** The id of the segment with this key. */
export function openKey(key: number): number {
  try {
    return libc.shmget(key, 0, 0);
  } catch (e) {
    throw explainShmget(e, key, 0);
  }
}

interface CreateOptions {
  /** Unsigned 32-bit key; 0 (IPC_PRIVATE) always makes a new segment. */
  key: number;
  size: number;
  /** Permission bits, 0 … 0777; default 0600. */
  mode?: number;
  /** Fail if the key exists (IPC_EXCL) instead of returning its segment. */
  exclusive?: boolean;
  /** Extra shmget flags (SHM_HUGETLB, SHM_NORESERVE). */
  flags?: number;
}

interface CreateResult {
  id: number;
  /** False when the key existed and its segment was returned, as shmget does. */
  created: boolean;
}

/**
 * shmget with IPC_CREAT. Without `exclusive` an existing key returns its
 * segment, as shmget does — but we first try IPC_EXCL so the caller knows
 * whether it made the segment, and may say so.
 */
export function createSegment(opts: CreateOptions): CreateResult {
  const mode = checkMode(opts.mode ?? DEFAULT_MODE);
  const flags = libc.IPC_CREAT | mode | (opts.flags ?? 0);
  const subject = describeTarget(opts.key);
  for (let attempt = 0; ; attempt++) {
    try {
      return { id: libc.shmget(opts.key, opts.size, flags | (opts.key ? libc.IPC_EXCL : 0)), created: true };
    } catch (e) {
      if (!hasErrno(e, Errno.EEXIST)) throw explainShmget(e, opts.key, opts.size, flags);
      if (opts.exclusive) {
        const id = findKey(opts.key);
        throw ShmError.of(e).with(subject, `a segment with this key already exists${id === null ? '' : ` (shmid ${id})`}`);
      }
    }
    try {
      // The key exists: open it as plain shmget(key, size, mode) would.
      return { id: libc.shmget(opts.key, opts.size, mode | (opts.flags ?? 0)), created: false };
    } catch (e) {
      // Removed between the two calls: try to create it again.
      if (hasErrno(e, Errno.ENOENT) && attempt < 3) continue;
      throw explainShmget(e, opts.key, opts.size, flags);
    }
  }
}

/**
 * A new segment under a random key (ipcmk's idea), always with IPC_EXCL so a
 * key that happens to be taken is never someone else's segment handed back.
 */
export function createRandomKeySegment(opts: Omit<CreateOptions, 'key' | 'exclusive'>): CreateResult & { key: number } {
  for (let attempt = 0; attempt < 100; attempt++) {
    const key = globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
    if (key === libc.IPC_PRIVATE) continue;
    try {
      return { ...createSegment({ ...opts, key, exclusive: true }), key };
    } catch (e) {
      if (hasErrno(e, Errno.EEXIST)) continue;
      throw e;
    }
  }
  throw new OperationError('random key', 'no free key found in 100 tries');
}

/** Turn a shmget failure into words, looking again where the errno is ambiguous. */
function explainShmget(e: unknown, key: number, size: number, flags = 0): unknown {
  if (!(e instanceof ShmError)) return e;
  const subject = describeTarget(key);
  switch (e.errno) {
    case Errno.ENOENT:
      return e.with(subject, 'no segment has this key');
    case Errno.EACCES:
      return e.with(subject, "permission denied for the access asked (the segment's mode does not grant it)");
    case Errno.EPERM:
      return e.with(subject, 'not permitted (huge pages need CAP_IPC_LOCK or the hugetlb group)');
    case Errno.ENOMEM: {
      if (flags & libc.SHM_HUGETLB) {
        const pages = readSysValue('vm/nr_hugepages') ?? '?';
        return e.with(subject, `not enough huge pages for ${size} bytes (vm.nr_hugepages = ${pages})`);
      }
      return e.with(subject, `not enough memory for ${size} bytes (try --noreserve)`);
    }
    case Errno.EINVAL: {
      if (key !== libc.IPC_PRIVATE) {
        const id = findKey(key);
        if (id !== null) {
          const existing = safeStat(id);
          if (existing && existing.size < size) {
            return e.with(subject, `exists with size ${existing.size} < requested ${size} (shmid ${id})`);
          }
        }
      }
      const shmmax = readKernel('shmmax');
      if (shmmax !== null && BigInt(size) > shmmax) return e.with(subject, `size ${size} exceeds kernel.shmmax = ${shmmax}`);
      if (size < 1) return e.with(subject, 'size must be at least 1 byte');
      return e.with(subject, 'invalid argument');
    }
    case Errno.ENOSPC: {
      const shmmni = readKernel('shmmni');
      let count: number | null = null;
      try {
        count = readProcShm().length;
      } catch {
        /* leave the count unknown */
      }
      if (shmmni !== null && count !== null && BigInt(count) >= shmmni) {
        return e.with(subject, `segment limit kernel.shmmni = ${shmmni} reached`);
      }
      const shmall = readKernel('shmall');
      return e.with(subject, `total shared memory limit kernel.shmall = ${shmall ?? '?'} pages reached`);
    }
    default:
      return e.with(subject);
  }
}

function safeStat(id: number): SegmentRecord | null {
  try {
    return recordFromShmidDs(id, libc.shmctlStat(id));
  } catch {
    return null;
  }
}

export function explainShmctl(e: unknown, id: number, action: 'stat' | 'remove'): unknown {
  if (!(e instanceof ShmError)) return e;
  const subject = describeId(id);
  switch (e.errno) {
    case Errno.EINVAL:
    case Errno.EIDRM:
      return e.with(subject, 'no such segment');
    case Errno.EACCES:
      return e.with(subject, 'permission denied (no read permission)');
    case Errno.EPERM:
      return e.with(
        subject,
        action === 'remove'
          ? 'permission denied: only its owner, its creator or a privileged user may remove it'
          : 'operation not permitted',
      );
    default:
      return e.with(subject);
  }
}

/**
 * Every IPC_STAT field of one segment, with rss/swap from /proc when its row is
 * there. The row carries the very fields IPC_STAT gives (the kernel's own,
 * seen from the reader's namespaces), published to everyone (ipcs -i reads
 * them there too): where rss/swap are wanted and the row is found, it is the
 * answer, and libc is not asked (a `stat` then never loads the FFI addon).
 * Otherwise IPC_STAT; without read permission it fails, and the row answers
 * instead.
 */
export function statSegment(id: number, opts: { usage?: boolean } = {}): SegmentRecord {
  const usage = opts.usage !== false;
  if (usage) {
    const row = procRow(id);
    if (row) return row;
  }
  try {
    // rss and swap exist only in /proc: null here (`usage: false`, or no row)
    return recordFromShmidDs(id, libc.shmctlStat(id));
  } catch (e) {
    if (!usage && hasErrno(e, Errno.EACCES)) {
      const row = procRow(id);
      if (row) return row;
    }
    throw explainShmctl(e, id, 'stat');
  }
}

function procRow(id: number): SegmentRecord | undefined {
  try {
    return readProcShm().find((r) => r.id === id);
  } catch {
    return undefined;
  }
}

interface RemoveResult {
  /** Processes still attached: the segment is marked dest and goes at their last detach. */
  stillAttached: number;
  /** Its key before removal (removal resets it to 0). */
  key: number;
  /** What it was just before removal (IPC_STAT, or /proc when that is refused); null if neither answered. */
  before: SegmentRecord | null;
}

/** IPC_RMID. An attached segment is only marked for removal (dest). */
export function removeSegment(id: number): RemoveResult {
  const before = safeStat(id) ?? procRow(id) ?? null;
  try {
    libc.shmctlRmid(id);
  } catch (e) {
    throw explainShmctl(e, id, 'remove');
  }
  return { stillAttached: before?.nattch ?? 0, key: before?.key ?? 0, before };
}

interface SetOptions {
  uid?: number;
  gid?: number;
  /** Permission bits, 0 … 0777. */
  mode?: number;
}

/**
 * IPC_SET: change owner, group and permission bits. Only the owner, the
 * creator or a privileged user may; the kernel decides and we say why.
 */
export function setSegment(id: number, change: SetOptions): void {
  const now = statSegment(id, { usage: false });
  const perm = { uid: change.uid ?? now.uid, gid: change.gid ?? now.gid, mode: change.mode ?? now.mode & 0o777 };
  try {
    libc.shmctlSet(id, perm);
  } catch (e) {
    if (!(e instanceof ShmError)) throw e;
    const subject = describeId(id);
    if (e.errno === Errno.EPERM) throw e.with(subject, 'permission denied: only its owner, its creator or a privileged user may change it');
    if (e.errno === Errno.EINVAL) throw e.with(subject, `uid ${perm.uid} or gid ${perm.gid} is not valid in this user namespace`);
    throw explainShmctl(e, id, 'stat');
  }
}

/** SHM_LOCK / SHM_UNLOCK: keep the segment's pages in memory, or let them go. */
export function lockSegment(id: number, lock: boolean): void {
  try {
    libc.shmctlLock(id, lock);
  } catch (e) {
    if (!(e instanceof ShmError)) throw e;
    const subject = describeId(id);
    if (e.errno === Errno.EPERM) {
      throw e.with(subject, `${lock ? 'locking' : 'unlocking'} needs CAP_IPC_LOCK, or ownership and a RLIMIT_MEMLOCK above 0`);
    }
    if (e.errno === Errno.ENOMEM) throw e.with(subject, 'locking it would pass RLIMIT_MEMLOCK');
    throw explainShmctl(e, id, 'stat');
  }
}

/** ftok(3) with its failure named after the path. */
export function keyFromPath(path: string, proj: number): number {
  try {
    return libc.ftok(path, proj);
  } catch (e) {
    throw e instanceof ShmError ? e.with(`ftok ${path}`) : e;
  }
}
