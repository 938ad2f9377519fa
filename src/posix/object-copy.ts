/**
 * Copies between a POSIX object and another descriptor done by the kernel:
 * sendfile(2) out of the object (tmpfs pages straight to a pipe or a file),
 * and sendfile from a file or pipe into it. No buffer of ours: an object
 * truncated meanwhile gives a short count, never SIGBUS. To a character
 * device (/dev/null, a terminal) the object is mapped and handed to write(2)
 * instead: sendfile would move every page through a pipe inside the kernel.
 * Where the kernel cannot do it for a pair of files (EINVAL: an O_APPEND
 * file) the caller copies through windows instead.
 */
import { fstatSync, writeSync } from 'node:fs';
import { Errno, hasErrno, ShmError } from '../model/errors.js';
import { externalBuffer, pageSize } from '../kernel/ffi.js';
import { MAP_SHARED, mmap, munmap, PROT_READ } from '../kernel/posix.js';
import { copyIntoFile, sendRange, throttle, type CopyIn } from '../memory/file-copy.js';
import { copyFileInParallel } from '../memory/parallel-copy.js';
import type { OpenObject } from './open.js';
import { shmDirName } from './name.js';

/** Bytes per sendfile out of the object: a truncation shows as a short count. */
const STEP = 16 << 20;
/**
 * Bytes per sendfile into it: the object's size is looked at before each, so
 * that a truncation by another process is never written over (a write past
 * the end would grow it back); the window for that race is one such step.
 */
const STEP_IN = 1 << 20;
/** Bytes per write(2) from a mapping to a character device; the size is looked at after each. */
const STEP_MAPPED = 64 << 20;

export function sendObject(
  obj: OpenObject,
  fd: number,
  offset: number,
  length: number,
  chunk: number,
  progress?: (done: number) => void,
  snapshot = false,
): boolean {
  obj.checkRange(offset, length);
  const st = length > 0 ? fstatSync(fd) : null;
  if (st?.isCharacterDevice()) return writeMapped(obj, fd, offset, length, chunk, progress);
  // sendfile into a pipe or a socket hands over the object's pages by reference: the bytes as they are now need a copy
  if (snapshot && (st?.isFIFO() || st?.isSocket())) return false;
  // a short count is a truncation by another process
  return sendRange(fd, obj.fd, offset, length, { step: STEP, chunk, progress, short: (done) => obj.shrunk(done, 'read') });
}

/**
 * The object mapped read-only and given to write(2) a window at a time. The
 * kernel reads the mapping: past a truncation that is EFAULT or a short
 * count, never SIGBUS (no code of ours touches the memory). A device that
 * does not read its input (/dev/null) would not notice a truncation, so the
 * size is looked at after each window too.
 */
function writeMapped(
  obj: OpenObject,
  fd: number,
  offset: number,
  length: number,
  chunk: number,
  progress?: (done: number) => void,
): boolean {
  const page = pageSize();
  const start = Math.floor(offset / page) * page;
  const mapped = offset + length - start;
  let address: number;
  try {
    address = mmap(0, mapped, PROT_READ, MAP_SHARED, obj.fd, start);
  } catch {
    return false; // the windows through the descriptor will do
  }
  const report = throttle(progress, chunk, length);
  let done = 0;
  try {
    while (done < length) {
      const want = Math.min(STEP_MAPPED, length - done);
      const window = externalBuffer(address + offset - start + done, want);
      for (let put = 0; put < want;) {
        let n: number;
        try {
          n = writeSync(fd, window, put, want - put);
        } catch (e) {
          if (hasErrno(e, Errno.EFAULT)) throw obj.shrunk(done + put, 'read');
          if (hasErrno(e, Errno.EAGAIN, Errno.EINTR)) continue;
          throw e;
        }
        put += n;
      }
      if (obj.currentSize() < offset + done + want) throw obj.shrunk(done, 'read');
      done += want;
      report.tell(done);
    }
  } finally {
    munmap(address, mapped);
  }
  return true;
}

/** What a write into the object looks out for: truncation, a full tmpfs. */
function guarded(obj: OpenObject, offset: number, chunk: number, progress?: (done: number) => void): CopyIn {
  return {
    step: STEP_IN,
    chunk,
    progress,
    // writing past the end would grow the object back: look first
    before: (done, want) => {
      if (obj.currentSize() < offset + done + want) throw obj.shrunk(done, 'write');
    },
    failure: (e, done) =>
      hasErrno(e, Errno.ENOSPC)
        ? new ShmError('write', Errno.ENOSPC, obj.name, `no space left in ${shmDirName()}; ${done} bytes were written`)
        : e,
  };
}

export function receiveObject(
  obj: OpenObject,
  fd: number,
  offset: number,
  room: number,
  chunk: number,
  progress?: (done: number) => void,
): number | null {
  obj.checkRange(offset, room);
  return copyIntoFile(obj.fd, fd, offset, room, guarded(obj, offset, chunk, progress));
}

/** A large file into the object on two threads (copyFileInParallel), looking out for what receiveObject does. */
export function fillObject(
  obj: OpenObject,
  fd: number,
  offset: number,
  length: number,
  chunk: number,
  progress?: (done: number) => void,
): Promise<number | null> {
  obj.checkRange(offset, length);
  return copyFileInParallel(obj.fd, fd, offset, length, {
    ...guarded(obj, offset, chunk, progress),
    gone: (done) => obj.shrunk(done, 'write'),
  });
}
