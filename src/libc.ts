/**
 * The one place that knows ffi-rs and the x86-64 glibc struct layouts.
 *
 * ffi-rs is loaded on first use, not at import, so commands that never reach
 * libc (ls on an empty namespace, --help) do not pay for loading the addon.
 * Every call returns plain numbers or throws a ShmError carrying the errno;
 * callers add what the call was about (see shm.ts).
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as FfiRs from 'ffi-rs';
import { Errno, ShmError, strerrorText } from './errors.js';
import { escapeBytes } from './text.js';

type Ffi = typeof FfiRs;

let ffi: Ffi | undefined;
// Enum values of ffi-rs's DataType, written out so that this module can be
// imported without loading the addon.
const T = {
  String: 0,
  I32: 1,
  I64: 8,
  U64: 12,
  U32: 20,
  Void: 7,
} as const;

function lib(): Ffi {
  if (!ffi) {
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
  let musl = false;
  try {
    musl = readdirSync('/lib').some((name) => name.startsWith('ld-musl-'));
  } catch {
    /* no /lib: not musl */
  }
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

function call(funcName: string, retType: number, paramsType: number[], paramsValue: unknown[]): Result {
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

function callPlain(funcName: string, retType: number, paramsType: number[], paramsValue: unknown[]): number {
  return lib().load({ library: 'libc', funcName, retType, paramsType, paramsValue }) as unknown as number;
}

function fail(syscall: string, r: Result): never {
  throw new ShmError(syscall, r.errno, syscall, strerrorText(r.message, r.errno));
}

// --- constants (<sys/ipc.h>, <bits/shm.h>; see shared/reference/abi-x86_64.md) ---
export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_NOWAIT = 0o4000;
export const SHM_RDONLY = 0o10000;
export const SHM_HUGETLB = 0o4000;
export const SHM_NORESERVE = 0o10000;
/** Bits of shm_perm.mode as the kernel reports them. */
export const SHM_DEST = 0o1000;
export const SHM_LOCKED = 0o2000;

export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const IPC_INFO = 3;
export const SHM_LOCK = 11;
export const SHM_UNLOCK = 12;
export const SHM_INFO = 14;

const SHMID_DS_SIZE = 112;

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

function scratchArea(size: number): { address: number; view: Buffer } {
  if (!scratch || scratch.view.length < size) {
    const length = Math.max(size, 4096);
    const address = callPlain('malloc', T.U64, [T.U64], [length]);
    if (!address) throw new ShmError('malloc', 12, 'malloc', 'out of memory');
    if (scratch) callPlain('free', T.Void, [T.U64], [scratch.address]);
    scratch = { address, view: externalBuffer(address, length) };
  }
  return scratch;
}

// --- System V shared memory ---------------------------------------------------

/** shmget(2). `key` is the unsigned 32-bit key; key_t is a signed int. */
export function shmget(key: number, size: number, flags: number): number {
  const r = call('shmget', T.I32, [T.I32, T.U64, T.I32], [key | 0, size, flags]);
  if (r.value === -1) fail('shmget', r);
  return r.value;
}

/** shmat(2); returns the address. Failure is (void *) -1, which ffi-rs hands back as -1. */
export function shmat(id: number, flags: number): number {
  const r = call('shmat', T.U64, [T.I32, T.U64, T.I32], [id, 0, flags]);
  if (r.value === -1 || r.value < 0 || r.value >= 2 ** 63) fail('shmat', r);
  return r.value;
}

export function shmdt(address: number): void {
  const r = call('shmdt', T.I32, [T.U64], [address]);
  if (r.value === -1) fail('shmdt', r);
}

/** struct shmid_ds, decoded. */
export interface ShmidDs extends IpcPerm {
  // mode includes SHM_DEST / SHM_LOCKED
  seq: number;
  size: number;
  atime: number;
  dtime: number;
  ctime: number;
  cpid: number;
  lpid: number;
  nattch: number;
}

/** struct ipc_perm, at the start of shmid_ds and semid_ds alike. */
interface IpcPerm {
  key: number; // unsigned
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  mode: number;
}

function decodeIpcPerm(b: Buffer): IpcPerm {
  return { key: b.readUInt32LE(0), uid: b.readUInt32LE(4), gid: b.readUInt32LE(8), cuid: b.readUInt32LE(12), cgid: b.readUInt32LE(16), mode: b.readUInt16LE(20) };
}

/** The three fields IPC_SET takes (the kernel ignores the rest), into a zeroed struct of `size` bytes; its address. */
function ipcSetArea(size: number, perm: { uid: number; gid: number; mode: number }): number {
  const area = scratchArea(size);
  area.view.fill(0, 0, size);
  area.view.writeUInt32LE(perm.uid, 4);
  area.view.writeUInt32LE(perm.gid, 8);
  area.view.writeUInt16LE(perm.mode & 0o777, 20);
  return area.address;
}

function decodeShmidDs(b: Buffer): ShmidDs {
  return {
    ...decodeIpcPerm(b),
    seq: b.readUInt16LE(24),
    size: Number(b.readBigUInt64LE(48)),
    atime: Number(b.readBigInt64LE(56)),
    dtime: Number(b.readBigInt64LE(64)),
    ctime: Number(b.readBigInt64LE(72)),
    cpid: b.readInt32LE(80),
    lpid: b.readInt32LE(84),
    nattch: Number(b.readBigUInt64LE(88)),
  };
}

/** shmctl(id, IPC_STAT). */
export function shmctlStat(id: number): ShmidDs {
  return decodeShmidDs(shmctlInto(id, IPC_STAT, SHMID_DS_SIZE));
}

/** shmctl(id, IPC_RMID). */
export function shmctlRmid(id: number): void {
  const r = call('shmctl', T.I32, [T.I32, T.I32, T.U64], [id, IPC_RMID, 0]);
  if (r.value === -1) fail('shmctl', r);
}

/**
 * shmctl(id, IPC_SET): the kernel takes shm_perm.uid, .gid and the low 9 bits
 * of .mode and ignores the rest, so no IPC_STAT (which needs read permission)
 * is needed first: the caller passes all three.
 */
export function shmctlSet(id: number, perm: { uid: number; gid: number; mode: number }): void {
  const r = call('shmctl', T.I32, [T.I32, T.I32, T.U64], [id, IPC_SET, ipcSetArea(SHMID_DS_SIZE, perm)]);
  if (r.value === -1) fail('shmctl', r);
}

/** struct shm_info (SHM_INFO): what ipcs -u prints. Page counts. */
export interface ShmInfo {
  usedIds: number;
  shmTot: bigint;
  shmRss: bigint;
  shmSwp: bigint;
  swapAttempts: bigint;
  swapSuccesses: bigint;
}

/** shmctl(id, cmd, buf) with buf a zeroed `size`-byte struct in the scratch area; returns it. */
function shmctlInto(id: number, cmd: number, size: number): Buffer {
  const area = scratchArea(size);
  area.view.fill(0, 0, size);
  const r = call('shmctl', T.I32, [T.I32, T.I32, T.U64], [id, cmd, area.address]);
  if (r.value === -1) fail('shmctl', r);
  return area.view;
}

/** shmctl(0, SHM_INFO): namespace-wide usage. */
export function shmctlInfo(): ShmInfo {
  const b = shmctlInto(0, SHM_INFO, 48);
  return {
    usedIds: b.readInt32LE(0),
    shmTot: b.readBigUInt64LE(8),
    shmRss: b.readBigUInt64LE(16),
    shmSwp: b.readBigUInt64LE(24),
    swapAttempts: b.readBigUInt64LE(32),
    swapSuccesses: b.readBigUInt64LE(40),
  };
}

/** struct shminfo (IPC_INFO): the limits, for when /proc/sys is not there. */
export function shmctlIpcInfo(): { shmmax: bigint; shmmin: bigint; shmmni: bigint; shmseg: bigint; shmall: bigint } {
  const b = shmctlInto(0, IPC_INFO, 72);
  return {
    shmmax: b.readBigUInt64LE(0),
    shmmin: b.readBigUInt64LE(8),
    shmmni: b.readBigUInt64LE(16),
    shmseg: b.readBigUInt64LE(24),
    shmall: b.readBigUInt64LE(32),
  };
}

/** shmctl(id, SHM_LOCK) or SHM_UNLOCK: keep the segment's pages in memory, or stop. */
export function shmctlLock(id: number, lock: boolean): void {
  const r = call('shmctl', T.I32, [T.I32, T.I32, T.U64], [id, lock ? SHM_LOCK : SHM_UNLOCK, 0]);
  if (r.value === -1) fail('shmctl', r);
}

/** ftok(3). */
export function ftok(path: string, proj: number): number {
  const r = call('ftok', T.I32, [T.String, T.I32], [path, proj]);
  if (r.value === -1) fail('ftok', r);
  return r.value >>> 0;
}

// --- POSIX shared memory -----------------------------------------------------

export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
/** Opening a FIFO planted in /dev/shm must not wait for a writer. */
export const O_NONBLOCK = 0o4000;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_NORESERVE = 0x4000;
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/** A name's bytes, NUL-terminated, in the scratch area: names need not be UTF-8. */
function cName(name: Uint8Array): number {
  const area = scratchArea(name.length + 1);
  area.view.set(name, 0);
  area.view[name.length] = 0;
  return area.address;
}

/** shm_open(3) of "/name" given as bytes: a descriptor (O_CLOEXEC, O_NOFOLLOW, as glibc opens it). */
export function shmOpen(name: Uint8Array, flags: number, mode: number): number {
  const r = call('shm_open', T.I32, [T.U64, T.I32, T.U32], [cName(name), flags, mode]);
  if (r.value === -1) fail('shm_open', r);
  return r.value;
}

export function shmUnlink(name: Uint8Array): void {
  const r = call('shm_unlink', T.I32, [T.U64], [cName(name)]);
  if (r.value === -1) fail('shm_unlink', r);
}

export function ftruncate(fd: number, length: number): void {
  const r = call('ftruncate', T.I32, [T.I32, T.I64], [fd, length]);
  if (r.value === -1) fail('ftruncate', r);
}

/** fchmod(2): the exact bits, whatever the umask made of shm_open's mode. */
export function fchmod(fd: number, mode: number): void {
  const r = call('fchmod', T.I32, [T.I32, T.U32], [fd, mode]);
  if (r.value === -1) fail('fchmod', r);
}

/** fchown(2); -1 (as 0xffffffff) leaves that one unchanged. */
export function fchown(fd: number, uid: number, gid: number): void {
  const r = call('fchown', T.I32, [T.I32, T.U32, T.U32], [fd, uid >>> 0, gid >>> 0]);
  if (r.value === -1) fail('fchown', r);
}

/** flock(2). With LOCK_NB, false when someone else holds a conflicting lock. */
export function flock(fd: number, operation: number): boolean {
  const r = call('flock', T.I32, [T.I32, T.I32], [fd, operation]);
  if (r.value === -1) {
    if (r.errno === Errno.EAGAIN) return false;
    fail('flock', r);
  }
  return true;
}

/** mmap(2); returns the address. MAP_FAILED is (void *) -1. */
export function mmap(address: number, length: number, prot: number, flags: number, fd: number, offset: number): number {
  const r = call('mmap', T.U64, [T.U64, T.U64, T.I32, T.I32, T.I32, T.I64], [address, length, prot, flags, fd, offset]);
  if (r.value === -1 || r.value < 0 || r.value >= 2 ** 63) fail('mmap', r);
  return r.value;
}

export function munmap(address: number, length: number): void {
  const r = call('munmap', T.I32, [T.U64, T.U64], [address, length]);
  if (r.value === -1) fail('munmap', r);
}

/**
 * Put private zero pages (reserving no memory) where a mapping was, in one
 * step: MAP_FIXED replaces what is there, so for a shm attachment this is its
 * detach (nattch drops as with shmdt), and the address range stays ours.
 * A Buffer someone kept over the old mapping then reads zeros instead of
 * whatever the process maps there next, and never faults.
 */
export function replaceWithPlaceholder(address: number, length: number): void {
  mmap(address, length, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

// --- System V semaphores ------------------------------------------------------

export const SEM_UNDO = 0x1000;
export const GETVAL = 12;
export const GETNCNT = 14;
export const SETVAL = 16;

/** semget(2). */
export function semget(key: number, nsems: number, flags: number): number {
  const r = call('semget', T.I32, [T.I32, T.I32, T.I32], [key | 0, nsems, flags]);
  if (r.value === -1) fail('semget', r);
  return r.value;
}

/** One semaphore operation: which semaphore, how much, SEM_UNDO/IPC_NOWAIT. */
export interface SemOp {
  num: number;
  op: number;
  flags: number;
}

/**
 * semtimedop(2) on `ops`, atomically. `timeoutMs` null blocks (plain semop);
 * otherwise EAGAIN when the time runs out. The sembuf array and the timespec
 * go into the scratch area.
 */
export function semtimedop(semid: number, ops: SemOp[], timeoutMs: number | null): void {
  const area = scratchArea(64 + 16 + ops.length * 6);
  ops.forEach((o, i) => {
    area.view.writeUInt16LE(o.num, 16 + i * 6);
    area.view.writeInt16LE(o.op, 16 + i * 6 + 2);
    area.view.writeInt16LE(o.flags, 16 + i * 6 + 4);
  });
  let timeout = 0;
  if (timeoutMs !== null) {
    const ms = Math.max(0, Math.floor(timeoutMs));
    area.view.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
    area.view.writeBigInt64LE(BigInt((ms % 1000) * 1_000_000), 8);
    timeout = area.address;
  }
  const r = call('semtimedop', T.I32, [T.I32, T.U64, T.U64, T.U64], [semid, area.address + 16, ops.length, timeout]);
  if (r.value === -1) fail('semop', r);
}

/** semctl(2) for the commands that take an int or nothing (GETVAL, SETVAL, GETNCNT, IPC_RMID). */
export function semctl(semid: number, num: number, cmd: number, value = 0): number {
  const r = call('semctl', T.I32, [T.I32, T.I32, T.I32, T.U64], [semid, num, cmd, value]);
  if (r.value === -1) fail('semctl', r);
  return r.value;
}

/** struct semid_ds, decoded: who made and owns the set, and whether it was initialised. */
export interface SemidDs extends IpcPerm {
  otime: number;
  nsems: number;
}

const SEMID_DS_SIZE = 104;

/** semctl(IPC_STAT). */
export function semctlStat(semid: number): SemidDs {
  const area = scratchArea(SEMID_DS_SIZE);
  area.view.fill(0, 0, SEMID_DS_SIZE);
  const r = call('semctl', T.I32, [T.I32, T.I32, T.I32, T.U64], [semid, 0, IPC_STAT, area.address]);
  if (r.value === -1) fail('semctl', r);
  const b = area.view;
  return {
    ...decodeIpcPerm(b),
    otime: Number(b.readBigInt64LE(48)),
    nsems: Number(b.readBigUInt64LE(80)),
  };
}

/** semctl(IPC_SET): owner, group and the low 9 mode bits (the kernel takes nothing else). */
export function semctlSet(semid: number, perm: { uid: number; gid: number; mode: number }): void {
  const r = call('semctl', T.I32, [T.I32, T.I32, T.I32, T.U64], [semid, 0, IPC_SET, ipcSetArea(SEMID_DS_SIZE, perm)]);
  if (r.value === -1) fail('semctl', r);
}

// --- users and groups ---------------------------------------------------------


/**
 * getpwuid_r/getgrgid_r into the scratch area: the struct (passwd is 48 bytes,
 * group 32, the name pointer first in both) at 0, the result pointer at 64,
 * strings from 128. NSS-aware like ipcs's getpwuid, and one FFI call.
 */
function lookupName(funcName: 'getpwuid_r' | 'getgrgid_r', id: number): string | null {
  for (let bufferSize = 4096; bufferSize <= 1 << 24; bufferSize *= 4) {
    const area = scratchArea(128 + bufferSize);
    const resultAt = 64;
    area.view.fill(0, 0, 128);
    const rc = callPlain(funcName, T.I32, [T.U32, T.U64, T.U64, T.U64, T.U64], [
      id,
      area.address,
      area.address + 128,
      bufferSize,
      area.address + resultAt,
    ]);
    if (rc === Errno.ERANGE) continue;
    if (rc !== 0) return null;
    const result = Number(area.view.readBigUInt64LE(resultAt));
    if (result === 0) return null;
    const nameAt = Number(area.view.readBigUInt64LE(0)) - area.address;
    if (nameAt < 0 || nameAt >= area.view.length) return null;
    const end = area.view.indexOf(0, nameAt);
    return escapeBytes(area.view.subarray(nameAt, end < 0 ? area.view.length : end));
  }
  return null;
}

/** getpwnam_r/getgrnam_r: the id for a name (pw_uid and gr_gid both sit at offset 16), or null. */
function lookupId(funcName: 'getpwnam_r' | 'getgrnam_r', name: string): number | null {
  for (let bufferSize = 4096; bufferSize <= 1 << 24; bufferSize *= 4) {
    const area = scratchArea(128 + bufferSize);
    area.view.fill(0, 0, 128);
    const rc = callPlain(funcName, T.I32, [T.String, T.U64, T.U64, T.U64, T.U64], [
      name,
      area.address,
      area.address + 128,
      bufferSize,
      area.address + 64,
    ]);
    if (rc === Errno.ERANGE) continue;
    if (rc !== 0 || Number(area.view.readBigUInt64LE(64)) === 0) return null;
    return area.view.readUInt32LE(16);
  }
  return null;
}

export function uidOf(name: string): number | null {
  return lookupId('getpwnam_r', name);
}

export function gidOf(name: string): number | null {
  return lookupId('getgrnam_r', name);
}

export function userNameOf(uid: number): string | null {
  return lookupName('getpwuid_r', uid);
}

export function groupNameOf(gid: number): string | null {
  return lookupName('getgrgid_r', gid);
}

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

/** NUL-terminated strings and a NULL-terminated pointer array in malloc'd memory (never freed: we exec or exit). */
function cStringArray(items: string[]): number {
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
  return Number(area.view.readBigInt64LE(64 + 40));
}

// --- misc ---------------------------------------------------------------------

const _SC_PAGESIZE = 30;
let pageSizeCache: number | undefined;

export function pageSize(): number {
  return (pageSizeCache ??= callPlain('sysconf', T.I64, [T.I32], [_SC_PAGESIZE]));
}

/** `length` rounded up to whole pages: how much a mapping of it covers. */
export function pageAlign(length: number): number {
  const page = pageSize();
  return Math.ceil(Math.max(length, 1) / page) * page;
}

/** The current file offset of a descriptor, or -1 where it has none (pipes). */
export function currentOffset(fd: number): number {
  const SEEK_CUR = 1;
  return callPlain('lseek', T.I64, [T.I32, T.I64, T.I32], [fd, 0, SEEK_CUR]);
}
