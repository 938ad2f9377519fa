/**
 * The one place that turns a failure into the stderr line and the exit status:
 * `shmctl-ts: <command>: <what failed>: <why> (ERRNO)`, never a stack trace
 * (SHMCTL_TS_DEBUG=1 adds one, for bug reports).
 */
import { Errno, hasErrno, ShmctlError, ShmError } from '../../src/model/errors.js';
import { writeAll } from '../../src/kernel/io.js';
import { terminalSafe } from '../../src/model/text.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** stdout went away (`... | head`): not an error, end quietly. */
export function isBrokenPipe(e: unknown): boolean {
  return hasErrno(e, Errno.EPIPE);
}

export function failureOf(e: unknown): { text: string; status: number } {
  // Node's own failed calls (an fs or spawn error that reached here) are told as ours: "/x: no such file or directory (ENOENT)"
  const ours = ShmError.fromNode(e);
  if (ours instanceof ShmctlError) return { text: ours.message, status: ours.exitStatus };
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
  const { text, status } = failureOf(e);
  warn(command, text);
  if (process.env.SHMCTL_TS_DEBUG && e instanceof Error && e.stack) warn('', e.stack);
  return status;
}
