/**
 * Sizes as util-linux's size_to_human_string(SIZE_SUFFIX_1LETTER) prints them:
 * powers of 1024 with one letter (B K M G T P E), one decimal rounded half-up
 * from three truncated digits, and no ".0" (1536 → "1.5K", 1048575 → "1024K").
 * BigInt, because the kernel's limits use all 64 bits.
 */
const LETTERS = 'BKMGTPE';
/** The largest unsigned 64-bit value: where the kernel's counters and util-linux's sums clamp. */
export const U64_MAX = (1n << 64n) - 1n;

function exponent(n: bigint): number {
  let shift = 10;
  for (; shift <= 60; shift += 10) if (n < 1n << BigInt(shift)) break;
  return shift - 10;
}

/** Sizes already written out: a listing has few sizes among thousands of rows (and BigInt work makes garbage). */
const written = new Map<number, string>();

export function humanSize(size: number | bigint): string {
  if (typeof size !== 'number') return humanBig(size);
  let text = written.get(size);
  if (text === undefined) {
    text = humanBig(BigInt(size));
    if (written.size < 4096) written.set(size, text);
  }
  return text;
}

function humanBig(bytes: bigint): string {
  const exp = exponent(bytes);
  const letter = LETTERS[exp ? exp / 10 : 0]!;
  let whole = exp ? bytes >> BigInt(exp) : bytes;
  let frac = exp ? bytes & ((1n << BigInt(exp)) - 1n) : 0n;
  if (frac) {
    // three digits after the point, computed as C does to stay within 64 bits
    if (frac >= U64_MAX / 1000n) frac = ((frac / 1024n) * 1000n) / (1n << BigInt(exp - 10));
    else frac = (frac * 1000n) / (1n << BigInt(exp));
    frac = ((frac + 50n) / 100n) * 10n; // keep one digit, rounded half up
    if (frac === 100n) {
      whole++;
      frac = 0n;
    }
  }
  if (!frac) return `${whole}${letter}`;
  return `${whole}.${frac / 10n}${letter}`;
}

/** ls -l's permission string for the low 9 bits. */
export function permString(perms: number): string {
  const bits = 'rwxrwxrwx';
  let s = '';
  for (let i = 0; i < 9; i++) s += perms & (0o400 >> i) ? bits[i] : '-';
  return s;
}
