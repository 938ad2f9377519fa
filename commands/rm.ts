import { Errno, ShmError, UsageError } from '../src/model/errors.js';
import { writeAll } from '../src/kernel/io.js';
import { parseId, parseKey } from '../src/model/parse.js';
import { readProcShm } from '../src/kernel/procfs.js';
import { isDest } from '../src/model/record.js';
import { describeId, describeKey, openKey } from '../src/sysv/segment.js';
import { isPosixName } from '../src/posix/name.js';
import { Shm } from '../src/api.js';
import { posixNameOf } from './common.js';
import { reportError, warn } from './report.js';
import type { CommandSpec, Options } from './spec.js';


type Target = { kind: 'id'; id: number } | { kind: 'key'; key: number } | { kind: 'posix'; name: string };

/** shm_unlink the object; say when processes still map it (the memory lives on until they unmap). */
function removeObject(name: string, verbose: boolean): void {
  const { inUse: mappedBy } = Shm.open({ name }).remove();
  if (verbose) writeAll(1, `removing POSIX shared memory object \`${name}'\n`);
  if (mappedBy > 0) {
    warn('rm', `${name}: still mapped by ${mappedBy} process${mappedBy === 1 ? '' : 'es'}; the name is gone, the memory goes when they unmap it`);
  }
}

/** Remove the segment, and its shmctl-ts lock if it has one: nothing is left behind. */
function removeOne(id: number, verbose: boolean): void {
  const { inUse: stillAttached, warning } = Shm.open({ id }).remove();
  if (verbose) writeAll(1, `removing shared memory segment id \`${id}'\n`);
  if (warning) warn('rm', `${describeId(id)}: removed, but ${warning}`);
  if (stillAttached > 0) {
    warn(
      'rm',
      `${describeId(id)}: still attached by ${stillAttached} process${stillAttached === 1 ? '' : 'es'}; ` +
        'marked dest, it goes at the last detach',
    );
  }
}

/**
 * --all: every segment this user may remove (the kernel decides: owner,
 * creator, or CAP_SYS_ADMIN), never queues or semaphores. Segments already
 * marked dest are removed already; ones that vanish meanwhile are skipped.
 * A failure on one segment is said and the rest are still removed.
 */
function removeAll(verbose: boolean): number {
  let skipped = 0;
  let failed = 0;
  for (const r of readProcShm()) {
    if (isDest(r)) continue;
    try {
      removeOne(r.id, verbose);
    } catch (e) {
      if (e instanceof ShmError && (e.errno === Errno.EPERM || e.errno === Errno.EACCES)) skipped++;
      else if (e instanceof ShmError && (e.errno === Errno.EINVAL || e.errno === Errno.EIDRM)) continue;
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
    const targets: Target[] = [
      ...ids.map((text): Target => (isPosixName(text) ? { kind: 'posix', name: posixNameOf(text) } : { kind: 'id', id: parseId(text) })),
      ...((opts.posix as string[] | undefined) ?? []).map((text): Target => ({ kind: 'posix', name: posixNameOf(text) })),
      ...((opts.key as string[] | undefined) ?? []).map((text): Target => ({ kind: 'key', key: parseKey(text) })),
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
        if (t.kind === 'id') {
          removeOne(t.id, verbose);
        } else if (t.kind === 'posix') {
          removeObject(t.name, verbose);
        } else {
          const id = openKey(t.key);
          try {
            removeOne(id, verbose);
          } catch (e) {
            throw e instanceof ShmError ? e.with(`${describeKey(t.key)} (${e.subject})`) : e;
          }
        }
      } catch (e) {
        failed++;
        reportError('rm', e);
      }
    }
    return failed ? 1 : 0;
  },
};
