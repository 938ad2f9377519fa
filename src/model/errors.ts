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
  ELOOP: 40,
  EIDRM: 43,
} as const;

/** Is this a failed call with one of these errnos? */
export function hasErrno(e: unknown, ...errnos: number[]): e is ShmError {
  return e instanceof ShmError && errnos.includes(e.errno);
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
 * A failed system call, with what it was about and a reason in words.
 * `subject` names the object ("id 5", "key 0x00001234", "/tmp/file");
 * `reason` says why in a user's terms; `code` is the errno name.
 */
export class ShmError extends Error {
  readonly code: string;

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
}

/**
 * A request that cannot be carried out for a reason that is not an errno:
 * out of bounds, input longer than the room left. Exit status 1, like ShmError.
 */
export class OperationError extends Error {
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
  constructor(subject: string, reason: string) {
    super(subject, reason);
    this.name = 'LockTimeout';
  }
}

/** Bad command-line input: unparsable number, conflicting options. Exit status 2. */
export class UsageError extends Error {
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
