/**
 * Copies between shared memory and another descriptor, done by the kernel.
 *
 * A file of shared memory (a POSIX object's descriptor, or a System V
 * segment's own file): sendfile(2) and splice(2), no buffer of ours. Writing
 * into a tmpfs file takes no page faults (the pages are made by the write
 * itself), which is what makes this the fast way into fresh memory.
 * Copies between memory mapped here and a descriptor: attached-copy.ts.
 */
import { fstatSync } from 'node:fs';
import { Errno, hasErrno } from '../model/errors.js';
import { currentOffset, holeFrom, preadInThread, seekTo, sendfile, spliceFromPipe, waitForInput, widenPipe } from '../kernel/io.js';
import { pageSize } from '../kernel/ffi.js';
import { MAP_SHARED, mmap, munmapInThread, populateForWrite, PROT_READ, PROT_WRITE } from '../kernel/posix.js';

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
const cannotSend = (e: unknown): boolean => hasErrno(e, Errno.EINVAL, Errno.ENOSYS, Errno.ESPIPE, Errno.EXDEV);

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

/** What copyFileInParallel needs besides copyIntoFile's. */
interface CopyInParallel extends CopyIn {
  /** The share of the copy the other thread does (the tail), through a mapping of its own; PARALLEL_SHARE unless said. */
  share?: number;
  /** The error for the tail's memory found gone (EFAULT: the file was truncated), `done` bytes in. */
  gone?: (done: number) => unknown;
}

/**
 * The other thread's share. Per byte it does 2-3× the work of this one
 * (making pages by page faults zeroes and maps them; a write does neither),
 * and the two slow each other down on the file's page cache: measured on
 * 1 GiB, 30% lets both end together.
 */
const PARALLEL_SHARE = 0.3;

/** Bytes the other thread makes and fills per turn: large enough that a turn's hand-over costs nothing. */
const PIECE = 8 << 20;
/** Bytes this thread copies between looks at the event loop (where the other thread's next turn is started). */
const TURN = 4 << 20;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Copy `length` bytes of the regular file `input`, from its position, into
 * the tmpfs file `out` at `offset`, on two threads. This one sendfile()s the
 * head: a write makes each page as it fills it, the fastest way into fresh
 * memory, but under the file's lock. Another one fills the tail through a
 * mapping of its own: it makes a piece's pages (MADV_POPULATE_WRITE: page
 * faults, which take no lock of the file) and pread()s the input into them,
 * piece after piece, then unmaps it — so the two work side by side.
 *
 * Safe against truncation of `out` by another process: writes through a
 * mapping never grow a file, and memory past its new end is EFAULT to the
 * kernel's copy (never SIGBUS: no code of ours touches the mapping); the
 * head looks first as copyIntoFile does (`before`). Returns the bytes
 * written (fewer if the input turned out shorter), with the input's position
 * where a plain copy would leave it; null when the kernel cannot copy between
 * these two (the first step shows it, before anything is written).
 */
export async function copyFileInParallel(
  out: number,
  input: number,
  offset: number,
  length: number,
  how: CopyInParallel,
): Promise<number | null> {
  // memory already made throughout (a filled segment or object) gains nothing from making it ahead: one plain copy
  const hole = holeFrom(out, offset);
  if (hole >= offset + length) return copyIntoFile(out, input, offset, length, how);
  const page = pageSize();
  const from = currentOffset(input);
  // the tail starts on a page of `out`: a mapping cannot start elsewhere
  const head = Math.floor((offset + length * (1 - (how.share ?? PARALLEL_SHARE))) / page) * page - offset;
  if (from < 0 || !fstatSync(input).isFile() || head <= 0 || head >= length) return copyIntoFile(out, input, offset, length, how);
  return new ParallelCopy(out, input, { offset, length, head, from }, how).run();
}

/** One copyFileInParallel: this thread sends the head, the other fills the tail through a mapping. */
class ParallelCopy {
  readonly #tail: number;
  /** Where this thread stops: the head's end, or the end of all when the tail cannot be mapped. */
  #headEnd: number;
  #headDone = 0;
  #tailDone = 0;
  /** This thread failed: the other stops after its piece. */
  #stop = false;
  /** The other thread's work, once started. */
  #filling: Promise<void> | null = null;
  readonly #progress: ReturnType<typeof throttle>;

  constructor(
    private readonly out: number,
    private readonly input: number,
    private readonly at: { offset: number; length: number; head: number; from: number },
    private readonly how: CopyInParallel,
  ) {
    this.#tail = at.length - at.head;
    this.#headEnd = at.head;
    this.#progress = throttle(how.progress, how.chunk, at.length);
  }

  /** The bytes written, with the input's position where a plain copy would leave it; null when the kernel cannot. */
  async run(): Promise<number | null> {
    let failed: unknown = null;
    try {
      if (!(await this.sendHead())) return null; // nothing written
    } catch (e) {
      failed = e;
      this.#stop = true;
    }
    try {
      await this.#filling;
    } catch (e) {
      failed ??= e;
    }
    if (failed) throw failed;
    const written = this.#headDone < this.#headEnd || this.#filling === null ? this.#headDone : this.at.head + this.#tailDone;
    seekTo(this.input, this.at.from + written);
    this.#progress.last(written);
    return written;
  }

  private tell(): void {
    this.#progress.tell(this.#headDone + this.#tailDone);
  }

  /**
   * This thread's part, sendfile a turn at a time, looking at the event loop
   * between turns; false when the first step shows the kernel cannot copy
   * between these two. The tail is started after that first step.
   */
  private async sendHead(): Promise<boolean> {
    seekTo(this.out, this.at.offset); // sendfile writes at the output's position
    let turn = 0;
    while (this.#headDone < this.#headEnd) {
      const want = Math.min(this.how.step, TURN, this.#headEnd - this.#headDone);
      this.how.before?.(this.#headDone, want);
      let n: number;
      try {
        n = sendfile(this.out, this.input, null, want);
      } catch (e) {
        if (this.#headDone === 0 && cannotSend(e)) return false;
        throw this.how.failure ? this.how.failure(e, this.#headDone) : e;
      }
      if (n === 0) break; // the input is shorter than it was
      this.#headDone += n;
      if (this.#filling === null && this.#headEnd === this.at.head) this.startTail();
      this.tell();
      if ((turn += n) >= TURN) {
        turn = 0;
        await nextTurn(); // the other thread's finished turn is answered with its next
      }
    }
    return true;
  }

  private startTail(): void {
    let address: number;
    try {
      address = mmap(0, this.#tail, PROT_READ | PROT_WRITE, MAP_SHARED, this.out, this.at.offset + this.at.head);
    } catch {
      this.#headEnd = this.at.length; // no mapping (a file that cannot be mapped): this thread does it all
      return;
    }
    this.#filling = this.fillTail(address);
    this.#filling.catch(() => undefined); // its failure is taken by run(), once this thread's part is done
  }

  /** The other thread's part: make a piece's pages (MADV_POPULATE_WRITE), pread the input into them, piece after piece. */
  private async fillTail(address: number): Promise<void> {
    try {
      while (this.#tailDone < this.#tail && !this.#stop) {
        const piece = Math.min(PIECE, this.#tail - this.#tailDone);
        await populateForWrite(address + this.#tailDone, piece);
        for (let got = 0; got < piece;) {
          let n: number;
          try {
            n = await preadInThread(this.input, address + this.#tailDone, piece - got, this.at.from + this.at.head + this.#tailDone);
          } catch (e) {
            throw hasErrno(e, Errno.EFAULT) && this.how.gone ? this.how.gone(this.#headDone + this.#tailDone) : e;
          }
          if (n === 0) return; // the input is shorter than it was
          got += n;
          this.#tailDone += n;
        }
        this.tell();
      }
    } finally {
      await munmapInThread(address, this.#tail);
    }
  }
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
