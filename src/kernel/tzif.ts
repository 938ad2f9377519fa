/**
 * The one question asked of a compiled time zone file (TZif, RFC 8536): is it
 * a single offset for all time, and which? Anything else — transitions, leap
 * seconds, summer time, a file that is not a plain TZif file — answers null,
 * and the caller asks the C library, which reads every kind.
 *
 * glibc, with no TZ set, reads /etc/localtime; missing, it is UTC. For a
 * version 2+ file it reads the second, 64-bit block, never the first (which
 * a "slim" file leaves empty: one type, offset 0, whatever the zone is). With
 * no transitions it uses the first type that is not summer time; the footer's
 * TZ string only governs times after a last transition.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

const MOST = 64 * 1024; // a fixed zone's file is ~100 bytes; a real one a few KiB

/** The file's one offset (seconds east of UTC), or null when it has more than one or cannot be read as such. */
export function fixedOffsetOfZoneFile(path: string): number | null {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO in its place opens at once (a regular file ignores the flag), and is then refused
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 0 : null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const b = Buffer.alloc(MOST);
    const n = readSync(fd, b, 0, MOST, 0);
    return fixedOffset(b.subarray(0, n));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

interface Counts {
  isut: number;
  isstd: number;
  leap: number;
  time: number;
  type: number;
  chars: number;
}

function header(b: Buffer, at: number): Counts | null {
  if (b.length < at + 44 || b.toString('latin1', at, at + 4) !== 'TZif') return null;
  const n = (i: number) => b.readUInt32BE(at + 20 + 4 * i);
  return { isut: n(0), isstd: n(1), leap: n(2), time: n(3), type: n(4), chars: n(5) };
}

/** The data block's length, after its header, for times of `size` bytes. */
function blockLength(c: Counts, size: number): number {
  return c.time * (size + 1) + c.type * 6 + c.chars + c.leap * (size + 4) + c.isstd + c.isut;
}

function fixedOffset(b: Buffer): number | null {
  let c = header(b, 0);
  if (!c) return null;
  let body = 44;
  let footer: number | null = null;
  if (b[4] >= 0x32) {
    const second = 44 + blockLength(c, 4);
    c = header(b, second);
    if (!c) return null;
    body = second + 44;
    footer = body + blockLength(c, 8);
  }
  if (c.time !== 0 || c.type !== 1 || c.leap !== 0 || b.length < body + 6) return null;
  const offset = b.readInt32BE(body);
  if (b[body + 4] !== 0) return null; // summer time all year: leave it to libc
  if (footer !== null && !footerAgrees(b, footer, offset)) return null;
  return offset;
}

/** A version 2+ footer is "\n" TZ "\n": empty, or a standard time alone at the same offset (no summer time, no rule). */
function footerAgrees(b: Buffer, at: number, offset: number): boolean {
  if (b[at] !== 0x0a) return false;
  const end = b.indexOf(0x0a, at + 1);
  if (end < 0) return false;
  const tz = b.toString('latin1', at + 1, end);
  if (tz === '') return true;
  const m = /^(?:<[A-Za-z0-9+-]{3,}>|[A-Za-z]{3,})([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?$/.exec(tz);
  if (!m) return false;
  const west = (+m[2] * 3600 + +(m[3] ?? 0) * 60 + +(m[4] ?? 0)) * (m[1] === '-' ? -1 : 1);
  return -west === offset;
}
