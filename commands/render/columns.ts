/**
 * lsipc's columns for shared memory, as one table of descriptors that drives
 * every machine format (table, --raw, --export, --json) and `stat --field`.
 * Adding a column is one row here.
 *
 * Each column gives its text (what lsipc prints, '' for an empty cell) and its
 * typed JSON value (numbers as numbers, null for unknown or unset).
 */
import type { KindChoice } from '../../src/model/record.js';
import { UsageError } from '../../src/model/errors.js';
import type { LockColumn } from '../../src/model/lock-state.js';
import { formatKey, permsOf, type ShmRecord } from '../../src/model/record.js';
import { FILE_COLUMNS } from './file-columns.js';
import { kindOf } from '../../src/model/kinds.js';
import type { NameLookup } from '../../src/model/usage.js';
import { humanSize, permString } from './human.js';

import { formatTime, type TimeFormat } from './time.js';
export type JsonValue = string | number | boolean | null | string[];

export interface ColumnContext {
  names: NameLookup;
  /** SIZE in bytes rather than human-readable (text forms only; JSON is always bytes). */
  bytes: boolean;
  /** PERMS as octal (0644) rather than rw-r--r--. */
  numericPerms: boolean;
  time: TimeFormat;
  /** "now" for the short time format, seconds since the epoch. */
  now: number;
  /** The LOCK column's values (the API's lockStates), when it is shown; without it the column is empty. */
  lock?: (r: ShmRecord) => LockColumn;
  /** The HOLDERS column's values (processes found holding each), when it is shown. */
  holders?: (r: ShmRecord) => number;
  /** The last time formatted (a listing's rows share few distinct times). */
  timeMemo?: { seconds: number; format: TimeFormat; now: number; text: string };
}

/** A column over any kind of record: the lsipc formats and the terminal table render any of them. */
export interface ColumnOf<R> {
  name: string;
  help: string;
  /** Right-aligned in the table format. */
  right: boolean;
  text(r: R, ctx: ColumnContext): string;
  json(r: R, ctx: ColumnContext): JsonValue;
}

export type Column = ColumnOf<ShmRecord>;

/** PERMS as lsipc prints it: rw-r--r--, or with -P printf's %#o (0644, and 0 for none). */
function permsText(perms: number, numeric: boolean): string {
  if (!numeric) return permString(perms);
  return perms ? '0' + perms.toString(8) : '0';
}

/** A name for a number the record may not have (null: an empty cell). */
const nameOf = (n: number | null, lookup: (n: number) => string | null): string | null => (n === null ? null : lookup(n));

/** A field of one kind's record: null (an empty cell) for another kind. (A column that is a field: no kind method fits.) */
const fieldOf =
  <K extends ShmRecord['kind']>(kind: K) =>
  <T>(pick: (r: Extract<ShmRecord, { kind: K }>) => T) =>
  (r: ShmRecord): T | null =>
    r.kind === kind ? pick(r as Extract<ShmRecord, { kind: K }>) : null;
const sysv = fieldOf('sysv');
/** A field every file has (an object and the held kinds): null for a segment. */
const file =
  <T>(pick: (r: Exclude<ShmRecord, { kind: 'sysv' }>) => T) =>
  (r: ShmRecord): T | null =>
    r.kind === 'sysv' ? null : pick(r);

/** formatTime, remembering the last answer: the rows of a listing share few distinct times. */
function timeText(seconds: number, ctx: ColumnContext): string {
  const memo = ctx.timeMemo;
  if (memo && memo.seconds === seconds && memo.format === ctx.time && memo.now === ctx.now) return memo.text;
  const text = formatTime(seconds, ctx.time, ctx.now);
  ctx.timeMemo = { seconds, format: ctx.time, now: ctx.now, text };
  return text;
}

const time = (pick: (r: ShmRecord) => number | null) => ({
  right: true,
  text: (r: ShmRecord, ctx: ColumnContext) => (pick(r) ? timeText(pick(r)!, ctx) : ''),
  json: (r: ShmRecord, ctx: ColumnContext) => (pick(r) ? timeText(pick(r)!, ctx) : null),
});

const number = (pick: (r: ShmRecord) => number | null, right = true) => ({
  right,
  text: (r: ShmRecord) => String(pick(r) ?? ''),
  json: (r: ShmRecord) => pick(r),
});

const text = (pick: (r: ShmRecord) => string | null) => ({
  right: false,
  text: (r: ShmRecord) => pick(r) ?? '',
  json: (r: ShmRecord) => pick(r),
});

const name = (pick: (r: ShmRecord, names: NameLookup) => string | null) => ({
  right: false,
  text: (r: ShmRecord, ctx: ColumnContext) => pick(r, ctx.names) ?? '',
  json: (r: ShmRecord, ctx: ColumnContext) => pick(r, ctx.names),
});

const COLUMNS: Column[] = [
  { name: 'KEY', help: 'Resource key', ...text(sysv((r) => formatKey(r.key))) },
  {
    name: 'ID',
    help: 'Resource ID',
    ...number(
      sysv((r) => r.id),
      false,
    ),
  },
  {
    name: 'OWNER',
    help: "Owner's username or UID",
    right: true,
    // the uid where it has no name, as lsipc: an owner is never lost
    text: (r, ctx) => ctx.names.user(r.uid) ?? String(r.uid),
    json: (r, ctx) => ctx.names.user(r.uid) ?? String(r.uid),
  },
  {
    name: 'PERMS',
    help: 'Permissions',
    right: true,
    text: (r, ctx) => permsText(permsOf(r), ctx.numericPerms),
    json: (r, ctx) => permsText(permsOf(r), ctx.numericPerms),
  },
  // An object keeps no creator: like lsipc -M, its file's owner and group stand for it.
  { name: 'CUID', help: 'Creator UID (POSIX: the owner)', ...number((r) => kindOf(r).madeBy(r)) },
  { name: 'CUSER', help: 'Creator user', ...name((r, n) => n.user(kindOf(r).madeBy(r))) },
  // lsipc 2.38 prints the creator's uid here; this is the creator's gid.
  { name: 'CGID', help: 'Creator GID (POSIX: the group)', ...number((r) => kindOf(r).madeByGroup(r)) },
  { name: 'CGROUP', help: 'Creator group', ...name((r, n) => n.group(kindOf(r).madeByGroup(r))) },
  { name: 'UID', help: 'User ID', ...number((r) => r.uid) },
  { name: 'USER', help: 'User name', ...name((r, n) => n.user(r.uid)) },
  { name: 'GID', help: 'Group ID', ...number((r) => r.gid) },
  { name: 'GROUP', help: 'Group name', ...name((r, n) => n.group(r.gid)) },
  { name: 'CTIME', help: 'Time of the last change', ...time((r) => r.ctime) },
  {
    name: 'SIZE',
    help: 'Segment size (bytes in JSON)',
    right: true,
    text: (r, ctx) => (ctx.bytes ? String(r.size) : humanSize(r.size)),
    json: (r) => r.size,
  },
  {
    name: 'NATTCH',
    help: 'Number of attached processes (POSIX: processes mapping it)',
    ...number((r) => kindOf(r).attachCount(r)),
  },
  {
    name: 'STATUS',
    help: 'Status: dest, locked',
    right: false,
    text: (r) => kindOf(r).status(r).join(','),
    json: (r) => kindOf(r).status(r),
  },
  { name: 'ATTACH', help: 'Attach time', ...time(sysv((r) => r.atime)) },
  { name: 'DETACH', help: 'Detach time', ...time(sysv((r) => r.dtime)) },
  {
    name: 'COMMAND',
    help: 'Creator command line',
    right: false,
    text: (r, ctx) => nameOf(kindOf(r).creatorPid(r), ctx.names.command) ?? '',
    json: (r, ctx) => nameOf(kindOf(r).creatorPid(r), ctx.names.command),
  },
  { name: 'CPID', help: 'PID of the creator', ...number(sysv((r) => r.cpid)) },
  { name: 'LPID', help: 'PID of last user', ...number(sysv((r) => r.lpid)) },
  // Not in lsipc 2.38: what /proc/sysvipc/shm adds, the mode with its status bits, POSIX objects.
  { name: 'RSS', help: 'Resident bytes', ...number(sysv((r) => r.rss)) },
  { name: 'SWAP', help: 'Swapped bytes', ...number(sysv((r) => r.swap)) },
  {
    name: 'LOCK',
    help: 'shmctl-ts lock: free, exclusive, shared, unknown (not readable), untrusted (a set at its key that is not a trusted shmctl-ts lock; empty when none)',
    right: false,
    text: (r, ctx) => lockText(r, ctx) ?? '',
    json: (r, ctx) => lockText(r, ctx),
  },
  {
    name: 'MODE',
    help: 'shm_perm.mode in octal, with SHM_DEST (01000) and SHM_LOCKED (02000); POSIX: st_mode',
    right: true,
    text: (r) => '0' + r.mode.toString(8).padStart(3, '0'),
    json: (r) => '0' + r.mode.toString(8).padStart(3, '0'),
  },
  {
    name: 'NAME',
    help: 'POSIX object name (/name); memfd:NAME; the path a deleted file had; [shared anonymous]',
    ...text(file((r) => r.name)),
  },
  { name: 'MTIME', help: 'POSIX: time of the last write', ...time(file((r) => r.mtime)) },
  { name: 'ATIME', help: 'POSIX: time of the last read', ...time(file((r) => r.atime)) },
  {
    name: 'ALLOC',
    help: 'Bytes of memory it holds, resident or swapped (a sparse file holds less than SIZE; empty where it cannot be looked at)',
    ...number(file((r) => r.allocated)),
  },
  ...FILE_COLUMNS,
  {
    name: 'HOLDERS',
    help: 'Processes that attach, map or have it open, from /proc (see holders)',
    right: true,
    text: (r, ctx) => (ctx.holders ? String(ctx.holders(r)) : ''),
    json: (r, ctx) => (ctx.holders ? ctx.holders(r) : null),
  },
  {
    name: 'NAMESPACE',
    help: 'The IPC namespace (its inode) it was listed in (ls --all-namespaces)',
    ...number((r) => r.namespace?.inode ?? null),
  },
  { name: 'NSPID', help: 'One process in that namespace (its lowest pid)', ...number((r) => r.namespace?.pid ?? null) },
  {
    name: 'NSCOMMAND',
    help: "That process's command line",
    ...name((r, n) => (r.namespace ? n.command(r.namespace.pid) : null)),
  },
  { name: 'TYPE', help: 'sysv, posix, memfd, deleted or anon', ...text((r) => r.kind) },
];

/** The LOCK column: what the context's lock source says, or nothing. */
function lockText(r: ShmRecord, ctx: ColumnContext): LockColumn {
  return ctx.lock ? ctx.lock(r) : null;
}

const NOT_FOR_STAT = new Set(['NAME', 'MTIME', 'ATIME', 'ALLOC', 'INODE', 'SEALS', 'PIDS', 'TYPE', 'NAMESPACE', 'NSPID', 'NSCOMMAND']);
/** Every column a System V segment has (stat's lsipc formats: one row, all of them). */
export const SYSV_COLUMNS = COLUMNS.map((c) => c.name).filter((n) => !NOT_FOR_STAT.has(n));

/** The columns lsipc -m -i ID shows of one segment (those with a value), in lsipc's order. */
export const SYSV_DETAIL =
  'KEY ID OWNER PERMS CUID CUSER CGID CGROUP UID USER GID GROUP CTIME SIZE NATTCH STATUS ATTACH DETACH COMMAND CPID LPID'.split(' ');
/** lsipc -m's default columns. */
const DEFAULT_COLUMNS = ['KEY', 'ID', 'PERMS', 'OWNER', 'SIZE', 'NATTCH', 'STATUS', 'CTIME', 'CPID', 'LPID', 'COMMAND'];
/** ls --posix's (lsipc 2.41 -M's names: NAME … MTIME). */
const POSIX_COLUMNS = ['NAME', 'PERMS', 'OWNER', 'SIZE', 'NATTCH', 'MTIME'];
/** stat's lsipc formats for a POSIX object: every column that applies. */
export const POSIX_STAT_COLUMNS = 'NAME SIZE ALLOC PERMS MODE OWNER UID USER GID GROUP NATTCH HOLDERS LOCK ATIME MTIME CTIME'.split(' ');
/** stat's lsipc formats for a memfd, deleted file or shared anonymous region. */
export const HELD_STAT_COLUMNS =
  'TYPE NAME INODE SIZE ALLOC PERMS MODE OWNER UID USER GID GROUP STATUS SEALS NATTCH HOLDERS PIDS ATIME MTIME CTIME'.split(' ');
/** JSON's top-level name for POSIX objects (lsipc 2.41's table name). */
export const POSIX_JSON_KEY = 'posix-sharedmemory';
/** ls --all's: both kinds in one table. */
const ALL_COLUMNS = ['TYPE', 'KEY', 'ID', 'NAME', 'PERMS', 'OWNER', 'SIZE', 'NATTCH', 'STATUS', 'CTIME'];
/** The held kinds': what holds them and how much memory. */
const MEMFD_COLUMNS = ['NAME', 'INODE', 'OWNER', 'SIZE', 'ALLOC', 'SEALS', 'HOLDERS', 'PIDS'];
const DELETED_COLUMNS = ['NAME', 'INODE', 'OWNER', 'SIZE', 'ALLOC', 'HOLDERS', 'PIDS'];
const ANON_COLUMNS = ['INODE', 'OWNER', 'SIZE', 'ALLOC', 'STATUS', 'HOLDERS', 'PIDS'];
const HELD_COLUMNS = ['TYPE', 'NAME', 'INODE', 'OWNER', 'SIZE', 'ALLOC', 'HOLDERS', 'PIDS'];
const EVERY_COLUMNS = ['TYPE', 'KEY', 'ID', 'NAME', 'INODE', 'OWNER', 'SIZE', 'ALLOC', 'NATTCH', 'HOLDERS'];
/** The default columns for the kinds asked for. */
export const columnsFor = (kind: KindChoice): string[] =>
  ({
    sysv: DEFAULT_COLUMNS,
    posix: POSIX_COLUMNS,
    all: ALL_COLUMNS,
    memfd: MEMFD_COLUMNS,
    deleted: DELETED_COLUMNS,
    anon: ANON_COLUMNS,
    held: HELD_COLUMNS,
    every: EVERY_COLUMNS,
  })[kind];

/** Every column's name, in the table's order. */
export const allColumnNames = (): string[] => COLUMNS.map((c) => c.name);

export function columnByName(text: string): Column {
  const column = COLUMNS.find((c) => c.name === text.trim().toUpperCase());
  if (!column) throw new UsageError(`unknown column '${text}' (known: ${COLUMNS.map((c) => c.name).join(', ')})`);
  return column;
}

/**
 * -o LIST: column names, case-insensitive; "+LIST" appends to the default
 * (or to what -t/-c added), "all" is every column.
 */
export function selectColumns(list: string | undefined, base: string[] = DEFAULT_COLUMNS): Column[] {
  if (list !== undefined && list.trim().toLowerCase() === 'all') return [...COLUMNS];
  return columnNames(list, base).map(columnByName);
}

/** The names -o LIST asks for, as given ("+LIST" after `base`), not yet looked up. */
export function columnNames(list: string | undefined, base: string[]): string[] {
  if (list === undefined) return [...base];
  const append = list.startsWith('+');
  const names = (append ? list.slice(1) : list).split(',');
  if (names.some((n) => n.trim() === '')) throw new UsageError(`empty column name in '${list}'`);
  return [...(append ? base : []), ...names];
}
