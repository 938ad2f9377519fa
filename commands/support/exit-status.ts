/**
 * The one place that turns a failure into the stderr line and the exit status:
 * `shmctl-ts: <command>: <what failed>: <why> (ERRNO)`, never a stack trace
 * (SHMCTL_TS_DEBUG=1 adds one, for bug reports).
 */
import { LockTimeout, OperationError, ShmError, UsageError } from '../../src/model/errors.js';
import { writeAll } from '../../src/kernel/io.js';
import { terminalSafe } from '../../src/model/text.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** A lock or hand-off wait timed out (sysexits' EX_TEMPFAIL: try again later). */
const EXIT_LOCK_TIMEOUT = 75;

/** stdout went away (`... | head`): not an error, end quietly. */
export function isBrokenPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

function describe(e: unknown): { text: string; status: number } {
  if (e instanceof UsageError) return { text: e.message, status: EXIT_USAGE };
  if (e instanceof LockTimeout) return { text: e.message, status: EXIT_LOCK_TIMEOUT };
  if (e instanceof ShmError || e instanceof OperationError) return { text: e.message, status: EXIT_FAILED };
  const sys = e as NodeJS.ErrnoException;
  if (sys && typeof sys.code === 'string' && typeof sys.syscall === 'string') {
    // Node's "ENOENT: no such file or directory, open '/x'" → "/x: no such file or directory (ENOENT)"
    const words = /^[A-Z0-9]+: ([^,]+)/.exec(sys.message)?.[1] ?? sys.message;
    return { text: `${sys.path ?? sys.syscall}: ${words} (${sys.code})`, status: EXIT_FAILED };
  }
  if (e instanceof RangeError) return { text: e.message, status: EXIT_USAGE };
  return { text: `internal error: ${(e as Error)?.message ?? String(e)}`, status: EXIT_FAILED };
}

/**
 * An informational line on stderr (what attach holds, what write -v wrote):
 * `shmctl-ts: <command>: note: <text>`, so that it is never taken for a
 * failure or a warning, which have no `note:`. stdout stays for data.
 */
export function note(command: string, text: string): void {
  warn(command, `note: ${text}`);
}

/** One line on stderr, `shmctl-ts: <command>: <text>`; a closed stderr is not worth dying for. */
export function warn(command: string, text: string): void {
  // One line, and nothing in it (a name, a command) that a terminal would obey.
  const line = terminalSafe(`shmctl-ts: ${command ? `${command}: ` : ''}${text}`.replace(/\s*\n\s*/g, ' '));
  try {
    writeAll(2, `${line}\n`);
  } catch {
    /* nowhere left to say it */
  }
}

export function reportError(command: string, e: unknown): number {
  if (isBrokenPipe(e)) return EXIT_OK;
  const { text, status } = describe(e);
  warn(command, text);
  if (process.env.SHMCTL_TS_DEBUG && e instanceof Error && e.stack) warn('', e.stack);
  return status;
}
