/**
 * Copies between shared memory and another descriptor, done by the kernel.
 *
 * A file of shared memory (a POSIX object's descriptor, or a System V
 * segment's own file): sendfile(2) and splice(2), no buffer of ours. Writing
 * into a tmpfs file takes no page faults (the pages are made by the write
 * itself), which is what makes this the fast way into fresh memory.
 * Copies between memory mapped here and a descriptor: attached-copy.ts; a large file into fresh memory on two
 * threads: parallel-copy.ts.
 */
import { fstatSync } from 'node:fs';
import { Errno, hasErrno } from '../model/errors.js';
import { seekTo, sendfile, spliceFromPipe, waitForInput, widenPipe } from '../kernel/io.js';

/**
 * Progress told at most every `chunk` bytes and at `end` (the copies here
 * move a step at a time, far smaller than a progress bar's chunk);
 * `last(done)` tells what was not told yet.
 */
export function throttle(
  progress: ((done: number) => void) | undefined,
  chunk: number,
  end: number,
): { tell(done: number): void; last(done: number): void } {
  let told = 0;
  return {
    tell(done) {
      if (progress && (done - told >= chunk || done === end)) progress((told = done));
    },
    last(done) {
      if (progress && told !== done) progress((told = done));
    },
  };
}

/** The kernel cannot do it for this pair of files: the caller copies through windows. */
export const cannotSend = (e: unknown): boolean => hasErrno(e, Errno.EINVAL, Errno.ENOSYS, Errno.ESPIPE, Errno.EXDEV);

export interface CopyIn {
  /** Bytes per sendfile (the granularity of `before` and of progress). */
  step: number;
  /** Progress is told at most every `chunk` bytes, and at the end. */
  chunk: number;
  progress?: (done: number) => void;
  /** Called before each step with the bytes done and the step's size; throws to stop. */
  before?: (done: number, want: number) => void;
  /** Turn a failure after `done` bytes into the error to throw. */
  failure?: (e: unknown, done: number) => unknown;
}

/**
 * Fill `out` from `input` at `offset` until the input ends or `room` bytes
 * (never past: a write past a tmpfs file's end would grow it). The input is
 * read from its position (a file, stdin redirected from one: sendfile), or
 * is a pipe (splice: the kernel moves the pipe's pages into the file).
 * Returns the bytes written, or null when the kernel cannot copy between
 * these two (nothing was written then).
 */
export function copyIntoFile(out: number, input: number, offset: number, room: number, how: CopyIn): number | null {
  const st = fstatSync(input);
  const pipe = st.isFIFO();
  if (!pipe && !st.isFile()) return null;
  if (pipe) widenPipe(input);
  seekTo(out, offset); // sendfile writes at the output's position
  const progress = throttle(how.progress, how.chunk, room);
  let done = 0;
  let agreed = 0; // `before` has let the copy go up to here
  while (done < room) {
    // a pipe is spliced (sendfile takes no pipe for input), what it holds a call; `before` looks once input is there,
    // right before the write, never before a wait (a truncation meanwhile would be written over: the file regrown)
    if (pipe) waitForInput(input);
    if (pipe || done >= agreed) {
      const step = Math.min(how.step, room - done);
      how.before?.(done, step);
      agreed = done + step;
    }
    const want = agreed - done;
    let n: number;
    try {
      const moved = pipe ? spliceFromPipe(input, out, offset + done, want) : sendfile(out, input, null, want);
      if (moved === null) continue; // emptied by another reader meanwhile: wait again
      n = moved;
    } catch (e) {
      if (done === 0 && cannotSend(e)) return null;
      throw how.failure ? how.failure(e, done) : e;
    }
    if (n === 0) break;
    done += n;
    progress.tell(done);
  }
  progress.last(done);
  return done;
}

/**
 * sendfile(2) [offset, offset + length) of the file `input` to `out` (at its
 * position), a step at a time; false when the kernel cannot for this pair
 * (nothing was sent then). A short count before the end is an error (the
 * file is shorter than it should be): `short(done)` gives it.
 */
export function sendRange(
  out: number,
  input: number,
  offset: number,
  length: number,
  how: { step: number; chunk: number; progress?: (done: number) => void; short: (done: number) => unknown },
): boolean {
  const report = throttle(how.progress, how.chunk, length);
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = sendfile(out, input, offset + done, Math.min(how.step, length - done));
    } catch (e) {
      if (done === 0 && cannotSend(e)) return false;
      throw e;
    }
    if (n === 0) throw how.short(done);
    done += n;
    report.tell(done);
  }
  return true;
}
