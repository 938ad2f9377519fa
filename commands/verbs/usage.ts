import { shmemUsage } from '../../src/api/index.js';
import { writeAll } from '../../src/kernel/io.js';
import { UsageError } from '../../src/model/errors.js';
import { renderShmemUsage } from '../render/shmem-usage.js';
import type { CommandSpec, Options } from '../options/spec.js';

/**
 * Where /proc/meminfo's Shmem goes: System V segments, each tmpfs mount,
 * memfds, removed files still held, shared anonymous memory, and the rest;
 * each with its largest members and their holders; the huge page pools; the
 * control groups charged the most. It changes nothing.
 */
export const spec: CommandSpec = {
  name: 'usage',
  summary: "split /proc/meminfo's Shmem by what holds it (where did my memory go?)",
  usage: 'usage [--json] [-b] [--top N] [--charged] [-v]',
  arguments: [],
  options: [
    { flags: '-j, --json', description: 'as JSON: every bucket in bytes, its largest members, notes' },
    { flags: '-b, --bytes', description: 'sizes in bytes' },
    { flags: '--top <N>', description: "how many of each bucket's largest members to name (default 5)" },
    {
      flags: '--charged',
      description:
        "root: the control groups the pages of the named memfds, removed files and shared anonymous regions, and of /dev/shm's objects, are charged to (pagemap, kpagecgroup)",
    },
    { flags: '-v, --verbose', description: "also empty members, every bucket's notes and empty huge page pools" },
  ],
  run(_args: string[], opts: Options): number {
    const text = opts.top as string | undefined;
    const top = text === undefined ? 5 : /^\d{1,6}$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(top)) throw new UsageError(`invalid --top '${text}' (a count: 0 to 999999)`);
    const usage = shmemUsage({ top, charged: opts.charged === true });
    writeAll(
      1,
      opts.json === true
        ? `${JSON.stringify(usage, null, 2)}\n`
        : renderShmemUsage(usage, { bytes: opts.bytes === true, verbose: opts.verbose === true }),
    );
    return 0;
  },
};
