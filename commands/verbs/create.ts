import { Errno, hasErrno, ShmError, UsageError } from '../../src/model/errors.js';
import { writeAll } from '../../src/kernel/io.js';
import {
  checkRequest,
  DEFAULT_MODE,
  firstBlocker,
  readEnvironment,
  Shm,
  SHM_HUGETLB,
  SHM_NORESERVE,
  type ShmRequest,
} from '../../src/api/index.js';
import { parseKey, parseMode, parseSize } from '../../src/model/parse.js';
import { systemNames } from '../../src/kernel/names.js';
import { formatKey, permsOf } from '../../src/model/record.js';
import { ftokKey, ftokOptions, posixNameOf, posixOption } from '../options/common.js';
import { warn } from '../support/exit-status.js';
import type { CommandSpec, Options } from '../options/spec.js';

const octal = (mode: number): string => `0${mode.toString(8).padStart(3, '0')}`;

/**
 * An existing segment or object is handed back as it is (shmget's rule);
 * never let that pass silently when it is not what was asked for: another
 * user's (the caller would write into it), another mode, another size.
 */
function warnIfNotAsked(shm: Shm, key: number | 'random' | undefined, mode: number, size: number): void {
  const existing = shm.stat({ usage: false });
  const notes: string[] = [];
  const me = process.geteuid?.() ?? 0;
  if (existing.uid !== me) {
    const name = systemNames.user(existing.uid);
    notes.push(`owned by ${name === null ? `uid ${existing.uid}` : `${name} (uid ${existing.uid})`}, not by you`);
  }
  if (permsOf(existing) !== mode) notes.push(`with mode ${octal(permsOf(existing))}, not the ${octal(mode)} asked; its mode is unchanged`);
  if (existing.size !== size) notes.push(`its size is ${existing.size} bytes, not the ${size} asked`);
  if (!notes.length) return;
  const which = shm.name ? `${shm.name}: exists already` : `key ${formatKey(key as number)}: exists already (shmid ${shm.id})`;
  warn('create', `${which} ${notes.join('; ')} (use --excl to insist on a new ${shm.name ? 'object' : 'segment'})`);
}

/**
 * The limit behind shmget's ENOSPC, EINVAL or ENOMEM, as `check` names it,
 * with its fix; other failures as they are.
 */
function withLimit(e: unknown, request: ShmRequest): unknown {
  if (!hasErrno(e, Errno.ENOSPC, Errno.EINVAL, Errno.ENOMEM) || !(e instanceof ShmError)) return e;
  let blocker;
  try {
    blocker = firstBlocker(checkRequest(readEnvironment(), request));
  } catch {
    return e;
  }
  if (!blocker) return e;
  // shmget's reason names kernel.shm* already; the others are told here
  const names: Record<string, string> = { hugepages: 'vm.nr_hugepages', hugetlb_shm_group: 'hugetlb group' };
  const said = e.reason.includes(names[blocker.limit] ?? `kernel.${blocker.limit}`) ? e.reason : `${e.reason}: ${blocker.message}`;
  return e.with(e.subject, `${said}; fix: ${blocker.fix[0]}`);
}

export const spec: CommandSpec = {
  name: 'create',
  summary: 'create a segment (or find the one with this key) and print its id; or a POSIX object, printing its name',
  usage:
    'create (--key KEY|random | --private | --ftok PATH [--proj N] | /NAME | --posix NAME) --size SIZE [--mode MODE] [--excl] [--hugetlb] [--noreserve]',
  arguments: [{ name: '[name]', description: '/NAME: create a POSIX shared memory object (shm_open) instead' }],
  options: [
    {
      flags: '-k, --key <KEY>',
      description: 'key of the segment: decimal, 0x hex or 0 octal, 32 bits, not 0; or "random" for an unused random key',
    },
    { flags: '-p, --private', description: 'a new segment with no key (IPC_PRIVATE)' },
    ...ftokOptions,
    { flags: '-s, --size <SIZE>', description: 'bytes; suffixes K M G T P E (KiB = 1024, KB = 1000), fractions with a suffix' },
    { flags: '-m, --mode <MODE>', description: 'octal permission bits 0-0777 (default 0600)' },
    posixOption,
    { flags: '-x, --excl', description: 'fail if the key (or name) exists instead of returning its segment' },
    { flags: '--hugetlb', description: 'back the segment with huge pages (SHM_HUGETLB)' },
    { flags: '--noreserve', description: 'reserve no swap space for it (SHM_NORESERVE)' },
  ],
  run(args: string[], opts: Options): number {
    // a stray word is the problem before anything else it makes look wrong (create --key 1 --size 4 KB)
    if (args[0] !== undefined && !args[0].startsWith('/')) {
      if (/^[KMGTPE](i?B)?$/i.test(args[0]))
        throw new UsageError(
          `unexpected word '${args[0]}': a size takes its suffix with no space (--size ${(opts.size as string | undefined) ?? 4}${args[0]})`,
        );
      throw new UsageError(`'${args[0]}' is not a POSIX name: they begin with a slash (/name); segments take --key`);
    }
    const ways = [opts.key !== undefined, opts.private === true, opts.ftok !== undefined, args[0] !== undefined, opts.posix !== undefined];
    if (ways.filter(Boolean).length !== 1)
      throw new UsageError('give exactly one of --key KEY, --private, --ftok PATH, /NAME, --posix NAME');
    const text = args[0] ?? (opts.posix as string | undefined);
    if (text !== undefined && (opts.hugetlb || opts.noreserve)) throw new UsageError('--hugetlb and --noreserve are for System V segments');
    if (opts.proj !== undefined && opts.ftok === undefined) throw new UsageError('--proj goes with --ftok');
    if (opts.size === undefined) throw new UsageError('--size SIZE is required');
    const size = parseSize(opts.size as string);
    const mode = opts.mode === undefined ? DEFAULT_MODE : parseMode(opts.mode as string);
    const flags = (opts.hugetlb ? SHM_HUGETLB : 0) | (opts.noreserve ? SHM_NORESERVE : 0);
    const key =
      opts.key === 'random'
        ? ('random' as const)
        : opts.key !== undefined
          ? parseKey(opts.key as string)
          : opts.ftok !== undefined
            ? ftokKey(opts)
            : undefined;
    const request = {
      size,
      count: 1,
      hugetlb: opts.hugetlb === true,
      posix: text !== undefined,
      lockMemory: false,
      noreserve: opts.noreserve === true,
    };
    let shm: Shm;
    try {
      shm = Shm.create({
        size,
        mode,
        flags,
        exclusive: opts.excl === true,
        ...(text !== undefined ? { name: posixNameOf(text) } : {}),
        ...(key !== undefined ? { key } : {}),
        ...(opts.private ? { private: true } : {}),
      });
    } catch (e) {
      throw withLimit(e, request);
    }
    if (!shm.created) warnIfNotAsked(shm, key, mode, size);
    // a POSIX object is sparse: it is made whatever its size, and writing past /dev/shm's free space fails later
    const room = shm.created && request.posix ? firstBlocker(checkRequest(readEnvironment(), request)) : null;
    if (room)
      warn('create', `${shm.subject}: made, but ${room.message}: filling it will fail (SIGBUS where it is mapped); fix: ${room.fix[0]}`);
    writeAll(1, `${shm.name ?? shm.id}\n`);
    return 0;
  },
};
