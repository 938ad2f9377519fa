/**
 * /proc/sysvipc/shm: every segment of the IPC namespace, whatever its permissions, in the kernel's index order
 * (which ipcs keeps: no sorting). A namespace may hold 32,768 segments (~4.5 MB of text), so the file is read a MiB
 * at a time into one reused buffer and parsed byte by byte as it comes, numbers straight from the digits, without
 * making a string per line or per field.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Errno, errnoOf, hasErrno, OperationError, ShmError } from '../model/errors.js';
import type { SegmentRecord } from '../model/record.js';
import { readWhole } from './io.js';

const PROC_SHM = '/proc/sysvipc/shm';

const COLUMNS = [
  'key',
  'shmid',
  'perms',
  'size',
  'cpid',
  'lpid',
  'nattch',
  'uid',
  'gid',
  'cuid',
  'cgid',
  'atime',
  'dtime',
  'ctime',
  'rss',
  'swap',
] as const;
type Column = (typeof COLUMNS)[number];

const SPACE = 0x20;
const NEWLINE = 0x0a;
const MINUS = 0x2d;

/**
 * Parse the file. Columns are found by the header's names, so a kernel
 * without rss/swap still parses (they come out null). The key is printed as a
 * signed int; the record holds it unsigned. perms is octal and keeps the
 * SHM_DEST/SHM_LOCKED bits.
 */
export function parseProcShm(data: Buffer | string): SegmentRecord[] {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const headerEnd = buf.indexOf(NEWLINE);
  const layout = layoutOf(buf.toString('latin1', 0, headerEnd < 0 ? buf.length : headerEnd));
  const records: SegmentRecord[] = [];
  parseRows(buf, headerEnd < 0 ? buf.length : headerEnd + 1, buf.length, layout, records, true);
  return records;
}

/** Where each column is in a line, from the header's names. */
interface Layout {
  at: Record<Column, number>;
  width: number;
}

function layoutOf(headerLine: string): Layout {
  const header = headerLine.trim().split(/\s+/);
  const at = {} as Record<Column, number>;
  for (const name of COLUMNS) at[name] = header.indexOf(name);
  for (const name of COLUMNS.slice(0, 14)) {
    if (at[name] < 0) throw new OperationError(PROC_SHM, `unexpected header (no '${name}' column): ${headerLine}`);
  }
  return { at, width: header.length };
}

/**
 * The rows of buf[start, end) into `records`: every whole line, and with `final` the last one even without its
 * newline. Returns where the first line not read begins (a line the next read completes).
 */
function parseRows(buf: Buffer, start: number, end: number, { at, width }: Layout, records: SegmentRecord[], final: boolean): number {
  const fields = new Array<number>(width);
  let i = start;
  while (i < end) {
    const lineStart = i;
    if (!final) {
      const nl = buf.indexOf(NEWLINE, i);
      if (nl < 0 || nl >= end) return lineStart;
    }
    // one line: `width` whitespace-separated numbers
    let f = 0;
    while (i < end && buf[i] !== NEWLINE) {
      while (i < end && buf[i] === SPACE) i++;
      if (i >= end || buf[i] === NEWLINE) break;
      let negative = false;
      if (buf[i] === MINUS) {
        negative = true;
        i++;
      }
      // perms is octal: read its digits as written, convert below
      let value = 0;
      while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) value = value * 10 + (buf[i++]! - 0x30);
      if (f < width) fields[f] = negative ? -value : value;
      f++;
      while (i < end && buf[i] !== SPACE && buf[i] !== NEWLINE) i++; // anything unexpected
    }
    i++;
    if (f === 0) continue;
    if (f < width) throw new OperationError(PROC_SHM, `a line has ${f} fields, the header ${width}`);
    records.push({
      kind: 'sysv',
      key: fields[at.key]! >>> 0,
      id: fields[at.shmid]!,
      mode: octal(fields[at.perms]!),
      size: fields[at.size]!,
      cpid: fields[at.cpid]!,
      lpid: fields[at.lpid]!,
      nattch: fields[at.nattch]!,
      uid: fields[at.uid]!,
      gid: fields[at.gid]!,
      cuid: fields[at.cuid]!,
      cgid: fields[at.cgid]!,
      atime: fields[at.atime]!,
      dtime: fields[at.dtime]!,
      ctime: fields[at.ctime]!,
      rss: at.rss < 0 ? null : fields[at.rss]!,
      swap: at.swap < 0 ? null : fields[at.swap]!,
    });
  }
  return end;
}

/** The value of decimal digits that were octal digits: 1644 → 0o1644. */
function octal(digits: number): number {
  let value = 0;
  for (let place = 1; digits > 0; place *= 8, digits = Math.floor(digits / 10)) value += (digits % 10) * place;
  return value;
}

function readShmFile(path: string, buf?: Buffer): { buf: Buffer; length: number } {
  try {
    return readWhole(path, buf ?? Buffer.allocUnsafe(1 << 20));
  } catch (e) {
    throw listError(e, path);
  }
}

/** The one buffer the list is read through, a piece at a time (reused by every read). */
let piece: Buffer | undefined;

/**
 * The namespace's segments: the list read a MiB at a time into one reused buffer and parsed as it comes (32,768
 * segments are ~4.5 MB of text: never all in memory at once).
 */
export function readProcShm(path = PROC_SHM): SegmentRecord[] {
  const records: SegmentRecord[] = [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw listError(e, path);
  }
  try {
    let buf = (piece ??= Buffer.allocUnsafe(1 << 20));
    let have = 0;
    let layout: Layout | null = null;
    for (;;) {
      if (have === buf.length) {
        // one line longer than the buffer: never from the kernel, but not a reason to fail
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = piece = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buf, have, buf.length - have, null);
      } catch (e) {
        throw listError(e, path);
      }
      const end = have + n;
      const final = n === 0;
      let start = 0;
      if (!layout) {
        const nl = buf.indexOf(NEWLINE);
        if ((nl < 0 || nl >= end) && !final) {
          have = end;
          continue;
        }
        const headerEnd = nl < 0 || nl >= end ? end : nl;
        layout = layoutOf(buf.toString('latin1', 0, headerEnd));
        start = Math.min(end, headerEnd + 1);
      }
      const used = parseRows(buf, start, end, layout, records, final);
      if (final) return records;
      buf.copyWithin(0, used, end);
      have = end - used;
    }
  } finally {
    closeSync(fd);
  }
}

function listError(e: unknown, path: string): ShmError {
  return new ShmError(
    'open',
    errnoOf(e) ?? Errno.ENOENT,
    path,
    `cannot read the segment list (${hasErrno(e, Errno.ENOENT) ? 'is /proc mounted?' : (e as Error).message})`,
  );
}

/**
 * Reads of the segment list one after another (watch's looks): two buffers used in turn, so that a look touches no
 * fresh memory, and null when the file is byte for byte what the last read found — nothing in it changed, not even
 * a time or a page count, so there is nothing to parse (what a steady look costs is the kernel's read and a compare).
 */
export function procShmReader(path = PROC_SHM): () => SegmentRecord[] | null {
  let last: { buf: Buffer; length: number } | null = null;
  let spare: Buffer | undefined;
  return () => {
    const now = readShmFile(path, spare);
    const data = now.buf.subarray(0, now.length);
    if (last && last.length === now.length && data.equals(last.buf.subarray(0, last.length))) {
      spare = now.buf;
      return null;
    }
    spare = last?.buf;
    last = now;
    return parseProcShm(data);
  };
}
