/**
 * Moving bytes between descriptors and shared memory (any Region: a System V
 * attachment, a POSIX mapping or descriptor). For mappings the kernel copies
 * straight into or out of the memory (a Buffer over it, never a copy in the
 * heap), a window of at most VIEW_CHUNK at a time.
 */
import { OperationError } from '../model/errors.js';
import { readSome, writeAll } from '../kernel/io.js';
import type { Region } from './region.js';

/**
 * Bytes per window: a view is a few FFI calls, so as large as one view may be
 * (1 GiB); a read(2) or write(2) is as large as the kernel takes.
 */
const VIEW_CHUNK = 1 << 30;

/** Told after each window, with the bytes moved so far. */
export type Progress = (done: number) => void;

/** Copy `data` into the region at `offset`; refuses before writing if it does not fit. */
export function writeBuffer(region: Region, offset: number, data: Buffer, progress?: Progress, chunk = VIEW_CHUNK): number {
  region.checkRange(offset, data.length);
  let done = 0;
  return region.writeWindows(offset, data.length, chunk, (window) => {
    const n = data.copy(window, 0, done, done + window.length);
    done += n;
    progress?.(done);
    return n;
  });
}

/**
 * Stream `fd` into the region from `offset` until end of input. When the
 * input's length is known the caller checks it first (checkRange); here, input
 * that turns out longer than the room left stops at the region's end and
 * fails, saying how much was written.
 */
export function writeFromFd(
  region: Region,
  fd: number,
  offset: number,
  progress?: Progress,
  chunk = VIEW_CHUNK,
  beforeWindows?: () => void,
): number {
  region.checkRange(offset, 0);
  const room = region.size - offset;
  const direct = region.receiveFrom?.(fd, offset, room, chunk, progress);
  if (direct !== undefined && direct !== null) {
    if (direct === room) tooLong(region, fd, offset, direct);
    return direct;
  }
  beforeWindows?.();
  let total = 0;
  const written = region.writeWindows(offset, room, chunk, (window) => {
    let filled = 0;
    while (filled < window.length) {
      const n = readSome(fd, window, filled, window.length - filled);
      if (n === 0) break;
      filled += n;
    }
    total += filled;
    progress?.(total);
    return filled;
  });
  if (written === room) tooLong(region, fd, offset, written);
  return written;
}

/** The region is full: fail if the input has more. */
function tooLong(region: Region, fd: number, offset: number, written: number): void {
  const probe = Buffer.alloc(1);
  if (readSome(fd, probe, 0, 1) > 0) {
    throw new OperationError(
      region.subject,
      `input is longer than the ${written} bytes from offset ${offset} to the end of the ${region.noun} (${region.size} bytes); ` +
        `the first ${written} bytes were written`,
    );
  }
}

/**
 * Copy [offset, offset + length) of the region to `fd`. `snapshot`: the
 * bytes as they are during this call, never handed to a pipe by reference
 * (see Region.sendTo) — for a copy made under a lock.
 */
export function readToFd(
  region: Region,
  fd: number,
  offset: number,
  length: number,
  progress?: Progress,
  chunk = VIEW_CHUNK,
  snapshot = false,
): void {
  if (region.sendTo?.(fd, offset, length, chunk, progress, snapshot)) return;
  let done = 0;
  region.readWindows(offset, length, chunk, (data) => {
    writeAll(fd, data);
    done += data.length;
    progress?.(done);
  });
}

/**
 * Write `length` bytes of a regular file (from its position) into the region
 * at `offset`, as fast as the region allows: a large copy into fresh memory
 * of a file of shared memory on two threads (Region.fillFromFile); otherwise
 * the kernel's copy (Region.receiveFrom); where it has none, through windows
 * of the mapping, with the pages of its second half made on another thread
 * (prefetchAhead). Input longer than `length` (a file
 * that grew) goes on to the region's end, as writeFromFd does.
 */
export async function writeFile(
  region: Region,
  fd: number,
  offset: number,
  length: number,
  progress?: Progress,
  chunk = VIEW_CHUNK,
): Promise<number> {
  region.checkRange(offset, length);
  if (length >= PREFETCH_FROM && region.fillFromFile) {
    const written = await region.fillFromFile(fd, offset, length, chunk, progress);
    if (written !== null) {
      if (written < length) return written; // the input ended early
      if (offset + written === region.size) {
        tooLong(region, fd, offset, written); // a file that grew meanwhile: it fails as writeFromFd's would
        return written;
      }
      const more = writeFromFd(region, fd, offset + written, progress && ((done) => progress(written + done)), chunk);
      return written + more;
    }
  }
  // the pages of the second half made ahead only for a copy through the windows (the kernel's copies need no such help)
  return writeFromFd(region, fd, offset, progress, chunk, () => prefetchAhead(region, offset, length));
}

/**
 * Split a large copy into an attachment of `length` bytes at `offset`
 * between two threads: the pages of its second half are made on another
 * thread while this one copies (and makes, by page faults) the first.
 * Disjoint halves: two threads on the same pages only get in each other's
 * way (measured).
 */
function prefetchAhead(region: Region, offset: number, length: number): void {
  if (!region.prefetch || length < PREFETCH_FROM) return;
  const half = Math.floor(length / 2);
  region.prefetch(offset + half, length - half);
}

/** Copies smaller than this gain nothing from a second thread. */
const PREFETCH_FROM = 8 << 20;
