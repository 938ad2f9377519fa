/**
 * Synchronous reads and writes on raw descriptors that finish the job: they
 * loop over short transfers and wait out EAGAIN (a descriptor someone else
 * made non-blocking) and EINTR, so a pipe behaves like a file.
 */
import { callPlain, T } from './ffi.js';
import { readSync, writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

function retryable(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EAGAIN') {
    Atomics.wait(pause, 0, 0, 1); // 1 ms; no poll(2) in synchronous Node
    return true;
  }
  return code === 'EINTR';
}

/** Write all of `data` to `fd`. EPIPE is thrown for the caller to end quietly. */
export function writeAll(fd: number, data: Buffer | string): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let done = 0;
  while (done < buf.length) {
    try {
      done += writeSync(fd, buf, done, buf.length - done);
    } catch (e) {
      if (!retryable(e)) throw e;
    }
  }
}

/** One read(2) into buf[offset, offset + length); 0 at end of input. */
export function readSome(fd: number, buf: Buffer, offset: number, length: number): number {
  for (;;) {
    try {
      return readSync(fd, buf, offset, length, null);
    } catch (e) {
      if (!retryable(e)) throw e;
    }
  }
}

/** The current file offset of a descriptor, or -1 where it has none (pipes). */
export function currentOffset(fd: number): number {
  const SEEK_CUR = 1;
  return callPlain('lseek', T.I64, [T.I32, T.I64, T.I32], [fd, 0, SEEK_CUR]);
}
