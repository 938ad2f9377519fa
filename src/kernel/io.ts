/**
 * Synchronous reads and writes on raw descriptors that finish the job: they
 * loop over short transfers and wait out EAGAIN (a descriptor someone else
 * made non-blocking) and EINTR, so a pipe behaves like a file.
 */
import { Errno, hasErrno, ShmError } from '../model/errors.js';
import { call, callInThreadErrno, callPlain, externalBuffer, fail, scratchArea, T } from './ffi.js';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

function retryable(e: unknown): boolean {
  if (hasErrno(e, Errno.EAGAIN)) {
    Atomics.wait(pause, 0, 0, 1); // 1 ms; no poll(2) in synchronous Node
    return true;
  }
  return hasErrno(e, Errno.EINTR);
}

/**
 * Write all of `data` to `fd` (pieces of text: each as it comes). Failures are ShmErrors; EPIPE is thrown for the
 * caller to end quietly.
 */
export function writeAll(fd: number, data: Buffer | string | Iterable<string>): void {
  if (typeof data !== 'string' && !Buffer.isBuffer(data)) {
    for (const piece of data) writeAll(fd, piece);
    return;
  }
  if (typeof data === 'string' && data.length > TEXT_CHUNK) return writeText(fd, data);
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let done = 0;
  while (done < buf.length) {
    try {
      done += writeSync(fd, buf, done, buf.length - done);
    } catch (e) {
      if (!retryable(e)) throw ShmError.fromNode(e, 'write');
    }
  }
}

/** Characters of text encoded at a time (at most 3 bytes each in UTF-8: the buffer below holds them). */
const TEXT_CHUNK = 64 << 10;
let textBuffer: Buffer | undefined;

/**
 * A long text (a listing of 32,768 segments is ~10 MB) encoded a piece at a time into one reused buffer: no copy of
 * it all in fresh memory, which costs more than the encoding where a first touch of a page is slow.
 */
function writeText(fd: number, text: string): void {
  textBuffer ??= Buffer.allocUnsafe(TEXT_CHUNK * 3);
  for (let at = 0; at < text.length;) {
    let end = Math.min(text.length, at + TEXT_CHUNK);
    // never between the two halves of a surrogate pair
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const n = textBuffer.write(text.substring(at, end), 0, 'utf8');
    writeAll(fd, textBuffer.subarray(0, n));
    at = end;
  }
}

/**
 * A file read whole into `buf` (or a larger one when it is too small), in as few read(2)s as the kernel allows: for
 * /proc files, which have no size. The buffer read into, and how much of it the file filled.
 */
export function readWhole(path: string, buf: Buffer): { buf: Buffer; length: number } {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) return { buf, length };
      length += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** One read(2) into buf[offset, offset + length); 0 at end of input. */
export function readSome(fd: number, buf: Buffer, offset: number, length: number): number {
  for (;;) {
    try {
      return readSync(fd, buf, offset, length, null);
    } catch (e) {
      if (!retryable(e)) throw ShmError.fromNode(e, 'read');
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

/**
 * Wait until the pipe `fd` has something to read, or its writers are gone
 * (poll(2) for POLLIN): what a caller must look at before writing (a
 * POSIX object's size) is then looked at right before the write, not before
 * a wait of unknown length.
 */
export function waitForInput(fd: number): void {
  for (;;) {
    const area = scratchArea(8);
    area.view.writeInt32LE(fd, 0);
    area.view.writeInt16LE(1 /* POLLIN */, 4);
    area.view.writeInt16LE(0, 6);
    const r = call('poll', T.I32, [T.U64, T.U64, T.I32], [area.address, 1, -1]);
    if (r.value >= 0) return;
    if (r.errno !== 4 /* EINTR */) fail('poll', r);
  }
}

/**
 * splice(2) of what the pipe `inFd` holds now, up to `count` bytes, into
 * `outFd` at `outOffset` (its position is left alone), moved by the kernel
 * with no buffer of ours; it does not wait for input (SPLICE_F_NONBLOCK:
 * see waitForInput). 0 at the end of the input, null when the pipe is empty
 * for now. Other failures throw (EINVAL where the output cannot take it).
 */
export function spliceFromPipe(inFd: number, outFd: number, outOffset: number, count: number): number | null {
  const SPLICE_F_NONBLOCK = 2;
  for (;;) {
    const area = scratchArea(8);
    area.view.writeBigInt64LE(BigInt(outOffset), 0);
    const r = call('splice', T.I64, [T.I32, T.U64, T.I32, T.U64, T.U64, T.U32], [inFd, 0, outFd, area.address, count, SPLICE_F_NONBLOCK]);
    if (r.value >= 0) return r.value;
    if (r.errno === 11 /* EAGAIN */) return null;
    if (r.errno !== 4 /* EINTR */) fail('splice', r);
  }
}

/**
 * vmsplice(2): hand up to `count` bytes of this process's memory at
 * `address` to the pipe `fd` by reference — the pages themselves, not a copy:
 * its reader reads the memory as it is when it reads. Returns the bytes
 * handed over; EAGAIN and EINTR are waited out.
 */
export function vmsplice(fd: number, address: number, count: number): number {
  for (;;) {
    const area = scratchArea(16);
    area.view.writeBigUInt64LE(BigInt(address), 0);
    area.view.writeBigUInt64LE(BigInt(count), 8);
    const r = call('vmsplice', T.I64, [T.I32, T.U64, T.U64, T.U32], [fd, area.address, 1, 0]);
    if (r.value >= 0) return r.value;
    if (r.errno === 11 /* EAGAIN */) Atomics.wait(pause, 0, 0, 1);
    else if (r.errno !== 4 /* EINTR */) fail('vmsplice', r);
  }
}

/**
 * process_vm_readv(2) or process_vm_writev(2) on this very process: copy
 * `count` bytes between `local` and `remote` (both addresses of ours). The
 * kernel reaches `remote`'s pages by their page table entries and copies
 * through its own mapping of memory, not through ours: no page fault and no
 * first touch of each page by this process, which a copy through an
 * attachment pays per 4 KiB page. Returns the bytes copied.
 */
export function copyWithinProcess(direction: 'read' | 'write', local: number, remote: number, count: number): number {
  const area = scratchArea(32);
  area.view.writeBigUInt64LE(BigInt(local), 0);
  area.view.writeBigUInt64LE(BigInt(count), 8);
  area.view.writeBigUInt64LE(BigInt(remote), 16);
  area.view.writeBigUInt64LE(BigInt(count), 24);
  const name = direction === 'read' ? 'process_vm_readv' : 'process_vm_writev';
  for (;;) {
    const r = call(name, T.I64, [T.I32, T.U64, T.U64, T.U64, T.U64, T.U64], [process.pid, area.address, 1, area.address + 16, 1, 0]);
    if (r.value >= 0) return r.value;
    if (r.errno !== 4 /* EINTR */) fail(name, r);
  }
}

/** Bytes of the bounce buffer (copyArea): large enough that a call's cost is nothing, small enough to stay in cache. */
export const COPY_AREA = 1 << 20;
let copyAreaCache: { address: number; view: Buffer } | undefined;

/**
 * One malloc'd buffer of COPY_AREA bytes for copies through this process
 * (copyWithinProcess on one side, read(2) or write(2) on the other), made on
 * first use and kept: constant memory whatever the size of the copy.
 */
export function copyArea(): { address: number; view: Buffer } {
  if (!copyAreaCache) {
    const address = callPlain('malloc', T.U64, [T.U64], [COPY_AREA]);
    if (!address) fail('malloc', { value: 0, errno: 12, message: 'Cannot allocate memory' });
    copyAreaCache = { address, view: externalBuffer(address, COPY_AREA) };
  }
  return copyAreaCache;
}

/**
 * Where the first hole (memory never made, in a tmpfs file) at or after
 * `offset` begins: lseek(2) SEEK_HOLE; the file's end when there is none,
 * -1 where the file cannot say.
 */
export function holeFrom(fd: number, offset: number): number {
  const SEEK_HOLE = 4;
  return callPlain('lseek', T.I64, [T.I32, T.I64, T.I32], [fd, offset, SEEK_HOLE]);
}

/** What a pipe is widened to (widenPipe): the most an unprivileged user may ask for (fs.pipe-max-size's default). */
const PIPE_WIDTH = 1 << 20;

/**
 * Let the pipe `fd` hold PIPE_WIDTH bytes (fcntl F_SETPIPE_SZ) when it holds
 * less, so that a copy through it takes a call per MiB instead of per 64 KiB.
 * Nothing else about the pipe changes; where the kernel refuses (a user's
 * pipe quota), it stays as it was.
 */
export function widenPipe(fd: number): void {
  const F_SETPIPE_SZ = 1031;
  const F_GETPIPE_SZ = 1032;
  const now = callPlain('fcntl', T.I32, [T.I32, T.I32], [fd, F_GETPIPE_SZ]);
  if (now >= 0 && now < PIPE_WIDTH) callPlain('fcntl', T.I32, [T.I32, T.I32, T.I32], [fd, F_SETPIPE_SZ, PIPE_WIDTH]);
}
