/**
 * How many columns a text takes on a terminal, as the C library's wcwidth(3)
 * counts them in a UTF-8 locale (and so libsmartcols, which lays out lsipc's
 * tables): most characters 1, East Asian wide ones (CJK, Hangul, fullwidth
 * forms, most emoji) 2, combining marks 0. The table comes from glibc itself
 * (scripts/width-table.sh).
 */
import { WIDTH_0, WIDTH_2 } from './width-table.js';

/** "a-b c-d …" as a flat sorted array [a, b, c, d, …]. */
function ranges(text: string): Uint32Array {
  const parts = text.split(' ');
  const out = new Uint32Array(parts.length * 2);
  parts.forEach((p, i) => {
    const [from, to] = p.split('-');
    out[2 * i] = parseInt(from!, 16);
    out[2 * i + 1] = parseInt(to!, 16);
  });
  return out;
}

let tables: { zero: Uint32Array; wide: Uint32Array } | undefined;

function within(table: Uint32Array, cp: number): boolean {
  let lo = 0;
  let hi = table.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < table[2 * mid]!) hi = mid - 1;
    else if (cp > table[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The columns one code point takes. */
function widthOf(cp: number): number {
  if (cp < 0x300) return 1;
  tables ??= { zero: ranges(WIDTH_0), wide: ranges(WIDTH_2) };
  if (within(tables.wide, cp)) return 2;
  return within(tables.zero, cp) ? 0 : 1;
}

/** The columns `text` takes (text already made safe: no control characters). */
export function displayWidth(text: string): number {
  // printable ASCII (nearly every cell): one column a character
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const ch of text) width += widthOf(ch.codePointAt(0)!);
  return width;
}
