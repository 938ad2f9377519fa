/** What several subcommands share: how a segment is named, output, formats. */
import { kindOf } from '../../src/model/kinds.js';
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UsageError } from '../../src/model/errors.js';
import type { ShmRecord } from '../../src/model/record.js';
import { parseId, parseKey, parseProj } from '../../src/model/parse.js';
import { checkPosixName, isPosixName, keyFromPath, Shm, type HeldTarget, type NamespaceSpec, type ShmTarget } from '../../src/api/index.js';
import type { OptionSpec, Options } from './spec.js';

/** --ftok PATH [--proj N]: a key made from an existing file, for create and for naming a segment. */
export const ftokOptions: OptionSpec[] = [
  { flags: '--ftok <PATH>', description: 'the key ftok(3) makes from PATH and --proj' },
  { flags: '--proj <N>', description: 'project id for --ftok: 1-255 or one character (default 1)' },
];

/** --ns PID|PATH: the command runs in that IPC namespace (and, for a PID, with its /dev/shm). */
export const nsOption: OptionSpec = {
  flags: '--ns <PID|PATH>',
  description: "work in this process's IPC namespace and /dev/shm, or in the IPC namespace of a file such as /proc/PID/ns/ipc",
  common: true,
};

/** --ns's value: digits are a pid, anything else a namespace file. */
export function namespaceOf(text: string): NamespaceSpec {
  if (/^[0-9]+$/.test(text)) {
    const pid = Number(text);
    if (!(pid > 0 && pid <= 4194304)) throw new UsageError(`invalid pid ${text}`);
    return { pid };
  }
  if (text === '') throw new UsageError('--ns takes a pid or a namespace file');
  return { path: text };
}

/** How gc and run name a listed segment or object in their lines: "id 5 (key 0x00000010)" or "/name". */
export function recordSubject(r: ShmRecord): string {
  return kindOf(r).subject(r);
}

/** --posix NAME: a POSIX object, for those who would rather not rely on the leading slash. */
export const posixOption: OptionSpec = {
  flags: '--posix <NAME>',
  description: 'the POSIX shared memory object NAME (/dev/shm/NAME; the leading slash may be left out)',
};

/** ID | /NAME | --key KEY | --ftok PATH [--proj N] | --posix NAME: the ways to name an existing segment or object. */
export const targetOptions: OptionSpec[] = [
  { flags: '-k, --key <KEY>', description: 'the segment with this key (decimal, 0x hex or 0 octal)' },
  ...ftokOptions,
  posixOption,
];

/** The target operand's description: a System V id, or a POSIX name. */
export const targetArgument = { name: '[target]', description: 'shmid of a System V segment, or /NAME of a POSIX object' };

/** The target argument of the verbs that also take a memfd, deleted file or shared anonymous region. */
export const heldTargetArgument = {
  name: '[target]',
  description:
    'shmid of a System V segment, /NAME of a POSIX object, or PID:FD or inode:N of a memfd, deleted file or shared anonymous region',
};

/** PID:FD (a holder's descriptor) or inode:N: a memfd, deleted file or shared anonymous region; null for other operands. */
export function heldTargetOf(operand: string | undefined): HeldTarget | null {
  if (operand === undefined) return null;
  const byFd = /^(\d+):(\d+)$/.exec(operand);
  if (byFd) {
    const [pid, fd] = [Number(byFd[1]), Number(byFd[2])];
    if (!(pid > 0 && pid <= 0x3fffffff) || !(fd <= 0x7fffffff)) throw new UsageError(`invalid PID:FD '${operand}'`);
    return { pid, fd };
  }
  if (!/^inode:/i.test(operand)) return null;
  const inode = Number(operand.slice(6));
  if (!/^\d+$/.test(operand.slice(6)) || !Number.isSafeInteger(inode)) throw new UsageError(`invalid inode in '${operand}' (inode:N)`);
  return { inode };
}

/** "/name" from --posix's value, with or without its slash. */
export function posixNameOf(text: string): string {
  return checkPosixName(text.startsWith('/') ? text : `/${text}`);
}

/**
 * The segment or object a command is about: its operand or options parsed
 * into the API's ShmTarget (everything checked before anything is touched),
 * then opened by the API.
 */
export function resolveAny(operand: string | undefined, opts: Options): Shm {
  return Shm.open(targetOf(operand, opts));
}

/** ID | /NAME | --key KEY | --ftok PATH [--proj N] | --posix NAME, exactly one, as a ShmTarget. */
function targetOf(operand: string | undefined, opts: Options): ShmTarget {
  const given = [operand !== undefined, opts.key !== undefined, opts.ftok !== undefined, opts.posix !== undefined].filter(Boolean).length;
  if (given === 0) throw new UsageError('name a segment or object: an ID, /NAME, --key KEY, --ftok PATH or --posix NAME');
  if (given > 1) throw new UsageError('name the segment once: an ID, /NAME, --key KEY, --ftok PATH or --posix NAME');
  if (opts.proj !== undefined && opts.ftok === undefined) throw new UsageError('--proj goes with --ftok');
  if (opts.posix !== undefined) return { name: posixNameOf(opts.posix as string) };
  if (operand !== undefined) return isPosixName(operand) ? { name: checkPosixName(operand) } : { id: parseId(operand) };
  if (opts.key !== undefined) return { key: parseKey(opts.key as string) };
  return { ftok: opts.ftok as string, proj: projOf(opts) };
}

export const DEFAULT_PROJ = 1;

function projOf(opts: Options): number {
  return opts.proj === undefined ? DEFAULT_PROJ : parseProj(opts.proj as string);
}

/** The key --ftok PATH [--proj N] stands for (create makes a segment with it). */
export function ftokKey(opts: Options): number {
  return keyFromPath(opts.ftok as string, projOf(opts));
}

/**
 * Is stdout a terminal? Asked without touching process.stdout, whose stream
 * costs a few milliseconds of start-up: a pipe or a file is no character
 * device (fstat says so at once), /dev/null is the mem device (major 1), and
 * only the other character devices are left to isatty(3).
 */
export function stdoutIsTTY(): boolean {
  return isTTY(1);
}

/** isTTY for any descriptor, the same cheap way. */
export function isTTY(fd: number): boolean {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return false;
  }
  if (!st.isCharacterDevice() || st.rdev >> 8 === 1) return false;
  const tty = createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  return tty.isatty(fd);
}
