/**
 * POSIX shared memory: objects made by shm_open(3), which glibc keeps as files
 * in the tmpfs at /dev/shm ("/name" is /dev/shm/name). Creating, opening and
 * removing go through libc (shm_open, ftruncate, shm_unlink); looking at them
 * is lstat(2) of /dev/shm. Bytes move through the descriptor (descriptor.ts),
 * never a mapping: a mapping of an object another process shrinks kills the
 * process with SIGBUS when touched past the new end, a pread just comes back
 * short.
 */
import { closeSync, lstatSync, opendirSync, readdirSync, type Stats } from 'node:fs';
import { Errno, errnoOf, hasErrno, OperationError, ShmError, UsageError } from '../model/errors.js';
import { checkMode, DEFAULT_MODE } from '../model/parse.js';
import { SHM_DIR, type PosixRecord } from '../model/record.js';
import { escapeBytes } from '../model/text.js';
import * as libc from '../kernel/posix.js';
import { addMappers } from './mappers.js';
import { checkPosixName, pathOf, SEM_PREFIX, shmDir, shmDirName } from './name.js';
import { explainOpen, fileKindOf } from './open.js';
import { PosixObject } from './descriptor.js';

function recordOf(name: string, st: Stats): PosixRecord {
  return {
    kind: 'posix',
    name,
    size: st.size,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
    ctime: Math.floor(st.ctimeMs / 1000),
    nlink: st.nlink,
    ino: st.ino,
    dev: st.dev,
    allocated: st.blocks * 512,
    mappedBy: null,
    unreadable: 0,
  };
}

/** A Node fs failure as a ShmError about `name`, in words. */
export function explainFs(e: unknown, name: string, syscall: string): unknown {
  const errno = errnoOf(e);
  if (errno === null) return e;
  const reasons: Record<number, string> = {
    [Errno.ENOENT]: 'no such POSIX shared memory object',
    [Errno.EACCES]: 'permission denied',
  };
  return new ShmError(syscall, errno, name, reasons[errno] ?? ShmError.of(e).reason);
}

/** lstat of the object; usage adds which processes map it. */
export function statPosix(name: string, opts: { usage?: boolean } = {}): PosixRecord {
  name = checkPosixName(name);
  let st: Stats;
  try {
    st = lstatSync(pathOf(name));
  } catch (e) {
    throw explainFs(e, name, 'stat');
  }
  if (!st.isFile()) throw new OperationError(name, `is not a shared memory object (${shmDirName()}${name} is ${fileKindOf(st)})`);
  const record = recordOf(name, st);
  if (opts.usage) addMappers([record]);
  return record;
}

/** A directory's names as readdir(3) gives them (readdirSync sorts them). */
function inDirectoryOrder(path: string): Buffer[] {
  // (Node's types know no 'buffer' here; Node gives each name as a Buffer with it)
  const dir = opendirSync(path, { encoding: 'buffer' as BufferEncoding });
  const names: Buffer[] = [];
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) names.push(entry.name as unknown as Buffer);
  } finally {
    dir.closeSync();
  }
  return names;
}

/**
 * Every object in /dev/shm, sorted by name (or, `sorted: false`, in the
 * directory's own order, as lsipc lists them). POSIX named semaphores live
 * there too, as sem.NAME: they are left out. Objects that vanish while listed
 * are skipped.
 */
export function listPosix(opts: { usage?: boolean; sorted?: boolean } = {}): PosixRecord[] {
  let entries: Buffer[];
  try {
    // As bytes: a name that is not UTF-8 is listed too (escaped), never lost.
    entries = (opts.sorted ?? true) ? readdirSync(shmDir(), { encoding: 'buffer' }).sort(Buffer.compare) : inDirectoryOrder(shmDir());
  } catch (e) {
    if (hasErrno(e, Errno.ENOENT)) return [];
    throw explainFs(e, shmDirName(), 'opendir');
  }
  const records: PosixRecord[] = [];
  const semPrefix = Buffer.from(SEM_PREFIX);
  for (const entry of entries) {
    if (entry.subarray(0, semPrefix.length).equals(semPrefix)) continue;
    try {
      const st = lstatSync(Buffer.concat([Buffer.from(`${shmDir()}/`), entry]));
      if (st.isFile()) records.push(recordOf('/' + escapeBytes(entry), st));
    } catch {
      /* gone meanwhile */
    }
  }
  if (opts.usage) addMappers(records);
  return records;
}

interface PosixCreateOptions {
  /** "/name" */
  name: string;
  /** Bytes (at least 1). */
  size: number;
  /** Permission bits, default 0600; set exactly (the umask does not narrow them). */
  mode?: number;
  /** Fail if the name exists (O_EXCL) instead of opening it. */
  exclusive?: boolean;
}

interface PosixCreateResult {
  /** False when the object existed and was left as it was. */
  created: boolean;
  /** The existing object's mode when it was not created. */
  mode: number;
  size: number;
}

/**
 * shm_open(O_CREAT|O_EXCL) + fchmod + ftruncate. Without `exclusive` an
 * existing object is opened and left as it is, as shmget does for a key —
 * unless it is smaller than asked (growing it behind its users' backs, or
 * shrinking it under their mappings, is not ours to do).
 */
export function createPosix(opts: PosixCreateOptions): PosixCreateResult {
  const name = checkPosixName(opts.name);
  const mode = checkMode(opts.mode ?? DEFAULT_MODE);
  if (!Number.isSafeInteger(opts.size) || opts.size < 1) throw new UsageError('size must be at least 1 byte');
  let fd: number;
  try {
    fd = libc.shmOpen(pathOf(name), libc.O_RDWR | libc.O_CREAT | libc.O_EXCL, mode);
  } catch (e) {
    if (!hasErrno(e, Errno.EEXIST) || opts.exclusive) throw explainOpen(e, name, true);
    const existing = statPosix(name);
    if (existing.size < opts.size) {
      throw new ShmError('shm_open', Errno.EINVAL, name, `exists with size ${existing.size} < requested ${opts.size}`);
    }
    return { created: false, mode: existing.mode, size: existing.size };
  }
  try {
    libc.fchmod(fd, mode);
    libc.ftruncate(fd, opts.size);
  } catch (e) {
    closeSync(fd);
    try {
      libc.shmUnlink(pathOf(name));
    } catch {
      /* already gone */
    }
    if (hasErrno(e, Errno.EFBIG, Errno.EINVAL)) {
      throw ShmError.of(e).with(name, `size ${opts.size} is too large for ${SHM_DIR}`);
    }
    throw e instanceof ShmError ? e.with(name) : e;
  }
  closeSync(fd);
  return { created: true, mode, size: opts.size };
}

/** shm_unlink: the name goes at once; the memory when its last user lets go. */
export function removePosix(name: string): { mappedBy: number } {
  name = checkPosixName(name);
  let mappedBy = 0;
  try {
    const r = statPosix(name, { usage: true });
    mappedBy = r.mappedBy?.length ?? 0;
  } catch (e) {
    // A FIFO, a directory or a link planted in /dev/shm is not ours to remove.
    if (e instanceof OperationError) throw e;
    /* otherwise shm_unlink says why */
  }
  try {
    libc.shmUnlink(pathOf(name));
  } catch (e) {
    if (hasErrno(e, Errno.EPERM, Errno.EACCES)) {
      throw ShmError.of(e).with(name, `permission denied: only its owner or a privileged user may remove it (${SHM_DIR} is sticky)`);
    }
    throw explainOpen(e, name, true);
  }
  return { mappedBy };
}

/** Change mode and owner, as IPC_SET does for segments (fchmod, fchown). */
export function setPosix(name: string, change: { uid?: number; gid?: number; mode?: number }): void {
  const obj = PosixObject.open(name, { write: false });
  try {
    if (change.uid !== undefined || change.gid !== undefined) libc.fchown(obj.fd, change.uid ?? -1, change.gid ?? -1);
    if (change.mode !== undefined) libc.fchmod(obj.fd, change.mode);
  } catch (e) {
    if (hasErrno(e, Errno.EPERM)) {
      throw ShmError.of(e).with(name, 'permission denied: only its owner or a privileged user may change it');
    }
    throw e instanceof ShmError ? e.with(name) : e;
  } finally {
    obj.close();
  }
}
