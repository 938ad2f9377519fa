import type { KindChoice } from '../../src/model/record.js';
import { changesBetween, indexRecords, isEmptySelection, looker, select, type WatchEvent } from '../../src/api/index.js';
import { kindOf } from '../../src/model/kinds.js';
import { UsageError } from '../../src/model/errors.js';
import { parseSeconds } from '../../src/model/parse.js';
import { formatKey, type ShmRecord } from '../../src/model/record.js';
import { jsonSafe, plainText } from '../../src/model/text.js';
import { writeAll } from '../../src/kernel/io.js';
import { systemNames } from '../../src/kernel/names.js';
import { identityOf } from '../../src/api/index.js';
import { columnsFor, selectColumns } from '../render/columns.js';
import { stdoutIsTTY } from '../options/common.js';
import { reportError } from '../support/exit-status.js';
import { filterOptions, askedKind, kindOptions, selectionOf } from '../options/filters.js';
import { columnContext } from '../options/output.js';
import type { CommandSpec, Options } from '../options/spec.js';

/** One event as a JSON line: when, what, which, and what changed (from → to). */
function eventLine(e: WatchEvent, time: string): string {
  const r = e.record;
  const names = kindOf(r).names(r);
  const o: Record<string, unknown> = {
    time,
    event: e.event,
    kind: r.kind,
    id: names.id,
    key: names.key === null ? null : formatKey(names.key),
    name: names.name === null ? null : plainText(names.name),
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
    const kind = askedKind(opts);
    const selection = selectionOf(opts);
    const again = looker(kind, kind !== 'sysv');
    const everything = isEmptySelection(selection);
    let last: Look | null = null;
    const look = (): Look => {
      const records = again();
      if (records === null && last) {
        // nothing changed: the same records (what the filters pick may still, with time: --older-than)
        if (!everything) last = { all: last.all, picked: new Set(select([...last.all.values()], selection).map(identityOf)) };
        return last;
      }
      const all = records ?? [];
      last = { all: indexRecords(all), picked: new Set(select(all, selection).map(identityOf)) };
      return last;
    };
    const draw = opts.jsonl !== true && stdoutIsTTY() ? frame(opts, kind, seconds) : null;
    return new Watcher(look, draw, count).every(seconds);
  },
};

/** One look at the namespace: every record by identity, and the identities the filters pick. */
interface Look {
  all: Map<string, ShmRecord>;
  picked: Set<string>;
}

type Draw = (all: Map<string, ShmRecord>, changed: Set<string>, removed: ShmRecord[]) => Promise<void>;

/**
 * The watch itself: a look every interval until `count` looks or a signal;
 * each look's changes drawn (on a terminal: frames one after another, the
 * screen restored after the last) or written as JSON lines. A failure while
 * watching (stdout closed: `| head`) ends it: quietly for a closed pipe, in
 * one line otherwise. every() resolves with the exit status.
 */
class Watcher {
  #prev: Look;
  #looks = 1;
  #timer: NodeJS.Timeout | undefined;
  #drawing: Promise<void> = Promise.resolve();
  #status = 0;
  #stopped = false;
  #done: (status: number) => void = () => undefined;
  readonly #stop = (): void => this.stop();

  constructor(
    private readonly look: () => Look,
    private readonly draw: Draw | null,
    private readonly count: number,
  ) {
    this.#prev = look();
  }

  every(seconds: number): Promise<number> {
    return new Promise((resolve) => {
      this.#done = resolve;
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, this.#stop);
      if (this.draw) {
        writeAll(1, '\x1b[?1049h\x1b[?25l');
        this.show(this.#prev.all, new Set(), []);
      }
      if (this.#looks >= this.count) this.stop();
      else this.#timer = setInterval(() => this.tick(), seconds * 1000);
    });
  }

  private tick(): void {
    try {
      const next = this.look();
      const prev = this.#prev;
      const events = (next.all === prev.all ? [] : changesBetween(prev.all, next.all)).filter(
        (e) => prev.picked.has(identityOf(e.record)) || next.picked.has(identityOf(e.record)),
      );
      if (this.draw) {
        const removed = events.filter((e) => e.event === 'remove').map((e) => e.record);
        this.show(next.all, new Set(events.map((e) => identityOf(e.record))), removed);
      } else if (events.length) {
        const time = new Date().toISOString();
        writeAll(1, events.map((e) => eventLine(e, time)).join(''));
      }
      this.#prev = next;
      if (++this.#looks >= this.count) this.stop();
    } catch (e) {
      this.fail(e);
    }
  }

  /** The next frame, after the one being drawn. */
  private show(all: Map<string, ShmRecord>, changed: Set<string>, removed: ShmRecord[]): void {
    this.#drawing = this.#drawing.then(() => this.draw!(all, changed, removed)).catch((e: unknown) => this.fail(e));
  }

  private fail(e: unknown): void {
    this.#status = reportError('watch', e);
    this.stop();
  }

  private stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(s, this.#stop);
    void this.#drawing.then(() => {
      try {
        if (this.draw) writeAll(1, '\x1b[?25h\x1b[?1049l'); // the cursor and the screen as they were
      } catch {
        /* the terminal is gone */
      }
      this.#done(this.#status);
    });
  }
}

/** The terminal view: a title, the ls table with what changed marked, what went. */
function frame(opts: Options, kind: KindChoice, seconds: number): Draw {
  const columns = selectColumns(undefined, columnsFor(kind));
  return async (all: Map<string, ShmRecord>, changed: Set<string>, removed: ShmRecord[]): Promise<void> => {
    const { renderTable } = await import('../render/table.js');
    const ctx = columnContext(opts, systemNames, 'table');
    const records = [...all.values()];
    const table = await renderTable(
      records,
      columns.map((c) => ({ header: c.name, right: c.right, cell: (r: ShmRecord) => c.text(r, ctx) })),
      { color: true, changed: (r) => changed.has(identityOf(r)) },
    );
    const gone = removed.length ? `removed: ${removed.map((r) => kindOf(r).shortName(r)).join(', ')}\n` : '';
    const title = `Every ${seconds}s: shmctl-ts watch${kind === 'sysv' ? '' : ` --${kind}`}    ${new Date().toLocaleTimeString()}\n\n`;
    // home, each line cleared to its end, the rest of the screen cleared: one write, no flicker
    writeAll(1, '\x1b[H' + (title + table + gone).replace(/\n/g, '\x1b[K\n') + '\x1b[J');
  };
}
