/**
 * ls --all-namespaces: the listing of every IPC namespace this user may
 * enter, each visited in turn (src/ops/namespaces.ts), with the namespace's inode
 * and one process in it (pid, command line) in front. What depends on the
 * namespace — its records, LOCK — is read while inside it; who holds what (HOLDERS, the filters that need it) in
 * one pass over /proc for every namespace, back home.
 */
import { inEachNamespace, indexHoldersOfAll, ipcNamespaces, kindsOf, list, lockStates } from '../../src/api/index.js';
import { UsageError } from '../../src/model/errors.js';
import type { LockColumn } from '../../src/model/lock-state.js';
import { isHeld, type ShmRecord } from '../../src/model/record.js';
import { writeAll } from '../../src/kernel/io.js';
import { systemNames } from '../../src/kernel/names.js';
import { columnByName, columnsFor, selectColumns } from '../render/columns.js';
import { stdoutIsTTY } from '../options/common.js';
import { askedKind } from '../options/filters.js';
import { chosen, needsHolders, renderListing } from './ls-view.js';
import { askedFormat, columnContext } from '../options/output.js';
import { warn } from './exit-status.js';
import type { Options } from '../options/spec.js';

const NAMESPACE_COLUMNS = ['NAMESPACE', 'NSPID', 'NSCOMMAND'];

export async function listAllNamespaces(opts: Options): Promise<number> {
  if (opts.ns !== undefined) throw new UsageError('--all-namespaces lists every namespace: not with --ns');
  if (opts.view !== undefined) throw new UsageError("-t, -p, -c, -l and -u are ipcs's views of one namespace: not with --all-namespaces");
  const asked = askedFormat(opts);
  if (asked === 'ipcs') throw new UsageError('--format ipcs has no NAMESPACE column: use table, lsipc, raw, export or json');
  const kind = askedKind(opts);
  const format = asked ?? (stdoutIsTTY() ? 'table' : 'lsipc');
  const base = columnsFor(kind);
  const columns = selectColumns(opts.output as string | undefined, [...NAMESPACE_COLUMNS, ...base]);
  if (format === 'json' && opts.output === undefined) columns.push(columnByName('LOCK'));
  const showLock = columns.some((c) => c.name === 'LOCK');
  const showNattch = columns.some((c) => c.name === 'NATTCH');
  // objects' NATTCH from the one pass HOLDERS or the filters make anyway
  const fromHolders = showNattch && needsHolders(opts, columns);

  const { namespaces } = ipcNamespaces();
  const locks = new Map<ShmRecord, LockColumn>();
  let first = true;
  const { results: sets, refused } = inEachNamespace(namespaces, (tag, objects) => {
    // objects once per /dev/shm; the held kinds are the processes', not a namespace's: listed once, with the first
    const kinds = kindsOf(kind).filter((k) => (k === 'posix' ? objects : isHeld({ kind: k }) ? first : true));
    first = false;
    const records = kinds.length ? list({ kind: kinds, usage: showNattch && !fromHolders }) : [];
    for (const r of records) r.namespace = tag;
    // read now: the lock sets are this namespace's
    const lockOf = showLock ? lockStates(kind) : null;
    if (lockOf) for (const r of records) locks.set(r, lockOf(r));
    return { inode: tag.inode, records };
  });
  // the filters and HOLDERS, back home: who holds what in every namespace from one pass over /proc
  const inside: { holders?: (r: ShmRecord) => number } = {};
  const records = chosen(
    sets.flatMap((s) => s.records),
    opts,
    columns,
    inside,
    () => indexHoldersOfAll(sets, { fds: true }),
    fromHolders,
  );
  const ctx = {
    ...columnContext(opts, systemNames, format),
    holders: (r: ShmRecord) => inside.holders?.(r) ?? 0,
    lock: (r: ShmRecord) => locks.get(r) ?? null,
  };
  writeAll(1, await renderListing(records, columns, format, ctx, { noheadings: opts.noheadings === true, jsonKey: 'namespaces' }));
  if (refused) warn('ls', `${refused} IPC namespace${refused === 1 ? '' : 's'} could not be entered (that needs root): not listed`);
  return 0;
}
