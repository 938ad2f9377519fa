/**
 * Copies between a POSIX object and another descriptor done by the kernel:
 * sendfile(2) out of the object (tmpfs pages straight to a pipe, a file,
 * /dev/null), and sendfile from a file into it. No
 * buffer of ours, no mapping: an object truncated meanwhile gives a short
 * count, never SIGBUS. Where the kernel cannot do it for a pair of files
 * (EINVAL: an O_APPEND file, a terminal on some kernels) the caller copies
 * through windows instead.
 */
import { fstatSync } from 'node:fs';
import { Errno, hasErrno, ShmError } from '../model/errors.js';
import { seekTo, sendfile } from '../kernel/io.js';
import type { PosixObject } from './descriptor.js';
import { shmDir } from './name.js';

/** Bytes per sendfile out of the object: a truncation shows as a short count. */
const STEP = 16 << 20;
/**
 * Bytes per sendfile into it: the object's size is looked at before each, so
 * that a truncation by another process is never written over (a write past
 * the end would grow it back); the window for that race is one such step.
 */
const STEP_IN = 1 << 20;

const cannot = (e: unknown): boolean => hasErrno(e, Errno.EINVAL, Errno.ENOSYS, Errno.ESPIPE);

export function sendObject(
  obj: PosixObject,
  fd: number,
  offset: number,
  length: number,
  chunk: number,
  progress?: (done: number) => void,
): boolean {
  obj.checkRange(offset, length);
  let done = 0;
  let told = 0;
  while (done < length) {
    let n: number;
    try {
      n = sendfile(fd, obj.fd, offset + done, Math.min(STEP, length - done));
    } catch (e) {
      if (done === 0 && cannot(e)) return false;
      throw e;
    }
    if (n === 0) throw obj.shrunk(done, 'read');
    done += n;
    if (progress && (done - told >= chunk || done === length)) progress((told = done));
  }
  return true;
}

export function receiveObject(
  obj: PosixObject,
  fd: number,
  offset: number,
  room: number,
  chunk: number,
  progress?: (done: number) => void,
): number | null {
  obj.checkRange(offset, room);
  const st = fstatSync(fd);
  const pipe = st.isFIFO();
  if (!pipe && !st.isFile()) return null;
  if (!pipe) seekTo(obj.fd, offset); // sendfile writes at the object's position
  let done = 0;
  let told = 0;
  while (done < room) {
    const want = Math.min(STEP_IN, room - done);
    // writing past the end would grow the object back: look first
    if (obj.currentSize() < offset + done + want) throw obj.shrunk(done, 'write');
    let n: number;
    try {
      n = sendfile(obj.fd, fd, null, want);
    } catch (e) {
      if (done === 0 && cannot(e)) return null;
      if (hasErrno(e, Errno.ENOSPC))
        throw new ShmError('write', Errno.ENOSPC, obj.name, `no space left in ${shmDir()}; ${done} bytes were written`);
      throw e;
    }
    if (n === 0) break;
    done += n;
    if (progress && (done - told >= chunk || done === room)) progress((told = done));
  }
  if (progress && told !== done) progress(done);
  return done;
}
