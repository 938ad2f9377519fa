/**
 * fnmatch(3) itself, in the C.UTF-8 locale (so that ? and [...] take one
 * character, not one byte, of a UTF-8 name), set for the one call on this
 * thread only (uselocale). No flags: a slash, a leading dot, a backslash are
 * what fnmatch makes of them by default.
 */
import { callPlain, T } from './ffi.js';

const FNM_NOMATCH = 1;
const LC_CTYPE_MASK = 1 << 0; // LC_CTYPE is 0 in glibc
let utf8: number | undefined;

/** Does `text` match `pattern`? null when fnmatch calls the pattern invalid. */
export function fnmatch(pattern: string, text: string): boolean | null {
  utf8 ??= callPlain('newlocale', T.U64, [T.I32, T.String, T.U64], [LC_CTYPE_MASK, 'C.UTF-8', 0]);
  const previous = utf8 ? callPlain('uselocale', T.U64, [T.U64], [utf8]) : 0;
  try {
    const r = callPlain('fnmatch', T.I32, [T.String, T.String, T.I32], [pattern, text, 0]);
    return r === 0 ? true : r === FNM_NOMATCH ? false : null;
  } finally {
    if (utf8) callPlain('uselocale', T.U64, [T.U64], [previous]);
  }
}
