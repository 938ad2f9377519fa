/**
 * Shared memory mapped into this process — a System V attachment (shmat) or
 * a POSIX mapping (mmap) — reached as Buffers over the memory itself (no
 * copy), each checked against the real size.
 *
 * Detaching is made safe for Buffers someone kept: the mapping is replaced,
 * in one mmap(MAP_FIXED), by private zero pages that reserve no memory. The
 * segment is detached all the same (nattch drops, as with shmdt), but a kept
 * Buffer reads zeros instead of faulting or reading whatever the process maps
 * there next. The placeholder is unmapped once every Buffer handed out has
 * been garbage-collected. Every method of a detached mapping throws.
 */
import { OperationError, UsageError } from '../model/errors.js';
import { externalBuffer } from '../kernel/ffi.js';
import { munmap, populateForWrite, replaceWithPlaceholder } from '../kernel/posix.js';
import { pageSize } from '../kernel/ffi.js';
import { checkRegionRange, type Region } from './region.js';

/** Largest Buffer one view may be (Node 20 caps Buffers at 4 GiB). */
const MAX_VIEW = 1 << 30;

interface Reservation {
  address: number;
  length: number;
  /** Views handed out and not yet collected. */
  live: number;
  /** Detached: the range holds the placeholder until `live` is 0. */
  released: boolean;
}

function unreserve(r: Reservation): void {
  if (r.released && r.live === 0) {
    r.released = false; // once
    munmap(r.address, r.length);
  }
}

const collected = new FinalizationRegistry<Reservation>((r) => {
  r.live--;
  unreserve(r);
});

export abstract class Mapping implements Region {
  #address: number;
  #reservation: Reservation;
  readonly size: number;
  readonly readonly: boolean;
  abstract readonly subject: string;

  protected constructor(address: number, size: number, mappedLength: number, readonly: boolean) {
    this.#address = address;
    this.size = size;
    this.readonly = readonly;
    this.#reservation = { address, length: mappedLength, live: 0, released: false };
  }

  get attached(): boolean {
    return this.#address !== 0;
  }

  /** Where the memory is mapped in this process. */
  get address(): number {
    this.check();
    return this.#address;
  }

  checkRange(offset: number, length: number): void {
    checkRegionRange(this.subject, this.size, offset, length, this.noun);
  }

  /** "segment" or "object", for messages. */
  get noun(): string {
    return 'segment';
  }

  /**
   * A Buffer sharing [offset, offset + length) of the memory; at most 1 GiB.
   * Do not keep it past detach(): it then reads zeros, not the memory.
   */
  view(offset: number, length: number): Buffer {
    this.check();
    this.checkRange(offset, length);
    if (length > MAX_VIEW) throw new UsageError(`a view is at most ${MAX_VIEW} bytes`);
    this.beforeView(offset, length);
    const buffer = externalBuffer(this.#address + offset, length);
    this.#reservation.live++;
    collected.register(buffer, this.#reservation);
    return buffer;
  }

  /** The whole memory as one Buffer (segments up to 1 GiB; larger ones through view()). */
  get buffer(): Buffer {
    return this.view(0, this.size);
  }

  readWindows(offset: number, length: number, chunk: number, each: (data: Buffer, at: number) => boolean | void): void {
    this.checkRange(offset, length);
    const step = Math.min(chunk, MAX_VIEW);
    for (let done = 0; done < length;) {
      const n = Math.min(step, length - done);
      if (each(this.view(offset + done, n), offset + done) === false) return;
      done += n;
    }
  }

  writeWindows(offset: number, length: number, chunk: number, fill: (window: Buffer) => number): number {
    if (this.readonly) throw new OperationError(this.subject, 'mapped read-only');
    this.checkRange(offset, length);
    const step = Math.min(chunk, MAX_VIEW);
    let done = 0;
    while (done < length) {
      const n = Math.min(step, length - done);
      const filled = fill(this.view(offset + done, n));
      done += filled;
      if (filled < n) break;
    }
    return done;
  }

  #pending: Promise<void> | null = null;

  /** Make the pages of [offset, offset + length) for writing on a thread of its own (see Region.prefetch). */
  prefetch(offset: number, length: number): void {
    this.check();
    this.checkRange(offset, length);
    if (this.readonly) return;
    // madvise wants a page-aligned start; the page it would have cut the copy makes itself
    const page = pageSize();
    const start = Math.ceil((this.#address + offset) / page) * page;
    const end = this.#address + offset + length;
    if (end - start < page) return;
    const started = populateForWrite(start, end - start);
    const before = this.#pending;
    this.#pending = before ? Promise.all([before, started]).then(() => undefined) : started;
  }

  /** Resolves once what prefetch() started is done: before detach. */
  async idle(): Promise<void> {
    const pending = this.#pending;
    this.#pending = null;
    await pending;
  }

  /** Detach; later calls do nothing. */
  detach(): void {
    if (this.#address === 0) return;
    this.#address = 0;
    const r = this.#reservation;
    if (r.live === 0) {
      this.unmap(r.address, r.length);
    } else {
      // Buffers are still out there: detach by putting the placeholder in.
      try {
        replaceWithPlaceholder(r.address, r.length);
        r.released = true;
      } catch {
        // Huge-page mappings cannot be replaced a small page at a time.
        this.unmap(r.address, r.length);
      }
    }
    this.afterUnmap();
  }

  /** Same as detach(): what every Region offers to let go of it. */
  close(): void {
    this.detach();
  }

  /** `using m = shm.attach()`: detached when the block ends, however it ends. */
  [Symbol.dispose](): void {
    this.detach();
  }

  /** The plain detach (shmdt, munmap), used when no view is left. */
  protected abstract unmap(address: number, length: number): void;
  /** What else detaching releases (a descriptor). */
  protected afterUnmap(): void {}
  /** A chance to refuse a view (a POSIX object that shrank). */
  protected beforeView(_offset: number, _length: number): void {}

  protected check(): void {
    if (this.#address === 0) throw new OperationError(this.subject, 'is no longer attached (detach() was called)');
  }
}
