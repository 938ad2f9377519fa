/**
 * --lock, --post and --wait for write and read: the segment's lock held for
 * the copy, and the one-slot hand-off around it (src/sysv/lock.ts). A failed copy
 * gives the slot or the post back, so nothing is lost.
 */
import { LockTimeout, UsageError } from '../../src/model/errors.js';
import type { Shm } from '../../src/api/index.js';
import { takeLock, timeoutMs } from '../verbs/lock.js';
import type { OptionSpec, Options } from '../options/spec.js';

export const syncOptions = (side: 'write' | 'read'): OptionSpec[] => [
  {
    flags: '-L, --lock',
    description: side === 'write' ? "hold the segment's exclusive lock while writing" : "hold the segment's shared lock while reading",
  },
  side === 'write'
    ? { flags: '-p, --post', description: 'signal "data ready" after writing; waits first until the previous post was read' }
    : { flags: '-w, --wait', description: 'wait for a post (write --post) and consume it, then read' },
  { flags: '-t, --timeout <SECONDS>', description: 'give up waiting after this long (exit status 75)' },
];

/** Refuse what the target cannot do, before anything is opened. */
export function checkSyncOptions(target: Shm, side: 'write' | 'read', opts: Options): void {
  const handOff = side === 'write' ? opts.post === true : opts.wait === true;
  if (!target.canHandOff && handOff) {
    throw new UsageError(
      `--${side === 'write' ? 'post' : 'wait'} (the hand-off) needs System V semaphores: it is for System V segments; ` +
        'POSIX objects have --lock',
    );
  }
}

/** Is the copy made under a lock or a hand-off (--lock, --post, --wait)? */
export const synchronisedCopy = (opts: Options): boolean => opts.lock === true || opts.post === true || opts.wait === true;

/** Run `copy` inside whatever --lock/--post/--wait ask for. */
export async function synchronised<T>(target: Shm, side: 'write' | 'read', opts: Options, copy: () => T | Promise<T>): Promise<T> {
  const handOff = side === 'write' ? opts.post === true : opts.wait === true;
  if (!opts.lock && !handOff) {
    if (opts.timeout !== undefined) throw new UsageError(`--timeout goes with --lock or --${side === 'write' ? 'post' : 'wait'}`);
    return copy();
  }
  const deadline = timeoutMs(opts);
  const started = Date.now();
  const left = (): number | null => (deadline === null ? null : Math.max(0, deadline - (Date.now() - started)));
  checkSyncOptions(target, side, opts);
  const lock = handOff ? await target.handOff() : null;
  if (lock) {
    const ok = side === 'write' ? await lock.waitEmpty(left()) : await lock.waitFull(left());
    if (!ok) {
      throw new LockTimeout(
        target.subject,
        side === 'write'
          ? `timed out after ${deadline! / 1000} s waiting for the last post to be read`
          : `timed out after ${deadline! / 1000} s waiting for a post`,
      );
    }
  }
  let result: T;
  try {
    const held = opts.lock ? await takeLock(target, side === 'write' ? 'exclusive' : 'shared', left(), deadline) : null;
    try {
      result = await copy();
    } finally {
      held?.release();
    }
  } catch (e) {
    if (lock) side === 'write' ? lock.abortPost() : lock.abortTake();
    throw e;
  }
  if (lock) side === 'write' ? lock.commitPost() : lock.commitTake();
  return result;
}
