/**
 * Text that came from somebody else — an object's name, a process's command
 * line, a user name — is bytes, not necessarily UTF-8, and may hold control
 * characters that a terminal obeys (ESC sequences retitle or clear it). Such
 * text is shown escaped, the way util-linux's safe encoding does:
 *
 *   - printable UTF-8 is kept as it is;
 *   - control characters (C0, DEL, C1), Unicode direction controls and line
 *     separators, and every byte that is not part of valid UTF-8 become
 *     `\xHH`, one per byte;
 *   - a backslash followed by `x` becomes `\x5c`, so that the escaped form
 *     reads back unambiguously.
 *
 * `unescapeBytes` is the inverse (`\xHH` back to the byte), so the escaped form
 * of a POSIX object's name is also a name every verb accepts.
 */

import { isUtf8 } from 'node:buffer';

const HEX = (b: number): string => '\\x' + b.toString(16).padStart(2, '0');

/** Code points shown escaped although valid: controls, direction marks and overrides, line/paragraph separators. */
function unsafe(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x061c ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069)
  );
}

/** Length of the valid UTF-8 sequence at `i` (1-4), or 0 when the byte there starts none. */
function sequenceAt(b: Uint8Array, i: number): { length: number; cp: number } | null {
  const c = b[i]!;
  if (c < 0x80) return { length: 1, cp: c };
  let length: number;
  let cp: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) [length, cp, min] = [2, c & 0x1f, 0x80];
  else if (c >= 0xe0 && c <= 0xef) [length, cp, min] = [3, c & 0x0f, 0x800];
  else if (c >= 0xf0 && c <= 0xf4) [length, cp, min] = [4, c & 0x07, 0x10000];
  else return null;
  if (i + length > b.length) return null;
  for (let k = 1; k < length; k++) {
    const t = b[i + k]!;
    if ((t & 0xc0) !== 0x80) return null;
    cp = (cp << 6) | (t & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
  return { length, cp };
}

/** Bytes as safe, reversible text (see above). */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  let plainFrom = 0;
  const flush = (to: number): void => {
    if (to > plainFrom) out += Buffer.from(bytes.buffer, bytes.byteOffset + plainFrom, to - plainFrom).toString('utf8');
  };
  for (let i = 0; i < bytes.length;) {
    const s = sequenceAt(bytes, i);
    const backslashX = bytes[i] === 0x5c && bytes[i + 1] === 0x78;
    if (s && !unsafe(s.cp) && !backslashX) {
      i += s.length;
      continue;
    }
    flush(i);
    const n = s ? s.length : 1;
    for (let k = 0; k < n; k++) out += HEX(bytes[i + k]!);
    i += n;
    plainFrom = i;
  }
  flush(bytes.length);
  return out;
}

/**
 * For a message line only: controls escaped, nothing else touched (a message
 * quotes names that are escaped already, whose backslashes must stay as they are).
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map(HEX).join(''),
  );
}

/** The bytes an escaped text stands for: `\xHH` is the byte HH, everything else its UTF-8. */
export function unescapeBytes(text: string): Buffer {
  if (!text.includes('\\x')) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  const re = /\\x([0-9a-fA-F]{2})/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    parts.push(Buffer.from(text.slice(from, m.index), 'utf8'), Buffer.from([parseInt(m[1]!, 16)]));
    from = m.index + 4;
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * util-linux's raw and export cells work on bytes, in the C locale: every byte
 * that is not printable ASCII is `\xHH`, and so are those in `also`.
 */
export function escapeCBytes(bytes: Uint8Array, also: (b: number) => boolean): string {
  let out = '';
  for (const b of bytes) out += b < 0x20 || b >= 0x7f || also(b) ? HEX(b) : String.fromCharCode(b);
  return out;
}

/** The text an escaped form stands for, where that is UTF-8; otherwise the escaped form itself. */
export function plainText(escaped: string): string {
  if (!escaped.includes('\\x')) return escaped;
  const bytes = unescapeBytes(escaped);
  return isUtf8(bytes) ? bytes.toString('utf8') : escaped;
}

/**
 * JSON text with the characters JSON.stringify leaves as they are but a
 * terminal may obey (DEL, C1 controls, direction controls, line separators)
 * written as \uXXXX: the same JSON value, safe to print.
 */
export function jsonSafe(json: string): string {
  return json.replace(
    /[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** Does the locale (LC_ALL, else LC_CTYPE, else LANG) use UTF-8? In the C locale util-linux escapes every byte above 0x7f. */
export function utf8Locale(env: NodeJS.ProcessEnv = process.env): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || 'C';
  return /utf-?8/i.test(locale);
}

/**
 * util-linux's safe encoding in the C locale: the bytes an escaped text stands
 * for, with every byte that is not printable ASCII as \xHH, and a backslash
 * followed by x as \x5c.
 */
export function escapeAscii(text: string): string {
  const bytes = unescapeBytes(text);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += b < 0x20 || b >= 0x7f || (b === 0x5c && bytes[i + 1] === 0x78) ? HEX(b) : String.fromCharCode(b);
  }
  return out;
}
