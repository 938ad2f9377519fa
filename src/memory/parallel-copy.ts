/**
 * A large file into fresh shared memory on two threads (copyFileInParallel), which meet where their speeds make
 * them meet: the fast way into memory that is not made yet. Plain copies: file-copy.ts.
 */
import { fstatSync } from 'node:fs';
import { Errno, hasErrno } from '../model/errors.js';
import { currentOffset, holeFrom, preadInThread, seekTo, sendfile } from '../kernel/io.js';
import { pageSize } from '../kernel/ffi.js';
import { MAP_SHARED, mmap, munmapInThread, populateForWrite, PROT_READ, PROT_WRITE } from '../kernel/posix.js';
import { cannotSend, copyIntoFile, throttle, type CopyIn } from './file-copy.js';

/** What copyFileInParallel needs besides copyIntoFile's. */
interface CopyInParallel extends CopyIn {
  /** The most of the copy (its end) the other thread may take; unless said, all but this thread's first turn. */
  share?: number;
  /** The error for the tail's memory found gone (EFAULT: the file was truncated), `done` bytes in. */
  gone?: (done: number) => unknown;
}

/** Bytes the other thread makes and fills per turn: large enough that a turn's hand-over costs nothing. */
const PIECE = 8 << 20;
/** Bytes this thread copies between looks at the event loop (where the other thread's next turn is started). */
const TURN = 4 << 20;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Copy `length` bytes of the regular file `input`, from its position, into
 * the tmpfs file `out` at `offset`, on two threads that meet where their
 * speeds make them meet. This one sendfile()s from the start: a write makes
 * each page as it fills it, the fastest way into fresh memory, but under the
 * file's lock. Another one fills pieces from the end backwards through a
 * mapping of its own: it makes a piece's pages (MADV_POPULATE_WRITE: page
 * faults, which take no lock of the file) and pread()s the input into them.
 * Each takes its next step from what is left between them, so however slow
 * a page fault is on this machine (5 µs, or 17 µs on a VM whose host took
 * the memory back) neither waits for the other: a fixed split (30% by page
 * faults, before) made the copy as slow as its slower half.
 *
 * Safe against truncation of `out` by another process: writes through a
 * mapping never grow a file, and memory past its new end is EFAULT to the
 * kernel's copy (never SIGBUS: no code of ours touches the mapping); this
 * thread looks first as copyIntoFile does (`before`). Returns the bytes
 * written from `offset` on without a gap (fewer if the input turned out
 * shorter), with the input's position where a plain copy would leave it;
 * null when the kernel cannot copy between these two (the first step shows
 * it, before anything is written).
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
  // the other thread's part begins on a page of `out` (a mapping cannot begin elsewhere)
  const earliest = how.share === undefined ? Math.min(length, TURN) : length * (1 - how.share);
  const region = Math.floor((offset + earliest) / page) * page - offset;
  if (from < 0 || !fstatSync(input).isFile() || region <= 0 || region >= length) return copyIntoFile(out, input, offset, length, how);
  return new ParallelCopy(out, input, { offset, length, region, from }, how).run();
}

/** One piece the other thread took: [start, start + size) of the copy, `got` bytes of it filled. */
interface Piece {
  start: number;
  size: number;
  got: number;
}

/** One copyFileInParallel: this thread sends from the start, the other fills pieces from the end. */
class ParallelCopy {
  #headDone = 0;
  /** Where the other thread's pieces begin (the copy's length while it has none): this thread stops there. */
  #floor: number;
  readonly #pieces: Piece[] = [];
  #tailDone = 0;
  /** This thread failed: the other stops after its piece. */
  #stop = false;
  /** The other thread's work, once started. */
  #filling: Promise<void> | null = null;
  readonly #progress: ReturnType<typeof throttle>;

  constructor(
    private readonly out: number,
    private readonly input: number,
    private readonly at: { offset: number; length: number; region: number; from: number },
    private readonly how: CopyInParallel,
  ) {
    this.#floor = at.length;
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
    const written = this.written();
    seekTo(this.input, this.at.from + written);
    this.#progress.last(written);
    return written;
  }

  /** What was written from the start without a gap: this thread's part, then the pieces in order while each is whole. */
  private written(): number {
    if (this.#headDone < this.#floor) return this.#headDone; // the input ended in this thread's part
    let written = this.#headDone;
    for (const p of [...this.#pieces].sort((a, b) => a.start - b.start)) {
      written += p.got;
      if (p.got < p.size) break;
    }
    return written;
  }

  private tell(): void {
    this.#progress.tell(this.#headDone + this.#tailDone);
  }

  /**
   * This thread's part, sendfile a turn at a time up to the other thread's
   * pieces, looking at the event loop between turns; false when the first
   * step shows the kernel cannot copy between these two. The other thread
   * is started after that first step.
   */
  private async sendHead(): Promise<boolean> {
    seekTo(this.out, this.at.offset); // sendfile writes at the output's position
    let turn = 0;
    while (this.#headDone < this.#floor) {
      const want = Math.min(this.how.step, TURN, this.#floor - this.#headDone);
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
      if (this.#filling === null) this.startTail();
      this.tell();
      if ((turn += n) >= TURN) {
        turn = 0;
        await nextTurn(); // the other thread's finished piece is answered with its next
      }
    }
    return true;
  }

  private startTail(): void {
    const { offset, length, region } = this.at;
    let address: number;
    try {
      address = mmap(0, length - region, PROT_READ | PROT_WRITE, MAP_SHARED, this.out, offset + region);
    } catch {
      this.#filling = Promise.resolve(); // no mapping (a file that cannot be mapped): this thread does it all
      return;
    }
    this.#filling = this.fillTail(address);
    this.#filling.catch(() => undefined); // its failure is taken by run(), once this thread's part is done
  }

  /**
   * The other thread's part: pieces from the end backwards, each taken only while this thread is a turn short of
   * it; its pages made (MADV_POPULATE_WRITE), then the input pread() into them.
   */
  private async fillTail(address: number): Promise<void> {
    const { offset, region, from } = this.at;
    const page = pageSize();
    try {
      while (!this.#stop) {
        const end = this.#floor;
        const start = Math.floor((offset + Math.max(region, end - PIECE)) / page) * page - offset;
        if (start < region || start >= end || start < this.#headDone + TURN) return; // this thread does the rest
        this.#floor = start;
        const piece: Piece = { start, size: end - start, got: 0 };
        this.#pieces.push(piece);
        const at = address + (start - region);
        await populateForWrite(at, piece.size);
        while (piece.got < piece.size) {
          let n: number;
          try {
            n = await preadInThread(this.input, at + piece.got, piece.size - piece.got, from + start + piece.got);
          } catch (e) {
            throw hasErrno(e, Errno.EFAULT) && this.how.gone ? this.how.gone(this.#headDone + this.#tailDone) : e;
          }
          if (n === 0) return; // the input is shorter than it was
          piece.got += n;
          this.#tailDone += n;
        }
        this.tell();
      }
    } finally {
      await munmapInThread(address, this.at.length - region);
    }
  }
}
