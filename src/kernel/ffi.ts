/**
 * The FFI mechanics: ffi-rs loaded on first use (not at import, so commands
 * that never reach libc — ls on an empty namespace, --help — do not pay for
 * the addon), calls with errno, one scratch area for the structs libc fills
 * in, raw memory as Buffers. The other kernel/ modules bind the calls; nothing
 * outside src/kernel/ knows ffi-rs or a struct offset.
 *
 * Every call returns plain numbers or throws a ShmError carrying the errno;
 * callers add what the call was about.
 */
import { createRequire } from 'node:module';
import type * as FfiRs from 'ffi-rs';
import { Errno, ShmError, strerrorText } from '../model/errors.js';
import { layout, libcName } from './layout.js';

type Ffi = typeof FfiRs;

let ffi: Ffi | undefined;
// Enum values of ffi-rs's DataType, written out so that this module can be
// imported without loading the addon.
export const T = {
  String: 0,
  I32: 1,
  I64: 8,
  U64: 12,
  U32: 20,
  Void: 7,
} as const;

function lib(): Ffi {
  if (!ffi) {
    layout(); // no table for this platform: fail before anything is decoded
    const require = createRequire(import.meta.url);
    ffi = withQuickLibcCheck(() => require('ffi-rs') as Ffi);
    ffi.open({ library: 'libc', path: '' });
  }
  return ffi;
}

/**
 * ffi-rs's loader picks its glibc or musl build by asking
 * process.report.getReport(), which assembles a whole diagnostic report:
 * ~7 ms, a large share of a command's start-up. While it loads, that call
 * answers the one question asked, from the file system (musl systems have
 * /lib/ld-musl-<arch>.so.1).
 */
function withQuickLibcCheck<T>(load: () => T): T {
  const report = process.report as { getReport?: () => unknown } | undefined;
  const original = report?.getReport;
  if (!report || !original) return load();
  const musl = libcName() === 'musl';
  report.getReport = () => ({ header: { glibcVersionRuntime: musl ? undefined : 'glibc' } });
  try {
    return load();
  } finally {
    report.getReport = original;
  }
}

interface Result {
  value: number;
  errno: number;
  message: string;
}

export function call(funcName: string, retType: number, paramsType: number[], paramsValue: unknown[]): Result {
  const r = lib().load({
    library: 'libc',
    funcName,
    retType,
    paramsType,
    paramsValue,
    errno: true,
  }) as unknown as { value: number; errnoCode: number; errnoMessage: string };
  return { value: r.value, errno: r.errnoCode, message: r.errnoMessage };
}

/**
 * A call made on a thread of its own (ffi-rs's runInNewThread) while the main
 * thread goes on. Only for work on memory (madvise): such a thread is in no
 * namespace we entered (they are per thread).
 */
export function callInThread(funcName: string, retType: number, paramsType: number[], paramsValue: unknown[]): Promise<number> {
  return lib().load({ library: 'libc', funcName, retType, paramsType, paramsValue, runInNewThread: true }) as unknown as Promise<number>;
}

/** callInThread with the errno of the call (read on that thread, where it was set). */
export async function callInThreadErrno(funcName: string, retType: number, paramsType: number[], paramsValue: unknown[]): Promise<Result> {
  const r = (await lib().load({
    library: 'libc',
    funcName,
    retType,
    paramsType,
    paramsValue,
    runInNewThread: true,
    errno: true,
  })) as unknown as {
    value: number;
    errnoCode: number;
    errnoMessage: string;
  };
  return { value: r.value, errno: r.errnoCode, message: r.errnoMessage };
}

export function callPlain(funcName: string, retType: number, paramsType: number[], paramsValue: unknown[]): number {
  return lib().load({ library: 'libc', funcName, retType, paramsType, paramsValue }) as unknown as number;
}

export function fail(syscall: string, r: Result): never {
  throw new ShmError(syscall, r.errno, syscall, strerrorText(r.message, r.errno));
}

// --- raw memory ---------------------------------------------------------------

/**
 * A Buffer over `length` bytes at `address`, sharing the memory (no copy).
 * The caller must not touch it once the memory is gone (after shmdt/free).
 */
export function externalBuffer(address: number, length: number): Buffer {
  const f = lib();
  const holder = f.createPointer({ paramsType: [T.U64], paramsValue: [address] });
  const [pointer] = f.unwrapPointer(holder);
  const buffer = f.createExternalBuffer(pointer!, length);
  f.freePointer({ paramsType: [T.U64], paramsValue: holder, pointerType: f.PointerType.RsPointer });
  return buffer;
}

/**
 * One malloc'd scratch area for the structs libc fills in (shmid_ds, passwd…),
 * grown on demand and kept for the life of the process. Node runs this code on
 * one thread, so one area is enough.
 */
let scratch: { address: number; view: Buffer } | undefined;

export function scratchArea(size: number): { address: number; view: Buffer } {
  if (!scratch || scratch.view.length < size) {
    const length = Math.max(size, 4096);
    const address = callPlain('malloc', T.U64, [T.U64], [length]);
    if (!address) throw new ShmError('malloc', Errno.ENOMEM, 'malloc', 'out of memory');
    if (scratch) callPlain('free', T.Void, [T.U64], [scratch.address]);
    scratch = { address, view: externalBuffer(address, length) };
  }
  return scratch;
}

/** NUL-terminated strings and a NULL-terminated pointer array in malloc'd memory (never freed: we exec or exit). */
export function cStringArray(items: string[]): number {
  const bytes = items.map((s) => Buffer.from(`${s}\0`));
  const table = (items.length + 1) * 8;
  const size = table + bytes.reduce((n, b) => n + b.length, 0);
  const address = callPlain('malloc', T.U64, [T.U64], [size]);
  if (!address) throw new ShmError('malloc', Errno.ENOMEM, 'malloc', 'out of memory');
  const view = externalBuffer(address, size);
  let at = table;
  bytes.forEach((b, i) => {
    view.writeBigUInt64LE(BigInt(address + at), i * 8);
    b.copy(view, at);
    at += b.length;
  });
  view.writeBigUInt64LE(0n, items.length * 8);
  return address;
}

// --- misc ---------------------------------------------------------------------

const _SC_PAGESIZE = 30;
const _SC_CLK_TCK = 2;
let clockTicksCache: number | undefined;

/** Clock ticks per second, the unit of /proc/PID/stat's times (USER_HZ). */
export function clockTicks(): number {
  return (clockTicksCache ??= callPlain('sysconf', T.I64, [T.I32], [_SC_CLK_TCK]));
}

let pageSizeCache: number | undefined;

export function pageSize(): number {
  return (pageSizeCache ??= callPlain('sysconf', T.I64, [T.I32], [_SC_PAGESIZE]));
}

/** `length` rounded up to whole pages: how much a mapping of it covers. */
export function pageAlign(length: number): number {
  const page = pageSize();
  return Math.ceil(Math.max(length, 1) / page) * page;
}
