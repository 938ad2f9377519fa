/**
 * /proc/sysvipc/shm: every segment of the IPC namespace, whatever its
 * permissions, in the kernel's index order (which ipcs keeps: no sorting).
 *
 * A namespace may hold 32,768 segments, so the file is read in a few large
 * reads and parsed byte by byte, numbers straight from the digits, without
 * making a string per line or per field.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ShmError } from './errors.js';
import type { SegmentRecord } from './record.js';

export const PROC_SHM = '/proc/sysvipc/shm';

const COLUMNS = [
  'key', 'shmid', 'perms', 'size', 'cpid', 'lpid', 'nattch', 'uid', 'gid',
  'cuid', 'cgid', 'atime', 'dtime', 'ctime', 'rss', 'swap',
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
  const headerLine = buf.toString('latin1', 0, headerEnd < 0 ? buf.length : headerEnd);
  const header = headerLine.trim().split(/\s+/);
  const at = {} as Record<Column, number>;
  for (const name of COLUMNS) at[name] = header.indexOf(name);
  for (const name of COLUMNS.slice(0, 14)) {
    if (at[name] < 0) throw new Error(`${PROC_SHM}: unexpected header (no '${name}' column): ${headerLine}`);
  }
  const width = header.length;
  const fields = new Array<number>(width);
  const records: SegmentRecord[] = [];
  let i = headerEnd < 0 ? buf.length : headerEnd + 1;
  const end = buf.length;
  while (i < end) {
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
    if (f < width) throw new Error(`${PROC_SHM}: a line has ${f} fields, the header ${width}`);
    records.push({
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
  return records;
}

/** The value of decimal digits that were octal digits: 1644 → 0o1644. */
function octal(digits: number): number {
  let value = 0;
  for (let place = 1; digits > 0; place *= 8, digits = Math.floor(digits / 10)) value += (digits % 10) * place;
  return value;
}

/** The whole file, in as few read(2)s as the kernel allows (procfs files have no size). */
function readAll(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(1 << 20);
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) return buf.subarray(0, length);
      length += n;
    }
  } finally {
    closeSync(fd);
  }
}

export function readProcShm(path = PROC_SHM): SegmentRecord[] {
  let data: Buffer;
  try {
    data = readAll(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ShmError('open', -(err.errno ?? 0) || 2, path, `cannot read the segment list (${err.code === 'ENOENT' ? 'is /proc mounted?' : err.message})`);
  }
  return parseProcShm(data);
}
