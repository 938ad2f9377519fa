import { describeKey, isPosixName, list, Shm, type ShmTarget } from '../../src/api/index.js';
import { Errno, ShmError, UsageError, hasErrno } from '../../src/model/errors.js';
import { parseId, parseKey } from '../../src/model/parse.js';
import { isDest, type SegmentRecord } from '../../src/model/record.js';
import { writeAll } from '../../src/kernel/io.js';
import { posixNameOf } from '../options/common.js';
import { reportError, warn } from '../support/exit-status.js';
import type { CommandSpec, Options } from '../options/spec.js';

/**
 * Remove one segment (and its shmctl-ts lock) or object, saying what ipcrm -v
 * says, and what is left in use: an attached segment stays (dest) until its
 * last detach, a mapped object's memory until it is unmapped.
 */
function removeOne(shm: Shm, verbose: boolean): void {
  const { inUse, warning } = shm.remove();
  if (verbose) writeAll(1, removingLine(shm));
  if (warning) warn('rm', `${shm.subject}: removed, but ${warning}`);
  if (inUse > 0) warn('rm', `${shm.subject}: ${REMOVED_IN_USE[shm.kind](inUse)}`);
}

/** What is left in use: a segment's nattch counts attachments (one process may hold several), an object's count is of processes. */
const REMOVED_IN_USE = {
  sysv: (n: number) => `still attached (${n} attachment${n === 1 ? '' : 's'}); marked dest, it goes at the last detach`,
  posix: (n: number) => `still mapped by ${n} process${n === 1 ? '' : 'es'}; the name is gone, the memory goes when they unmap it`,
};

/** What ipcrm -v says as it removes one. */
const REMOVING = {
  sysv: (it: { id: number | null }) => `removing shared memory segment id \`${it.id}'\n`,
  posix: (it: { name: string | null }) => `removing POSIX shared memory \`${it.name}'\n`,
};
export const removingLine = (it: { kind: 'sysv' | 'posix'; id: number | null; name: string | null }): string => REMOVING[it.kind](it);

/**
 * --all: every segment this user may remove (the kernel decides: owner,
 * creator, or CAP_SYS_ADMIN), never queues or semaphores. Segments already
 * marked dest are removed already; ones that vanish meanwhile are skipped.
 * A failure on one segment is said and the rest are still removed.
 */
function removeAll(verbose: boolean): number {
  let skipped = 0;
  let failed = 0;
  for (const r of list({ kind: 'sysv' }) as SegmentRecord[]) {
    if (isDest(r)) continue;
    try {
      removeOne(Shm.open({ id: r.id }), verbose);
    } catch (e) {
      if (hasErrno(e, Errno.EPERM, Errno.EACCES)) skipped++;
      else if (hasErrno(e, Errno.EINVAL, Errno.EIDRM)) continue;
      else {
        failed++;
        reportError('rm', e);
      }
    }
  }
  if (verbose && skipped) {
    warn('rm', `left ${skipped} segment${skipped === 1 ? '' : 's'} this user may not remove`);
  }
  return failed ? 1 : 0;
}

export const spec: CommandSpec = {
  name: 'rm',
  summary: 'remove segments by id or key, like ipcrm -m/-M, and POSIX objects by name (shm_unlink)',
  usage: 'rm [ID | /NAME]... [-m ID]... [-M KEY]... [--posix NAME]... [--all] [-v]',
  arguments: [{ name: '[targets...]', description: 'shmids of segments, /NAMEs of POSIX objects' }],
  options: [
    { flags: '-m, --id <ID>', description: 'remove the segment with this shmid (decimal)', repeatable: true },
    { flags: '-M, --key <KEY>', description: 'remove the segment with this key (decimal, 0x hex or 0 octal)', repeatable: true },
    { flags: '--posix <NAME>', description: 'remove the POSIX object NAME (leading slash optional)', repeatable: true },
    { flags: '-a, --all', description: 'remove every shared memory segment this user may remove (nothing else)' },
    { flags: '-v, --verbose', description: 'name each segment removed' },
  ],
  run(args: string[], opts: Options): number {
    const verbose = opts.verbose === true;
    // Every argument is parsed before anything is removed: a typo removes nothing.
    const ids = [...args, ...((opts.id as string[] | undefined) ?? [])];
    const targets: ShmTarget[] = [
      ...ids.map((text): ShmTarget => (isPosixName(text) ? { name: posixNameOf(text) } : { id: parseId(text) })),
      ...((opts.posix as string[] | undefined) ?? []).map((text): ShmTarget => ({ name: posixNameOf(text) })),
      ...((opts.key as string[] | undefined) ?? []).map((text): ShmTarget => ({ key: parseKey(text) })),
    ];
    if (opts.all) {
      if (targets.length) throw new UsageError('--all removes every segment you may remove: give no ids or keys with it');
      return removeAll(verbose);
    }
    if (!targets.length) throw new UsageError('name segments to remove: IDs, /NAMEs, -m ID, -M KEY, --posix NAME, or --all');
    // Like ipcrm: carry on past a failure, and fail at the end if any did.
    let failed = 0;
    for (const t of targets) {
      try {
        const shm = Shm.open(t);
        try {
          removeOne(shm, verbose);
        } catch (e) {
          // a segment named by key: say which key, and which id it had
          throw 'key' in t && e instanceof ShmError ? e.with(`${describeKey(t.key)} (${e.subject})`) : e;
        }
      } catch (e) {
        failed++;
        reportError('rm', e);
      }
    }
    return failed ? 1 : 0;
  },
};
