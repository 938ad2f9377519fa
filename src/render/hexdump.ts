/**
 * `hexdump -C` layout, streamed: offsets are those of the segment, as
 * `hexdump -C -s OFFSET -n LENGTH` prints them for a file, and runs of
 * identical 16-byte lines are squeezed to one `*`, as hexdump does.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const ASCII = Array.from({ length: 256 }, (_, i) => (i >= 0x20 && i < 0x7f ? String.fromCharCode(i) : '.'));

function line(offset: number, bytes: Buffer, start: number, end: number): string {
  let hex = '';
  let text = '';
  for (let i = 0; i < 16; i++) {
    const at = start + i;
    if (i === 8) hex += ' ';
    if (at < end) {
      const b = bytes[at]!;
      hex += HEX[b] + ' ';
      text += ASCII[b];
    } else {
      hex += '   ';
    }
  }
  return `${offset.toString(16).padStart(8, '0')}  ${hex} |${text}|\n`;
}

export class HexDumper {
  #offset: number;
  #previous: Buffer | null = null;
  #squeezing = false;
  #carry: Buffer = Buffer.alloc(0);
  #any = false;

  constructor(startOffset: number) {
    this.#offset = startOffset;
  }

  /** Text for the next bytes; a partial last line waits for more or for end(). */
  push(chunk: Buffer): string {
    if (chunk.length === 0) return '';
    this.#any = true;
    const data = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk;
    const whole = data.length - (data.length % 16);
    const out: string[] = [];
    for (let at = 0; at < whole; at += 16) {
      const current = data.subarray(at, at + 16);
      if (this.#previous && this.#previous.equals(current)) {
        if (!this.#squeezing) out.push('*\n');
        this.#squeezing = true;
      } else {
        this.#squeezing = false;
        out.push(line(this.#offset, data, at, at + 16));
      }
      this.#previous = Buffer.from(current);
      this.#offset += 16;
    }
    this.#carry = Buffer.from(data.subarray(whole));
    return out.join('');
  }

  /** The partial last line and the closing offset line. */
  end(): string {
    if (!this.#any) return '';
    let out = '';
    if (this.#carry.length) {
      out += line(this.#offset, this.#carry, 0, this.#carry.length);
      this.#offset += this.#carry.length;
      this.#carry = Buffer.alloc(0);
    }
    return out + this.#offset.toString(16).padStart(8, '0') + '\n';
  }
}
