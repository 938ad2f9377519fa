/**
 * Synchronous reads and writes on raw descriptors that finish the job: they
 * loop over short transfers and wait out EAGAIN (a descriptor someone else
 * made non-blocking) and EINTR, so a pipe behaves like a file.
 */
import { call, callInThreadErrno, callPlain, fail, scratchArea, T } from './ffi.js';
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

/**
 * sendfile(2): up to `count` bytes from `inFd` at `offset` (its position is
 * left alone; null: from its position) to `outFd` (at its position), copied by the kernel with no buffer of ours. 0 at
 * the end of the input. EAGAIN and EINTR are waited out; other failures
 * throw (EINVAL or ENOSYS where the pair of files cannot do it).
 */
export function sendfile(outFd: number, inFd: number, offset: number | null, count: number): number {
  for (;;) {
    // offset null: from inFd's position, which then moves on, as read(2) would
    const area = scratchArea(8);
    if (offset !== null) area.view.writeBigInt64LE(BigInt(offset), 0);
    const r = call('sendfile', T.I64, [T.I32, T.I32, T.U64, T.U64], [outFd, inFd, offset === null ? 0 : area.address, count]);
    if (r.value >= 0) return r.value;
    if (r.errno === 11 /* EAGAIN */) Atomics.wait(pause, 0, 0, 1);
    else if (r.errno !== 4 /* EINTR */) fail('sendfile', r);
  }
}

/** lseek(2) to `offset` from the start. */
export function seekTo(fd: number, offset: number): void {
  const r = call('lseek', T.I64, [T.I32, T.I64, T.I32], [fd, offset, 0]);
  if (r.value < 0) fail('lseek', r);
}

/**
 * pread(2) of up to `count` bytes of `fd` at `offset` into memory at
 * `address` (a mapping), on a thread of its own; 0 at the end of the file.
 * Memory the kernel cannot write (a mapping past the end of a truncated
 * file) is EFAULT, thrown, never SIGBUS.
 */
export async function preadInThread(fd: number, address: number, count: number, offset: number): Promise<number> {
  for (;;) {
    const r = await callInThreadErrno('pread', T.I64, [T.I32, T.U64, T.U64, T.I64], [fd, address, count, offset]);
    if (r.value >= 0) return r.value;
    if (r.errno !== 4 /* EINTR */ && r.errno !== 11 /* EAGAIN */) fail('pread', r);
  }
}
