/**
 * ls --all-namespaces: the listing of every IPC namespace this user may
 * enter, each visited in turn (src/ops/namespaces.ts), with the namespace's inode
 * and one process in it (pid, command line) in front. What depends on the
 * namespace — the filters, HOLDERS, LOCK — is worked out while inside it.
 */
import { inEachNamespace, ipcNamespaces, kindsOf, list, lockStates } from '../../src/api/index.js';
import { UsageError } from '../../src/model/errors.js';
import type { LockColumn } from '../../src/model/lock-state.js';
import { isHeld, type ShmRecord } from '../../src/model/record.js';
import { writeAll } from '../../src/kernel/io.js';
import { systemNames } from '../../src/kernel/names.js';
import { columnByName, columnsFor, selectColumns } from '../render/columns.js';
import { stdoutIsTTY } from '../options/common.js';
import { askedKind } from '../options/filters.js';
import { chosen, renderListing } from './ls-view.js';
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

  const { namespaces } = ipcNamespaces();
  const holders = new Map<ShmRecord, number>();
  const locks = new Map<ShmRecord, LockColumn>();
  let first = true;
  const { results, refused } = inEachNamespace(namespaces, (tag, objects) => {
    // objects once per /dev/shm; the held kinds are the processes', not a namespace's: listed once, with the first
    const kinds = kindsOf(kind).filter((k) => (k === 'posix' ? objects : isHeld({ kind: k }) ? first : true));
    first = false;
    if (!kinds.length) return [];
    const here = list({ kind: kinds, usage: showNattch });
    for (const r of here) r.namespace = tag;
    const inside: { holders?: (r: ShmRecord) => number } = {};
    const picked = chosen(here, opts, columns, inside);
    // read now: the lock sets and the processes' maps are this namespace's
    const lockOf = showLock ? lockStates(kind) : null;
    for (const r of picked) {
      if (inside.holders) holders.set(r, inside.holders(r));
      if (lockOf) locks.set(r, lockOf(r));
    }
    return picked;
  });
  const records = results.flat();
  const ctx = {
    ...columnContext(opts, systemNames, format),
    holders: (r: ShmRecord) => holders.get(r) ?? 0,
    lock: (r: ShmRecord) => locks.get(r) ?? null,
  };
  writeAll(1, await renderListing(records, columns, format, ctx, { noheadings: opts.noheadings === true, jsonKey: 'namespaces' }));
  if (refused) warn('ls', `${refused} IPC namespace${refused === 1 ? '' : 's'} could not be entered (that needs root): not listed`);
  return 0;
}
