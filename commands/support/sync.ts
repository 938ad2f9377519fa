/**
 * --lock, --post and --wait for write and read: the segment's lock held for
 * the copy, and the one-slot hand-off around it (src/sysv/lock.ts). A failed copy
 * gives the slot or the post back, so nothing is lost.
 */
import { LockTimeout, UsageError } from '../../src/model/errors.js';
import type { LockHandle, Shm } from '../../src/api/index.js';
import type { LockMode } from '../../src/model/lock-state.js';
import { parseSeconds } from '../../src/model/parse.js';
import type { OptionSpec, Options } from '../options/spec.js';

/** --timeout in milliseconds, or null to wait for ever. */
export function timeoutMs(opts: Options): number | null {
  return opts.timeout === undefined ? null : parseSeconds(opts.timeout as string) * 1000;
}

/** Take the lock of a segment or object, or fail with LockTimeout (exit status 75). */
export function takeLock(target: Shm, mode: LockMode, timeout: number | null, asked = timeout): Promise<LockHandle> {
  return target.lock({ shared: mode === 'shared', timeoutMs: timeout, timeoutLabelMs: asked });
}

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
