/**
 * Copies between a file of shared memory (a POSIX object's descriptor, or a
 * System V segment's own file) and another descriptor, done by the kernel:
 * sendfile(2), no buffer of ours. Writing into a tmpfs file takes no page
 * faults (the pages are made by the write itself), which is what makes this
 * the fast way into fresh memory.
 */
import { fstatSync } from 'node:fs';
import { Errno, hasErrno } from './model/errors.js';
import { seekTo, sendfile } from './kernel/io.js';

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
 * read from its position (a file, stdin redirected from one, or a pipe).
 * Returns the bytes written, or null when the kernel cannot copy between
 * these two (nothing was written then).
 */
export function copyIntoFile(out: number, input: number, offset: number, room: number, how: CopyIn): number | null {
  const st = fstatSync(input);
  const pipe = st.isFIFO();
  if (!pipe && !st.isFile()) return null;
  seekTo(out, offset); // sendfile writes at the output's position
  let done = 0;
  let told = 0;
  while (done < room) {
    const want = Math.min(how.step, room - done);
    how.before?.(done, want);
    let n: number;
    try {
      n = sendfile(out, input, null, want);
    } catch (e) {
      if (done === 0 && cannotSend(e)) return null;
      throw how.failure ? how.failure(e, done) : e;
    }
    if (n === 0) break;
    done += n;
    if (how.progress && (done - told >= how.chunk || done === room)) how.progress((told = done));
  }
  if (how.progress && told !== done) how.progress(done);
  return done;
}
