/** The process itself: running a command in its place, its terminal, and local time by libc's rules. */
import { O_NONBLOCK, O_RDWR } from './posix.js';
import { layout } from './layout.js';
import { call, callPlain, cStringArray, externalBuffer, fail, scratchArea, T } from './ffi.js';

// --- running a command in place ----------------------------------------------

const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const SIG_SETMASK = 2;
/** Signals Node sets to SIG_IGN for itself; an exec'd command must get them back at SIG_DFL. */
const NODE_IGNORED_SIGNALS = [13 /* SIGPIPE */, 25 /* SIGXFSZ */];

/** Let `fd` survive execve (clear FD_CLOEXEC). */
export function keepAcrossExec(fd: number): void {
  const r = call('fcntl', T.I32, [T.I32, T.I32, T.I32], [fd, F_SETFD, 0]);
  if (r.value === -1) fail('fcntl', r);
}

/**
 * Replace this process with `argv[0]` (searched in PATH, as execvp does), with
 * `env`: the signals Node ignores back to their default and no signal blocked,
 * as if the command had been started by a shell. Returns only on failure, by
 * throwing a ShmError with the errno (ENOENT, EACCES...).
 */
export function execvpe(argv: string[], env: Record<string, string>): never {
  const args = cStringArray(argv);
  const envp = cStringArray(Object.entries(env).map(([k, v]) => `${k}=${v}`));
  for (const signal of NODE_IGNORED_SIGNALS) callPlain('signal', T.U64, [T.I32, T.U64], [signal, 0]);
  // Node marks the standard descriptors close-on-exec and libuv makes the pipes
  // it touches non-blocking: the command gets them as its shell would leave them.
  for (let fd = 0; fd <= 2; fd++) {
    callPlain('fcntl', T.I32, [T.I32, T.I32, T.I32], [fd, F_SETFD, 0]);
    const flags = callPlain('fcntl', T.I32, [T.I32, T.I32, T.I32], [fd, F_GETFL, 0]);
    if (flags >= 0 && flags & O_NONBLOCK) callPlain('fcntl', T.I32, [T.I32, T.I32, T.I32], [fd, F_SETFL, flags & ~O_NONBLOCK]);
  }
  const empty = scratchArea(128);
  empty.view.fill(0, 0, 128);
  callPlain('sigprocmask', T.I32, [T.I32, T.U64, T.U64], [SIG_SETMASK, empty.address, 0]);
  const r = call('execvpe', T.I32, [T.U64, T.U64, T.U64], [Number(externalBuffer(args, 8).readBigUInt64LE(0)), args, envp]);
  for (const signal of NODE_IGNORED_SIGNALS) callPlain('signal', T.U64, [T.I32, T.U64], [signal, 1 /* SIG_IGN */]);
  fail('execvp', r);
}

/** Is this process in the foreground process group of its controlling terminal? */
export function inForeground(): boolean {
  const O_NOCTTY = 0o400;
  const fd = callPlain('open', T.I32, [T.String, T.I32], ['/dev/tty', O_RDWR | O_NOCTTY]);
  if (fd < 0) return false; // no controlling terminal
  const foreground = callPlain('tcgetpgrp', T.I32, [T.I32], [fd]);
  callPlain('close', T.I32, [T.I32], [fd]);
  return foreground > 0 && foreground === callPlain('getpgrp', T.I32, [], []);
}

// --- local time ---------------------------------------------------------------

/**
 * localtime_r(3)'s UTC offset (tm_gmtoff, seconds east) for `seconds` since
 * the epoch: glibc's own reading of TZ (POSIX rule strings, :file, zone names)
 * and /etc/localtime, as ipcs and lsipc see it. struct tm is 56 bytes, tm_gmtoff
 * at 40, on every 64-bit Linux.
 */
export function localtimeOffset(seconds: number): number {
  const area = scratchArea(128);
  area.view.writeBigInt64LE(BigInt(seconds), 0);
  const tm = callPlain('localtime_r', T.U64, [T.U64, T.U64], [area.address, area.address + 64]);
  if (!tm) return 0;
  return Number(area.view.readBigInt64LE(64 + layout().tmGmtoff));
}
