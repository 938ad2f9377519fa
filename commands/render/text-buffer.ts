/**
 * Output built straight into one growing Buffer, printf-style: a listing of
 * 32,768 segments would otherwise make a few hundred thousand small strings
 * for the garbage collector. Widths count bytes, as C's printf does.
 */
export class TextBuffer {
  #buf = Buffer.allocUnsafe(1 << 16);
  #len = 0;

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(bigger, 0, 0, this.#len);
    this.#buf = bigger;
  }

  /**
   * Text as it is, in UTF-8. ASCII is copied a byte at a time in JavaScript:
   * for the short cells of a listing that is several times faster than a
   * Buffer.write call per cell.
   */
  put(s: string): this {
    this.#room(s.length * 3);
    const buf = this.#buf;
    const start = this.#len;
    let at = start;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.#len = start + buf.write(s, start, 'utf8');
        return this;
      }
      buf[at++] = c;
    }
    this.#len = at;
    return this;
  }

  /** %-Ns: left-aligned, padded to `width` bytes. */
  left(s: string | number, width: number): this {
    const start = this.#len;
    this.put(typeof s === 'number' ? String(s) : s);
    return this.#pad(width - (this.#len - start));
  }

  /** %-N.Ns: cut to `width` bytes, then padded to `width`. */
  cut(s: string, width: number): this {
    const start = this.#len;
    this.put(s);
    if (this.#len - start > width) this.#len = start + width;
    return this.#pad(width - (this.#len - start));
  }

  /** %Ns: right-aligned in `width` bytes. */
  right(s: string, width: number): this {
    return this.#pad(width - Buffer.byteLength(s)).put(s);
  }

  #pad(n: number): this {
    if (n <= 0) return this;
    this.#room(n);
    const buf = this.#buf;
    for (let i = 0; i < n; i++) buf[this.#len++] = 0x20;
    return this;
  }

  toBuffer(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}
