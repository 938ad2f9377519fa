import { closeSync, fchmodSync, fchownSync, fsyncSync, lstatSync, openSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { Errno, hasErrno } from '../../src/model/errors.js';
import { basename, dirname, join } from 'node:path';
import type { KindChoice } from '../../src/model/record.js';
import { collectMetrics, finishMetrics, gatherMetrics, inEachNamespace, ipcNamespaces, newMetrics } from '../../src/api/index.js';
import { OperationError, UsageError } from '../../src/model/errors.js';
import { fileKindOf } from '../../src/model/file-kind.js';
import { terminalSafe } from '../../src/model/text.js';
import { writeAll } from '../../src/kernel/io.js';
import { commandLine, userName } from '../../src/kernel/names.js';
import { kindOptions } from '../options/filters.js';
import { renderPrometheus } from '../render/prometheus.js';
import { warn } from '../support/exit-status.js';
import type { CommandSpec, Options } from '../options/spec.js';

/**
 * What --output may replace: nothing yet (made 0644), or a regular file,
 * whose owner and mode the new one keeps. Anything else — a device such as
 * /dev/null, a FIFO, a symbolic link, a directory — is refused: the rename
 * would put a regular file in its place.
 */
function replaceable(file: string): Stats | null {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (e) {
    if (hasErrno(e, Errno.ENOENT)) return null;
    throw e;
  }
  if (!st.isFile()) throw new OperationError(file, `is ${fileKindOf(st)}: --output replaces only a regular file (or makes one)`);
  return st;
}

/**
 * FILE written whole or not at all: a temporary file beside it (a name the
 * textfile collector skips: it reads *.prom only), flushed, then renamed
 * over FILE, so a scrape never reads half of it. FILE is looked at before and
 * again right before the rename (replaceable).
 */
function writeAtomically(file: string, text: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
    const was = replaceable(file);
    if (was) {
      fchownSync(fd, was.uid, was.gid);
      fchmodSync(fd, was.mode & 0o7777);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, file);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* closed already */
    }
    try {
      unlinkSync(temp);
    } catch {
      /* gone already */
    }
    throw e;
  }
}

export const spec: CommandSpec = {
  name: 'metrics',
  summary: "print shared memory as Prometheus metrics (text format 0.0.4) for node_exporter's textfile collector",
  usage: 'metrics [--sysv|--posix|--all] [--output FILE] [--ns PID | --all-namespaces]',
  arguments: [],
  options: [
    ...kindOptions.map((o) => (o.flags.endsWith('--sysv') ? { ...o, description: 'System V segments only' } : o)),
    { flags: '-o, --output <FILE>', description: 'write FILE atomically (a temporary file beside it, then renamed) instead of stdout' },
    { flags: '-N, --all-namespaces', description: 'every IPC namespace this user may enter, each labelled namespace="INODE"' },
  ],
  run(_args: string[], opts: Options): number {
    // both kinds unless one is asked for: a monitor wants everything
    const kind = (opts.kind as KindChoice | undefined) ?? 'all';
    // label values in the escaped form names are shown in (\xHH for controls and bytes that are not UTF-8):
    // a metrics file printed on a terminal sends it nothing it would obey
    const owner = (uid: number): string => terminalSafe(userName(uid) ?? String(uid));
    const command = (pid: number): string | null => commandLine(pid);
    if (opts.output !== undefined) {
      if (opts.output === '') throw new UsageError('--output needs a file name');
      replaceable(opts.output as string); // refused before anything is collected
    }
    const metrics = newMetrics();
    let first = true;
    if (opts.allNamespaces === true) {
      if (opts.ns !== undefined) throw new UsageError('--all-namespaces and --ns: one or the other');
      const { results: gathered, refused } = inEachNamespace(ipcNamespaces().namespaces, (tag) => {
        // the held kinds are the processes': counted once, in the first namespace (ours)
        const pending = gatherMetrics(metrics, { kind, owner, tag, command, held: first });
        first = false;
        return pending;
      });
      // who holds what, in every namespace: one pass over /proc, back in ours
      finishMetrics(gathered);
      if (refused)
        warn('metrics', `${refused} IPC namespace${refused === 1 ? '' : 's'} could not be entered (that needs root): not collected`);
    } else collectMetrics(metrics, { kind, owner });
    const text = renderPrometheus(metrics.all);
    if (opts.output !== undefined) writeAtomically(opts.output as string, text);
    else writeAll(1, text);
    return 0;
  },
};
