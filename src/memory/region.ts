/**
 * What the copy loops (transfer.ts) need of the memory they move bytes into
 * or out of, whether it is a System V attachment, a POSIX mapping, or a POSIX
 * object reached through its descriptor: its size, a bounds check, and
 * windows over a range. One set of loops serves all of them.
 */
import { OperationError, UsageError } from '../model/errors.js';

export interface Region {
  /** Bytes, as known when it was opened or attached. */
  readonly size: number;
  /** How errors name it: "id 5", "/name". */
  readonly subject: string;
  /** What it is, in messages: "segment" (System V) or "object" (POSIX). */
  readonly noun: string;
  /** Throws unless [offset, offset + length) lies inside. */
  checkRange(offset: number, length: number): void;
  /**
   * Successive windows over [offset, offset + length), at most `chunk` bytes
   * each, in order; each Buffer is valid only during its call. `each` returns
   * false to stop early.
   */
  readWindows(offset: number, length: number, chunk: number, each: (data: Buffer, at: number) => boolean | void): void;
  /**
   * Successive writable windows over [offset, offset + length): `fill` puts
   * bytes at the start of the window and returns how many. Fewer than the
   * window's length ends the writing. Returns the bytes written.
   */
  writeWindows(offset: number, length: number, chunk: number, fill: (window: Buffer) => number): number;
  /** Detach or close; later calls do nothing. */
  close(): void;
  /** `using r = shm.region()`: close() when the block ends. */
  [Symbol.dispose](): void;
  /**
   * Copy [offset, offset + length) to `fd` by the kernel, without touching
   * the memory through a mapping of ours; false when the kernel cannot for
   * this pair (the caller then copies through windows). Into a pipe the
   * kernel may hand over the memory's pages by reference (its reader then
   * reads them as they are when it reads); `snapshot` asks for the bytes as
   * they are during the call instead (a lock is held for the copy).
   */
  sendTo?(fd: number, offset: number, length: number, chunk: number, progress?: (done: number) => void, snapshot?: boolean): boolean;
  /**
   * Fill from `fd`, at `offset`, inside the kernel (sendfile from a file,
   * splice from a pipe) until the input ends or `room` bytes; null when the
   * kernel cannot (the caller copies through windows). Returns the bytes written.
   */
  receiveFrom?(fd: number, offset: number, room: number, chunk: number, progress?: (done: number) => void): number | null;
  /**
   * Fill [offset, offset + length) from the regular file `fd` (from its
   * position) on two threads (see copyFileInParallel); null when it cannot
   * here (the caller copies with receiveFrom or windows). Resolves to the
   * bytes written: fewer if the input turned out shorter.
   */
  fillFromFile?(fd: number, offset: number, length: number, chunk: number, progress?: (done: number) => void): Promise<number | null>;
  /**
   * Start making the pages of [offset, offset + length) on another thread,
   * ahead of a copy that will reach them (a copy into fresh memory is bound by
   * making its pages). Wait for idle() before close.
   */
  prefetch?(offset: number, length: number): void;
  /** Resolves once what prefetch() started is done. */
  idle?(): Promise<void>;
}

/** The bounds rule every region applies, with the same words. */
export function checkRegionRange(subject: string, size: number, offset: number, length: number, what = 'segment'): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new UsageError(`bad range offset ${offset} length ${length}`);
  }
  if (offset > size) throw new OperationError(subject, `offset ${offset} is past the end of the ${what} (${size} bytes)`);
  if (length > size - offset) {
    throw new OperationError(subject, `offset ${offset} + length ${length} passes the end of the ${what} (${size} bytes)`);
  }
}
