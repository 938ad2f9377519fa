import type { KindChoice } from '../../src/model/record.js';
import { isEmptySelection, planCleanup, removeAllListed, type CleanupPlan, type Selection } from '../../src/api/index.js';
import { kindOf } from '../../src/model/kinds.js';
import { UsageError } from '../../src/model/errors.js';
import { parseDuration } from '../../src/model/parse.js';
import type { ShmRecord } from '../../src/model/record.js';
import { writeAll } from '../../src/kernel/io.js';
import { systemNames } from '../../src/kernel/names.js';
import { columnsFor, selectColumns, type Column } from '../render/columns.js';
import { jsonObjects } from '../render/lsipc.js';
import { listingColumns, listingOptions, renderListing } from '../support/ls-view.js';
import { jsonSafe } from '../../src/model/text.js';
import { recordSubject, stdoutIsTTY } from '../options/common.js';
import { filterOptions, askedKind, kindOptions, selectionOf } from '../options/filters.js';
import { askedFormat, columnContext } from '../options/output.js';
import { note, reportError, warn } from '../support/exit-status.js';
import { removingLine } from './rm.js';
import type { CommandSpec, Options } from '../options/spec.js';

/** What happened to each record picked, for JSON. */
type Action = 'would remove' | 'removed' | 'kept' | 'left' | 'failed';

/**
 * Clean-up of leaks, safe by default: without --yes a dry run (what would go,
 * as ls prints it; nothing touched); with --yes each removal said as ipcrm -v
 * says it. Something must be named (a bare gc is refused), and what anything
 * holds is never removed: each kept one is said, with why.
 */
export const spec: CommandSpec = {
  name: 'gc',
  summary: 'remove leaked segments and objects that nothing holds, chosen by filters; a dry run unless --yes',
  usage:
    'gc [--sysv|--posix|--all] (--unattached|--creator-dead|--older-than D|--name GLOB|--owner U|--created-by U|--key K|--id ID)... [--yes] [--min-age D] [--ignore-unreadable] [--json] [-v]',
  arguments: [],
  options: [
    ...kindOptions,
    ...filterOptions,
    { flags: '-y, --yes', description: 'remove them (without it, gc only says what it would remove)' },
    {
      flags: '--min-age <DURATION>',
      description: 'never remove what was made, changed or used less than DURATION ago, whatever the filters (default 5m; 0 for no guard)',
    },
    {
      flags: '--ignore-unreadable',
      description: 'remove objects even when some processes could not be read (any of them could have one open)',
    },
    ...listingOptions(
      'the dry run as ls prints it: table, lsipc, raw, export, json (JSON also says what was kept and why)',
      "the dry run's columns, as ls -o",
    ),
    { flags: '-v, --verbose', description: 'say how many were removed, kept and refused at the end' },
  ],
  async run(_args: string[], opts: Options): Promise<number> {
    const kind = askedKind(opts);
    const selection = checkedSelection(opts, kind);
    const format = askedFormat(opts) ?? (stdoutIsTTY() ? 'table' : 'lsipc');
    // the dry run's columns are ls's (for POSIX objects in lsipc's text formats, lsipc -M's); its JSON is gc's own
    // document (what was done, why), whose names are the ones every verb takes
    const columns =
      format === 'json' ? selectColumns(opts.output as string | undefined, columnsFor(kind)) : listingColumns(kind, format, opts);
    const ctx = columnContext(opts, systemNames, format);
    const minAge = opts.minAge === undefined ? undefined : parseDuration(opts.minAge as string);
    const plan = planCleanup(kind, selection, {
      ignoreUnreadable: opts.ignoreUnreadable === true,
      readSegments: opts.yes === true,
      ...(minAge === undefined ? {} : { minAge }),
    });
    tellPlan(plan);
    if (opts.yes !== true) {
      if (format === 'json') writeAll(1, json(plan, columns, ctx, 'would remove'));
      else writeAll(1, await renderListing(plan.remove, columns, format, ctx, { noheadings: opts.noheadings === true }));
      const n = plan.remove.length;
      warn(
        'gc',
        `dry run: ${n === 0 ? 'nothing to remove' : `would remove ${n}; run again with --yes to remove ${n === 1 ? 'it' : 'them'}`}`,
      );
      return 0;
    }
    const outcome = await carryOut(plan, format !== 'json');
    if (format === 'json') writeAll(1, json(plan, columns, ctx, outcome));
    const failed = [...outcome.values()].filter((o) => o.action === 'failed').length;
    if (opts.verbose === true) {
      const removed = [...outcome.values()].filter((o) => o.action === 'removed').length;
      warn('gc', `removed ${removed}, kept ${plan.kept.length}, left ${outcome.size - removed - failed}, failed ${failed}`);
    }
    return failed ? 1 : 0;
  },
};

/** The filters as a selection, refused when it names nothing (gc never removes everything) or a kind it cannot pick. */
function checkedSelection(opts: Options, kind: KindChoice): Selection {
  const selection = selectionOf(opts);
  if (isEmptySelection(selection))
    throw new UsageError(
      'say what to clean up: --unattached, --creator-dead, --older-than, --name, --owner, --created-by, --key or --id (gc never removes everything)',
    );
  if (kind === 'posix' && (selection.keys || selection.ids || selection.creatorDead))
    throw new UsageError('--key, --id and --creator-dead select System V segments: not with --posix');
  if (kind === 'sysv' && selection.name !== undefined) throw new UsageError('--name selects POSIX objects: give --posix or --all');
  return selection;
}

/** What the plan keeps and why, and what goes with a crashed PostgreSQL's segment, on stderr. */
function tellPlan(plan: CleanupPlan): void {
  for (const k of plan.kept) warn('gc', `kept ${recordSubject(k.record)}: ${k.reason}`);
  for (const [r, objects] of plan.companions)
    note(
      'gc',
      `${recordSubject(r)} is a crashed PostgreSQL's: its dynamic shared memory goes with it: ${objects.map((o) => o.name).join(', ')}`,
    );
  for (const r of plan.unread)
    note(
      'gc',
      `${recordSubject(r)} may be a crashed PostgreSQL's (there are /PostgreSQL.* objects): with --yes its header is read first, ` +
        'and it goes with its dynamic shared memory or stays (a dry run reads no segment: an attach would set its times)',
    );
}

/**
 * --yes: checked, fenced, one last look at every process and lock, then
 * removed or let back (src/ops/cleanup.ts); then what goes with a removed
 * segment (a crashed PostgreSQL's objects). Each outcome said as it comes
 * (ipcrm's line for a removal, when `lines`).
 */
async function carryOut(plan: CleanupPlan, lines: boolean): Promise<Map<ShmRecord, { action: Action; reason: string | null }>> {
  const outcome = new Map<ShmRecord, { action: Action; reason: string | null }>();
  const removed = await removeAllListed(plan.remove);
  const companions = plan.remove
    .filter((r) => removed.get(r)!.left === null && !removed.get(r)!.error)
    .flatMap((r) => plan.companions.get(r) ?? []);
  for (const [r, { left, warning, error }] of [...removed, ...(await removeAllListed(companions))]) {
    if (error !== undefined) {
      reportError('gc', error);
      outcome.set(r, { action: 'failed', reason: error instanceof Error ? error.message : String(error) });
    } else if (left) {
      warn('gc', `left ${recordSubject(r)}: ${left}`);
      outcome.set(r, { action: 'left', reason: left });
    } else {
      if (lines) writeAll(1, removingLine({ kind: r.kind as 'sysv' | 'posix', ...kindOf(r).names(r) }));
      if (warning) warn('gc', `${recordSubject(r)}: removed, but ${warning}`);
      outcome.set(r, { action: 'removed', reason: null });
    }
  }
  return outcome;
}

/** {"gc": [...]}: ls's JSON values of each one picked, with what gc did (or would do) and why it kept one. */
function json(
  plan: CleanupPlan,
  columns: Column[],
  ctx: ReturnType<typeof columnContext>,
  done: Action | Map<ShmRecord, { action: Action; reason: string | null }>,
): string {
  const picked = [
    ...plan.remove.map((r) => ({ r, ...(typeof done === 'string' ? { action: done, reason: null } : done.get(r)!) })),
    ...plan.kept.map((k) => ({ r: k.record, action: 'kept' as Action, reason: k.reason })),
  ];
  const rows = jsonObjects(
    picked.map((p) => p.r),
    columns,
    ctx,
  ).map((o, i) => {
    const p = picked[i]!;
    // a crashed PostgreSQL's objects, gone (or to go) with its segment
    const also = plan.companions.get(p.r)?.map((c) => ({
      name: c.name,
      ...(typeof done === 'string' ? { action: done, reason: null } : (done.get(c) ?? { action: 'left', reason: 'its segment stayed' })),
    }));
    return { type: p.r.kind, ...o, action: p.action, reason: p.reason, ...(also ? { with: also } : {}) };
  });
  return jsonSafe(JSON.stringify({ gc: rows, unreadable: plan.unreadable }, null, 2)) + '\n';
}
