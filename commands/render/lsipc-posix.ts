/**
 * POSIX objects in lsipc's formats, as util-linux 2.42's `lsipc -M` prints
 * them: names without their leading slash, the default columns NAME PERMS
 * OWNER SIZE MTIME, lsipc's generic columns that it leaves empty for an
 * object empty (KEY, ID, UID, USER, GID, GROUP, CTIME), and the System V
 * segment columns it refuses for POSIX objects refused here too. Columns
 * lsipc does not know (ALLOC, HOLDERS, LOCK, MODE, ATIME, TYPE...) are ours
 * and work as in every other view.
 */
import { UsageError } from '../../src/model/errors.js';
import { allColumnNames, columnByName, columnNames, type Column } from './columns.js';

/** The util-linux release whose `lsipc -M` these formats follow. */
export const LSIPC_POSIX_VERSION = '2.42.2';

/** lsipc -M's default columns; -c adds CUID and CGID. */
const DEFAULT = ['NAME', 'PERMS', 'OWNER', 'SIZE', 'MTIME'];
/** Columns lsipc -M refuses in -o: "column SIZE does not apply to the specified IPC" (SIZE although a default). */
const REFUSED = new Set(['SIZE', 'NATTCH', 'STATUS', 'ATTACH', 'DETACH', 'COMMAND', 'CPID', 'LPID']);
/** lsipc's generic columns that it leaves empty for an object. */
const EMPTY = new Set(['KEY', 'ID', 'UID', 'USER', 'GID', 'GROUP', 'CTIME']);

/** "/name" as lsipc shows it: name. */
const bare = (name: string): string => name.replace(/^\//, '');

function column(name: string): Column {
  const ours = columnByName(name);
  if (EMPTY.has(ours.name)) return { ...ours, text: () => '', json: () => null };
  if (ours.name !== 'NAME') return ours;
  return {
    ...ours,
    text: (r, ctx) => bare(ours.text(r, ctx)),
    json: (r, ctx) => {
      const v = ours.json(r, ctx);
      return typeof v === 'string' ? bare(v) : v;
    },
  };
}

/**
 * lsipc -M's columns for the options given: the defaults (with -c's CUID and
 * CGID after them), or -o's list, "+LIST" after the defaults. -t adds nothing
 * for POSIX objects; -t with -c, and -o with either, are refused as lsipc
 * 2.42 refuses them. "-o all" (ours) is every column that applies.
 */
export function lsipcPosixColumns(opts: { output?: string; creator?: boolean; time?: boolean }, defaults = DEFAULT): Column[] {
  if (opts.creator && opts.time) throw new UsageError('-c and -t cannot be combined for POSIX objects (as lsipc -M)');
  if ((opts.creator || opts.time) && opts.output !== undefined)
    throw new UsageError(`-o does not go with ${opts.creator ? '-c' : '-t'} in lsipc's formats (lsipc refuses them together)`);
  if (opts.output?.trim().toLowerCase() === 'all')
    return allColumnNames()
      .filter((n) => !REFUSED.has(n))
      .map(column);
  const base = opts.creator ? [...defaults, 'CUID', 'CGID'] : defaults;
  const asked = opts.output === undefined ? [] : columnNames(opts.output.replace(/^\+/, ''), []);
  for (const name of asked) {
    const upper = name.trim().toUpperCase();
    if (REFUSED.has(upper)) throw new UsageError(`column ${upper} does not apply to POSIX objects in lsipc's formats (as lsipc -M)`);
  }
  return columnNames(opts.output, base).map(column);
}

/** The columns lsipc -M -N NAME shows of one object (those with a value), in lsipc's order. */
export const POSIX_DETAIL = ['OWNER', 'PERMS', 'CUID', 'CUSER', 'CGID', 'CGROUP', 'NAME', 'MTIME', 'SIZE'];
