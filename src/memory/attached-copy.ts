/**
 * Copies between memory mapped in this process (an attachment, when its
 * file cannot be had) and a descriptor, done by the kernel through its own
 * mapping of memory — vmsplice(2) into a pipe, process_vm_readv/writev(2)
 * through a small buffer — never through ours. A copy through an attachment
 * takes a page fault, or on this kind of virtual machine a costly first
 * touch, for every 4 KiB page (measured: 4-5 s a GiB against 0.3-0.6 s).
 */
import { fstatSync } from 'node:fs';
import { Errno, hasErrno } from '../model/errors.js';
import { COPY_AREA, copyArea, copyWithinProcess, readSome, vmsplice, widenPipe, writeAll } from '../kernel/io.js';
import { throttle } from './file-copy.js';

/** The kernel will not make these calls here (a seccomp filter, an old kernel): the caller copies through windows. */
const cannotCopy = (e: unknown): boolean => hasErrno(e, Errno.EPERM, Errno.ENOSYS, Errno.EINVAL);

/** Bytes per vmsplice: the call hands over what the pipe has room for and returns. */
const SPLICE_STEP = 16 << 20;

/**
 * Hand [address, address + length) of memory mapped here to the pipe `fd`
 * by reference (vmsplice): no copy, and nothing of ours touches the pages —
 * the pipe's reader reads them from the kernel's own mapping of memory. The
 * reader therefore reads the memory as it is when it reads (at most a pipe's
 * capacity behind us). False when the kernel refuses before anything was
 * handed over.
 */
export function spliceMemoryOut(fd: number, address: number, length: number, chunk: number, progress?: (done: number) => void): boolean {
  widenPipe(fd);
  const report = throttle(progress, chunk, length);
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = vmsplice(fd, address + done, Math.min(SPLICE_STEP, length - done));
    } catch (e) {
      if (done === 0 && cannotCopy(e)) return false;
      throw e;
    }
    done += n;
    report.tell(done);
  }
  return true;
}

/**
 * Copy [address, address + length) of memory mapped here to `fd`: the
 * kernel copies it into a small buffer of ours (process_vm_readv, through its
 * own mapping of memory: no first touch of each page through ours), then
 * write(2). The bytes are taken when this runs, whatever the reader does
 * later. False when the kernel refuses the call (nothing written then).
 */
export function copyMemoryOut(fd: number, address: number, length: number, chunk: number, progress?: (done: number) => void): boolean {
  const area = copyArea();
  if (fstatSync(fd).isFIFO()) widenPipe(fd);
  const report = throttle(progress, chunk, length);
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = copyWithinProcess('read', area.address, address + done, Math.min(COPY_AREA, length - done));
    } catch (e) {
      if (done === 0 && cannotCopy(e)) return false;
      throw e;
    }
    writeAll(fd, n === COPY_AREA ? area.view : area.view.subarray(0, n));
    done += n;
    report.tell(done);
  }
  return true;
}

/**
 * Fill memory mapped here at `address` from `fd` until the input ends or
 * `room` bytes: read(2) into a small buffer of ours, then process_vm_writev
 * into the memory (the kernel writes through its own mapping: no page fault
 * or first touch per page through ours). Returns the bytes written, or null
 * when the kernel refuses the call — found out before any input is read.
 */
export function copyMemoryIn(fd: number, address: number, room: number, chunk: number, progress?: (done: number) => void): number | null {
  const area = copyArea();
  try {
    if (room > 0) copyWithinProcess('read', area.address, address, 1); // a look, before any input is consumed
  } catch (e) {
    if (cannotCopy(e)) return null;
    throw e;
  }
  if (fstatSync(fd).isFIFO()) widenPipe(fd);
  const report = throttle(progress, chunk, room);
  let done = 0;
  while (done < room) {
    const want = Math.min(COPY_AREA, room - done);
    let got = 0;
    while (got < want) {
      const n = readSome(fd, area.view, got, want - got);
      if (n === 0) break;
      got += n;
    }
    if (got > 0) done += copyWithinProcess('write', area.address, address + done, got);
    report.tell(done);
    if (got < want) break; // the input ended
  }
  report.last(done);
  return done;
}
