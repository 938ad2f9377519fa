import { changesBetween, indexRecords, list, select, type WatchEvent } from '../../src/api/index.js';
import { UsageError } from '../../src/model/errors.js';
import { parseSeconds } from '../../src/model/parse.js';
import { formatKey, isPosix, type ShmRecord } from '../../src/model/record.js';
import { jsonSafe, plainText } from '../../src/model/text.js';
import { writeAll } from '../../src/kernel/io.js';
import { systemNames } from '../../src/kernel/names.js';
import { identityOf } from '../../src/api/index.js';
import { ALL_COLUMNS, DEFAULT_COLUMNS, POSIX_COLUMNS, selectColumns } from '../render/columns.js';
import { stdoutIsTTY } from '../options/common.js';
import { reportError } from '../support/exit-status.js';
import { filterOptions, kindOf, kindOptions, selectionOf } from '../options/filters.js';
import { columnContext } from '../options/output.js';
import type { CommandSpec, Options } from '../options/spec.js';

/** One event as a JSON line: when, what, which, and what changed (from → to). */
function eventLine(e: WatchEvent, time: string): string {
  const r = e.record;
  const o: Record<string, unknown> = {
    time,
    event: e.event,
    kind: r.kind,
    id: isPosix(r) ? null : r.id,
    key: isPosix(r) ? null : formatKey(r.key),
    name: isPosix(r) ? plainText(r.name) : null,
  };
  if (e.event === 'create')
    Object.assign(o, {
      size: r.size,
      uid: r.uid,
      owner: plainText(systemNames.user(r.uid) ?? String(r.uid)),
      mode: `0${(r.mode & 0o777).toString(8)}`,
    });
  if (e.event === 'remove') o.size = r.size;
  for (const [field, [from, to]] of Object.entries(e.changes))
    o[field] = field === 'mode' ? { from: `0${from.toString(8)}`, to: `0${to.toString(8)}` } : { from, to };
  return jsonSafe(JSON.stringify(o)) + '\n';
}

/**
 * Looks at the namespace every --interval seconds. On a terminal: the ls
 * table redrawn in place (the alternate screen, one write per frame: no
 * flicker), what changed since the last look marked; otherwise (or with
 * --jsonl) one JSON line per change, nothing while nothing changes. Filters
 * choose which objects are watched: a change is shown when the object matched
 * before or after it.
 */
export const spec: CommandSpec = {
  name: 'watch',
  summary: 'watch segments and objects change: a live ls on a terminal, or one JSON line per change (--jsonl)',
  usage: 'watch [--interval SECONDS] [--jsonl] [--count N] [--sysv|--posix|--all] [filters]',
  arguments: [],
  options: [
    { flags: '-i, --interval <SECONDS>', description: 'seconds between looks (default 1; fractions allowed)' },
    { flags: '--jsonl', description: 'one JSON object per line for each change (the default when not a terminal)' },
    { flags: '-c, --count <N>', description: 'stop after N looks (default: until interrupted)' },
    ...kindOptions,
    ...filterOptions,
  ],
  run(_args: string[], opts: Options): Promise<number> {
    const seconds = opts.interval === undefined ? 1 : parseSeconds(opts.interval as string);
    if (seconds < 0.05) throw new UsageError('--interval is at least 0.05 seconds');
    const count = opts.count === undefined ? Infinity : Number(opts.count);
    if (opts.count !== undefined && !(/^[0-9]+$/.test(opts.count as string) && count >= 1))
      throw new UsageError(`invalid count '${String(opts.count)}'`);
    const kind = kindOf(opts);
    const selection = selectionOf(opts);
    const terminal = opts.jsonl !== true && stdoutIsTTY();
    const look = (): { all: Map<string, ShmRecord>; picked: Set<string> } => {
      const records = list({ kind, usage: kind !== 'sysv' });
      return { all: indexRecords(records), picked: new Set(select(records, selection).map(identityOf)) };
    };
    let prev = look();
    let looks = 1;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      // frames are drawn one after another; the screen is restored after the last
      let drawing: Promise<void> = Promise.resolve();
      let status = 0;
      let stopped = false;
      const stop = (): void => {
        if (stopped) return;
        stopped = true;
        if (timer) clearInterval(timer);
        for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(s, stop);
        void drawing.then(() => {
          try {
            if (terminal) writeAll(1, '\x1b[?25h\x1b[?1049l'); // the cursor and the screen as they were
          } catch {
            /* the terminal is gone */
          }
          resolve(status);
        });
      };
      // a failure while watching (stdout closed: `| head`) ends it: quietly for a closed pipe, in one line otherwise
      const fail = (e: unknown): void => {
        status = reportError('watch', e);
        stop();
      };
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, stop);
      const draw = terminal ? frame(opts, kind, seconds) : null;
      if (draw) {
        writeAll(1, '\x1b[?1049h\x1b[?25l');
        const first = prev.all;
        drawing = drawing.then(() => draw(first, new Set(), [])).catch(fail);
      }
      const tick = (): void => {
        const next = look();
        const events = changesBetween(prev.all, next.all).filter(
          (e) => prev.picked.has(identityOf(e.record)) || next.picked.has(identityOf(e.record)),
        );
        if (draw) {
          const changed = new Set(events.map((e) => identityOf(e.record)));
          const removed = events.filter((e) => e.event === 'remove').map((e) => e.record);
          drawing = drawing.then(() => draw(next.all, changed, removed)).catch(fail);
        } else if (events.length) {
          const time = new Date().toISOString();
          writeAll(1, events.map((e) => eventLine(e, time)).join(''));
        }
        prev = next;
        if (++looks >= count) stop();
      };
      if (looks >= count) stop();
      else
        timer = setInterval(() => {
          try {
            tick();
          } catch (e) {
            fail(e);
          }
        }, seconds * 1000);
    });
  },
};

/** The terminal view: a title, the ls table with what changed marked, what went. */
function frame(opts: Options, kind: 'sysv' | 'posix' | 'all', seconds: number) {
  const columns = selectColumns(undefined, kind === 'sysv' ? DEFAULT_COLUMNS : kind === 'posix' ? POSIX_COLUMNS : ALL_COLUMNS);
  return async (all: Map<string, ShmRecord>, changed: Set<string>, removed: ShmRecord[]): Promise<void> => {
    const { renderTable } = await import('../render/table.js');
    const ctx = columnContext(opts, systemNames, 'table');
    const records = [...all.values()];
    const table = await renderTable(
      records,
      columns.map((c) => ({ header: c.name, right: c.right, cell: (r: ShmRecord) => c.text(r, ctx) })),
      { color: true, changed: (r) => changed.has(identityOf(r)) },
    );
    const gone = removed.length ? `removed: ${removed.map((r) => (isPosix(r) ? r.name : `id ${r.id}`)).join(', ')}\n` : '';
    const title = `Every ${seconds}s: shmctl-ts watch${kind === 'sysv' ? '' : ` --${kind}`}    ${new Date().toLocaleTimeString()}\n\n`;
    // home, each line cleared to its end, the rest of the screen cleared: one write, no flicker
    writeAll(1, '\x1b[H' + (title + table + gone).replace(/\n/g, '\x1b[K\n') + '\x1b[J');
  };
}
