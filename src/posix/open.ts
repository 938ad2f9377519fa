/**
 * Opening an existing object: never waiting (O_NONBLOCK, for a FIFO planted in
 * /dev/shm), never anything but a regular file, and failures in words.
 */
import { closeSync, fstatSync, lstatSync, type Stats } from 'node:fs';
import { Errno, OperationError, ShmError } from '../model/errors.js';
import * as libc from '../kernel/posix.js';
import { pathOf } from './name.js';
import { fileKindOf } from '../model/file-kind.js';

export { fileKindOf };

function lstatOrNull(name: string): Stats | null {
  try {
    return lstatSync(pathOf(name));
  } catch {
    return null;
  }
}

/**
 * shm_open of an existing object, never waiting (O_NONBLOCK: a FIFO planted in
 * /dev/shm would block an open for ever) and never anything but a regular
 * file (glibc's O_NOFOLLOW refuses symbolic links).
 */
export function openExisting(name: string, write: boolean): number {
  let fd: number;
  try {
    fd = libc.shmOpen(pathOf(name), (write ? libc.O_RDWR : libc.O_RDONLY) | libc.O_NONBLOCK, 0);
  } catch (e) {
    // glibc turns EISDIR into EINVAL: say what is really there
    const st = e instanceof ShmError && e.errno !== Errno.ENOENT ? lstatOrNull(name) : null;
    if (st && !st.isFile()) throw new OperationError(name, `is not a shared memory object (${fileKindOf(st)})`);
    throw explainOpen(e, name, write);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new OperationError(name, `is not a shared memory object (${fileKindOf(st)})`);
  }
  return fd;
}

/** shm_open's failures in words. */
export function explainOpen(e: unknown, name: string, write: boolean): unknown {
  if (!(e instanceof ShmError)) return e;
  switch (e.errno) {
    case Errno.ELOOP:
      return e.with(name, 'is not a shared memory object (a symbolic link)');
    case Errno.ENXIO:
    case Errno.ENOTDIR:
      return e.with(name, 'is not a shared memory object');
    case Errno.ENOENT:
      return e.with(name, 'no such POSIX shared memory object');
    case Errno.EACCES:
      return e.with(name, `permission denied for ${write ? 'read-write' : 'read-only'} access (the object's mode does not grant it)`);
    case Errno.EEXIST:
      return e.with(name, 'an object with this name already exists');
    case Errno.EINVAL:
      return e.with(name, 'invalid name');
    default:
      return e.with(name);
  }
}

/**
 * What the kernel's copies (object-copy.ts) and a mapping (mapping.ts) need
 * of an open object: PosixObject is one. Named here, below all three, so
 * that none of them imports another in a circle.
 */
export interface OpenObject {
  readonly name: string;
  readonly fd: number;
  readonly size: number;
  readonly writable: boolean;
  /** The size now (another process may have changed it since open). */
  currentSize(): number;
  /** The error for a copy that found the object shrunk after `done` bytes. */
  shrunk(done: number, what: 'read' | 'write'): OperationError;
  checkRange(offset: number, length: number): void;
}
