/**
 * Moving bytes between descriptors and an attached segment. The kernel copies
 * straight into or out of the segment's memory (a Buffer over it, never a copy
 * of the segment in the heap), a window of at most VIEW_CHUNK at a time.
 */
import { OperationError } from './errors.js';
import { readSome, writeAll } from './io.js';
import { describeId, type Attachment } from './shm.js';

/**
 * Bytes per window of the segment: a view is a few FFI calls, so as large as
 * one view may be (1 GiB); a read(2) or write(2) is as large as the kernel takes.
 */
export const VIEW_CHUNK = 1 << 30;

/** Copy `data` into the segment at `offset`; refuses before writing if it does not fit. */
export function writeBuffer(att: Attachment, offset: number, data: Buffer): number {
  att.checkRange(offset, data.length);
  for (let done = 0; done < data.length; ) {
    const n = Math.min(VIEW_CHUNK, data.length - done);
    data.copy(att.view(offset + done, n), 0, done, done + n);
    done += n;
  }
  return data.length;
}

/**
 * Stream `fd` into the segment from `offset` until end of input. When the
 * input's length is known the caller checks it first (checkRange); here, input
 * that turns out longer than the room left stops at the segment's end and
 * fails, saying how much was written.
 */
export function writeFromFd(att: Attachment, fd: number, offset: number): number {
  att.checkRange(offset, 0);
  let position = offset;
  while (position < att.size) {
    const window = Math.min(VIEW_CHUNK, att.size - position);
    const view = att.view(position, window);
    let filled = 0;
    while (filled < window) {
      const n = readSome(fd, view, filled, window - filled);
      if (n === 0) return position + filled - offset;
      filled += n;
    }
    position += window;
  }
  const probe = Buffer.alloc(1);
  if (readSome(fd, probe, 0, 1) > 0) {
    const written = position - offset;
    throw new OperationError(
      describeId(att.id),
      `input is longer than the ${written} bytes from offset ${offset} to the end of the segment (${att.size} bytes); ` +
        `the first ${written} bytes were written`,
    );
  }
  return position - offset;
}

/** Copy [offset, offset + length) of the segment to `fd`. */
export function readToFd(att: Attachment, fd: number, offset: number, length: number): void {
  att.checkRange(offset, length);
  for (let done = 0; done < length; ) {
    const n = Math.min(VIEW_CHUNK, length - done);
    writeAll(fd, att.view(offset + done, n));
    done += n;
  }
}

/** Call `each` with successive views of [offset, offset + length), `chunk` bytes at a time. */
export function forEachView(
  att: Attachment,
  offset: number,
  length: number,
  chunk: number,
  each: (view: Buffer, at: number) => boolean | void,
): void {
  att.checkRange(offset, length);
  for (let done = 0; done < length; ) {
    const n = Math.min(chunk, length - done);
    if (each(att.view(offset + done, n), offset + done) === false) return;
    done += n;
  }
}
