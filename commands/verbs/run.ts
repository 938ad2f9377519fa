import { isolate, JobWatch, POLL_MS, userNamespaceCommand } from '../../src/api/index.js';
import { Errno, ShmError, UsageError } from '../../src/model/errors.js';
import { execInPlace, runChild } from '../support/child.js';
import { recordSubject } from '../options/common.js';
import { note, warn } from '../support/exit-status.js';
import type { CommandSpec, Options } from '../options/spec.js';

/** Signals whose default would end us (beyond STOP_SIGNALS), that Node lets us catch; SIGUSR1 is its debugger's. */
const FATAL_SIGNALS: NodeJS.Signals[] = ['SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGPROF', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR', 'SIGSTKFLT'];

/** Set for the second start of `run --isolate` inside a user namespace: it must not try again. */
const INNER = 'SHMCTL_TS_ISOLATING';

/**
 * A job that leaves no shared memory behind, however it ends. --isolate: in
 * its own IPC namespace and /dev/shm, exec'd in our place, so they go with its
 * last process. --reap: in this namespace, as our child; afterwards what it
 * left is removed (src/ops/reap.ts has the rule). Either way the status is the
 * job's (128+N for signal N).
 */
export const spec: CommandSpec = {
  name: 'run',
  summary: 'run a job so that it leaves no shared memory behind: in its own namespace (--isolate) or cleaned up after (--reap)',
  usage: 'run (--isolate | --reap [--any-creator] [--ignore-unreadable]) [-v] -- CMD [ARGS...]',
  arguments: [],
  trailingCommand: true,
  options: [
    {
      flags: '--isolate',
      description:
        'a private IPC namespace and a /dev/shm of its own for the job: all it makes goes with it (root, or an unprivileged user namespace)',
    },
    {
      flags: '--reap',
      description: "afterwards remove the segments and objects the job's own processes made, are yours and nothing holds",
    },
    {
      flags: '--any-creator',
      description: '--reap: also remove new objects of yours whose maker cannot be known (without root, fanotify tells no maker)',
    },
    {
      flags: '--ignore-unreadable',
      description: '--reap: disregard processes that cannot be seen or read (they could have an object open)',
    },
    { flags: '-v, --verbose', description: '--reap: name each segment and object removed (on stderr)' },
  ],
  async run(_args: string[], opts: Options, command: string[]): Promise<number> {
    if (!command.length) throw new UsageError('give the job after --: run --reap -- CMD [ARGS...]');
    if ((opts.isolate === true) === (opts.reap === true)) throw new UsageError('give one of --isolate and --reap');
    if (opts.reap !== true && (opts.anyCreator === true || opts.ignoreUnreadable === true))
      throw new UsageError('--any-creator and --ignore-unreadable are for --reap');
    if (opts.isolate === true) {
      const nested = process.env[INNER] === '1';
      delete process.env[INNER]; // not for the job
      if (isolate()) return execInPlace(command, { who: 'run', env: {} });
      if (nested) throw new ShmError('unshare', Errno.EPERM, 'cannot isolate the job', 'refused even in the user namespace made for it');
      const inner = [process.execPath, process.argv[1]!, 'run', '--isolate', '--', ...command];
      return execInPlace(userNamespaceCommand(inner), { who: 'run', env: { [INNER]: '1' } });
    }
    const watch = new JobWatch(process.geteuid!());
    const timer = setInterval(() => {
      try {
        watch.poll();
      } catch {
        /* a look at /proc that failed: the next one will do */
      }
    }, POLL_MS);
    let status: number;
    try {
      // any signal that would end us before the job is passed on to it instead: the job ends, then we reap
      status = await runChild(command, { who: 'run', env: {}, onStart: (pid) => watch.started(pid), alsoPassed: FATAL_SIGNALS });
    } finally {
      clearInterval(timer);
    }
    const reaped = await watch.reap({ anyCreator: opts.anyCreator === true, ignoreUnreadable: opts.ignoreUnreadable === true });
    if (opts.verbose === true) for (const r of reaped.removed) note('run', `removed ${recordSubject(r)}`);
    for (const k of reaped.kept) warn('run', `kept ${recordSubject(k.record)}: ${k.reason}`);
    for (const f of reaped.failed) warn('run', `could not remove ${recordSubject(f.record)}: ${f.reason}`);
    return status;
  },
};
