/**
 * `hexdump -C` layout, streamed: offsets are those of the segment, as
 * `hexdump -C -s OFFSET -n LENGTH` prints them for a file, and runs of
 * identical 16-byte lines are squeezed to one `*`, as hexdump does.
 *
 * The text is written as bytes into one output buffer of fixed size, handed
 * to `emit` whenever it fills: memory stays the same whatever the length.
 */

const DIGITS = Buffer.from('0123456789abcdef');
/** Each byte's two hex digits. */
const PAIRS = Buffer.alloc(512);
for (let i = 0; i < 256; i++) {
  PAIRS[i * 2] = DIGITS[i >> 4]!;
  PAIRS[i * 2 + 1] = DIGITS[i & 15]!;
}
const DOT = 0x2e;
const SPACE = 0x20;
/** The longest line: a 16-digit offset, two spaces, 49 of hex, " |", 16, "|\n". */
const MAX_LINE = 16 + 2 + 49 + 2 + 16 + 2;
const OUT_SIZE = 256 << 10;

export class HexDumper {
  #offset: number;
  readonly #previous = Buffer.alloc(16);
  #havePrevious = false;
  #squeezing = false;
  readonly #carry = Buffer.alloc(16);
  #carried = 0;
  #any = false;
  readonly #out = Buffer.allocUnsafe(OUT_SIZE);
  #used = 0;
  readonly #emit: (text: Buffer) => void;

  /** `emit` gets the text as it is made (a view of a buffer reused after it returns). */
  constructor(startOffset: number, emit: (text: Buffer) => void) {
    this.#offset = startOffset;
    this.#emit = emit;
  }

  #flush(): void {
    if (this.#used) this.#emit(this.#out.subarray(0, this.#used));
    this.#used = 0;
  }

  #room(): void {
    if (this.#used + MAX_LINE > OUT_SIZE) this.#flush();
  }

  #offsetText(): void {
    const text = this.#offset.toString(16).padStart(8, '0');
    this.#used += this.#out.write(text, this.#used, 'latin1');
  }

  /** One line of `n` (≤ 16) bytes of `bytes` from `at`. */
  #line(bytes: Buffer, at: number, n: number): void {
    this.#room();
    const out = this.#out;
    this.#offsetText();
    let p = this.#used;
    out[p++] = SPACE;
    out[p++] = SPACE;
    for (let i = 0; i < 16; i++) {
      if (i === 8) out[p++] = SPACE;
      if (i < n) {
        const b = bytes[at + i]!;
        out[p++] = PAIRS[b * 2]!;
        out[p++] = PAIRS[b * 2 + 1]!;
      } else {
        out[p++] = SPACE;
        out[p++] = SPACE;
      }
      out[p++] = SPACE;
    }
    out[p++] = SPACE;
    out[p++] = 0x7c; // |
    for (let i = 0; i < n; i++) {
      const b = bytes[at + i]!;
      out[p++] = b >= 0x20 && b < 0x7f ? b : DOT;
    }
    out[p++] = 0x7c;
    out[p++] = 0x0a;
    this.#used = p;
  }

  /** A whole 16-byte line at `at` of `bytes`: printed, or squeezed into a `*`. */
  #whole(bytes: Buffer, at: number): void {
    if (this.#havePrevious && bytes.compare(this.#previous, 0, 16, at, at + 16) === 0) {
      if (!this.#squeezing) {
        this.#room();
        this.#out[this.#used++] = 0x2a; // *
        this.#out[this.#used++] = 0x0a;
      }
      this.#squeezing = true;
    } else {
      this.#squeezing = false;
      this.#line(bytes, at, 16);
      bytes.copy(this.#previous, 0, at, at + 16);
      this.#havePrevious = true;
    }
    this.#offset += 16;
  }

  /** The next bytes; a partial last line waits for more or for end(). */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#any = true;
    let at = 0;
    if (this.#carried) {
      const take = Math.min(16 - this.#carried, chunk.length);
      chunk.copy(this.#carry, this.#carried, 0, take);
      this.#carried += take;
      at = take;
      if (this.#carried < 16) return;
      this.#whole(this.#carry, 0);
      this.#carried = 0;
    }
    const whole = at + Math.floor((chunk.length - at) / 16) * 16;
    for (; at < whole; at += 16) this.#whole(chunk, at);
    if (at < chunk.length) {
      chunk.copy(this.#carry, 0, at);
      this.#carried = chunk.length - at;
    }
  }

  /** The partial last line and the closing offset line, then everything is emitted. */
  end(): void {
    if (this.#any) {
      if (this.#carried) {
        this.#line(this.#carry, 0, this.#carried);
        this.#offset += this.#carried;
        this.#carried = 0;
      }
      this.#room();
      this.#offsetText();
      this.#out[this.#used++] = 0x0a;
    }
    this.#flush();
  }
}
