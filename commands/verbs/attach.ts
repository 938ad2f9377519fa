import { Errno, hasErrno, ShmError } from '../../src/model/errors.js';
import { kindNamed } from '../../src/model/kinds.js';
import { parseSeconds } from '../../src/model/parse.js';
import type { Mapping } from '../../src/api/index.js';
import { runChild, STOP_SIGNALS, whereTheMemoryIs } from '../support/child.js';
import { resolveAny, targetArgument, targetOptions } from '../options/common.js';
import { note } from '../support/exit-status.js';
import type { CommandSpec, Options } from '../options/spec.js';

/** Until a stop signal or the timeout: either ends the hold normally (status 0). */
function hold(timeout: number | undefined): Promise<number> {
  return new Promise((resolve) => {
    const timer = timeout === undefined ? setInterval(() => {}, 1 << 30) : setTimeout(() => finish(), timeout * 1000);
    const finish = (): void => {
      clearInterval(timer);
      clearTimeout(timer);
      for (const s of STOP_SIGNALS) process.removeListener(s, finish);
      resolve(0);
    };
    for (const s of STOP_SIGNALS) process.once(s, finish);
  });
}

export const spec: CommandSpec = {
  name: 'attach',
  summary: 'attach a segment (or map a POSIX object) and hold it, or run a command while it is',
  usage: 'attach (ID | /NAME | --key KEY | --ftok PATH [--proj N] | --posix NAME) [--readonly] [--timeout SECONDS] [-q] [-- CMD ARGS...]',
  arguments: [targetArgument],
  trailingCommand: true,
  options: [
    ...targetOptions,
    { flags: '-r, --readonly', description: 'attach read-only (SHM_RDONLY; POSIX: map PROT_READ)' },
    {
      flags: '-t, --timeout <SECONDS>',
      description: 'hold at most this long; with a command, stop it with SIGTERM then and exit 124',
    },
    { flags: '-q, --quiet', description: 'do not say where the segment was attached' },
  ],
  async run(args: string[], opts: Options, command: string[]): Promise<number> {
    const timeout = opts.timeout === undefined ? undefined : parseSeconds(opts.timeout as string);
    const target = resolveAny(args[0], opts);
    const readonly = opts.readonly === true;
    let att: Mapping;
    try {
      // a POSIX mapping is held, never touched by us: no SIGBUS if it shrinks
      att = target.attach({ readonly });
    } catch (e) {
      if (hasErrno(e, Errno.EACCES) && !readonly) {
        const denied = ShmError.of(e);
        throw denied.with(denied.subject, `${denied.reason}; try --readonly`);
      }
      throw e;
    }
    try {
      if (!opts.quiet) {
        const until = command.length
          ? `while ${command[0]} runs`
          : `until SIGINT/SIGTERM${timeout === undefined ? '' : ` or ${timeout} s`}`;
        note(
          'attach',
          `${target.subject}: ${kindNamed(target.kind).holding} ${readonly ? 'read-only' : 'read-write'} at 0x${att.address.toString(16)} ` +
            `(${att.size} bytes), held ${until}`,
        );
      }
      return command.length
        ? await runChild(whereTheMemoryIs(command), {
            who: 'attach',
            env: target.env,
            ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
          })
        : await hold(timeout);
    } finally {
      att.detach();
    }
  },
};
