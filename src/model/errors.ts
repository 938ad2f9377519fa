import { createRequire } from 'node:module';
import { getSystemErrorName } from 'node:util';

/** The errno values the shm and sem calls return (Linux, all architectures). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  ENXIO: 6,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  EXDEV: 18,
  ENOTDIR: 20,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  ERANGE: 34,
  ENOSYS: 38,
  EPIPE: 32,
  ELOOP: 40,
  EIDRM: 43,
} as const;

/**
 * The errno of a failed call: ours (ShmError), or one of Node's own fs or
 * child_process errors, whose errno is negative (libuv's) — so that one test
 * reads both. null when it is neither.
 */
export function errnoOf(e: unknown): number | null {
  if (e instanceof ShmError) return e.errno;
  const sys = e as NodeJS.ErrnoException | null;
  return typeof sys === 'object' && sys !== null && typeof sys.errno === 'number' && typeof sys.code === 'string'
    ? Math.abs(sys.errno)
    : null;
}

/** Is this a failed call (ours or Node's) with one of these errnos? */
export function hasErrno(e: unknown, ...errnos: number[]): boolean {
  const errno = errnoOf(e);
  return errno !== null && errnos.includes(errno);
}

/** "It is not there": what the calls answer for a segment or object that does not exist, or no longer does. */
export function isMissingErrno(errno: number): boolean {
  return errno === Errno.ENOENT || errno === Errno.EINVAL || errno === Errno.EIDRM;
}

let errnoNames: Map<number, string> | undefined;

/**
 * errno number → symbolic name (EACCES…): libuv's table, then Node's full
 * table of this platform's values for the few libuv lacks (EIDRM).
 */
export function errnoName(errno: number): string {
  try {
    const name = getSystemErrorName(-errno);
    if (!name.startsWith('Unknown')) return name;
  } catch {
    /* not a known code */
  }
  // node:os only now: it is not loaded at start-up otherwise
  const os = createRequire(import.meta.url)('node:os') as typeof import('node:os');
  errnoNames ??= new Map(Object.entries(os.constants.errno).map(([name, value]) => [value, name]));
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

/**
 * Everything shmctl-ts throws (the library and the CLI alike), with the exit
 * status the CLI gives it: 1 a failed operation, 2 a usage error (nothing
 * was changed), 75 a lock or hand-off wait that timed out.
 */
export abstract class ShmctlError extends Error {
  abstract readonly exitStatus: number;
}

/**
 * A failed system call, with what it was about and a reason in words.
 * `subject` names the object ("id 5", "key 0x00001234", "/tmp/file");
 * `reason` says why in a user's terms; `code` is the errno name.
 */
export class ShmError extends ShmctlError {
  readonly code: string;
  readonly exitStatus: number = 1;

  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`${subject}: ${reason} (${errnoName(errno)})`);
    this.name = 'ShmError';
    this.code = errnoName(errno);
  }

  /** The same failure told about another subject or in better words. */
  with(subject: string, reason?: string): ShmError {
    return new ShmError(this.syscall, this.errno, subject, reason ?? this.reason);
  }

  /**
   * One of Node's own errors from a system call (fs, child_process) as ours:
   * "ENOENT: no such file or directory, open '/x'" → "/x: no such file or
   * directory (ENOENT)". Anything else is given back as it is.
   */
  static fromNode(e: unknown, subject?: string): unknown {
    return errnoOf(e) === null ? e : ShmError.of(e, subject);
  }

  /** A failed call (one hasErrno matched) as a ShmError, to be told about in other words. */
  static of(e: unknown, subject?: string): ShmError {
    if (e instanceof ShmError) return e;
    const sys = e as NodeJS.ErrnoException;
    const errno = errnoOf(e) ?? 0;
    const words = /^[A-Z0-9]+: ([^,]+)/.exec(sys.message)?.[1] ?? sys.message;
    return new ShmError(sys.syscall ?? 'system call', errno, subject ?? sys.path ?? sys.syscall ?? 'system call', words);
  }
}

/**
 * A request that cannot be carried out for a reason that is not an errno:
 * out of bounds, input longer than the room left. Exit status 1, like ShmError.
 */
export class OperationError extends ShmctlError {
  readonly exitStatus: number = 1;

  constructor(
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`${subject}: ${reason}`);
    this.name = 'OperationError';
  }
}

/** Waiting for a lock or a hand-off ran out of time (exit status 75, EX_TEMPFAIL). */
export class LockTimeout extends OperationError {
  override readonly exitStatus: number = 75;

  constructor(subject: string, reason: string) {
    super(subject, reason);
    this.name = 'LockTimeout';
  }
}

/** Bad command-line input: unparsable number, conflicting options. Exit status 2. */
export class UsageError extends ShmctlError {
  readonly exitStatus: number = 2;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** strerror(3) text as ffi-rs reports it, without its "(os error N)" tail. */
export function strerrorText(message: string | undefined, errno: number): string {
  const text = (message ?? '').replace(/\s*\(os error \d+\)\s*$/, '');
  return text || errnoName(errno);
}
