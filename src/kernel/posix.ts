/**
 * POSIX shared memory and the file calls around it: shm_open and shm_unlink
 * (paths as bytes), ftruncate, fchmod, fchown, flock, mmap, munmap.
 */
import { closeSync, fstatSync } from 'node:fs';
import { Errno } from '../model/errors.js';
import { call, callInThread, fail, scratchArea, T } from './ffi.js';
import { layout } from './layout.js';

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

const O_CLOEXEC = 0o2000000;

/**
 * shm_open(3) as glibc does it — open(2) of the object's file with O_NOFOLLOW
 * and O_CLOEXEC — given the path as bytes, so that the directory may be
 * another mount namespace's /dev/shm (/proc/PID/root/dev/shm).
 */
export function shmOpen(path: Uint8Array, flags: number, mode: number): number {
  // O_NOFOLLOW is this architecture's (arm64's differs): a symlink planted in place of an object is never followed
  const r = call('open', T.I32, [T.U64, T.I32, T.U32], [cName(path), flags | layout().openFlags.nofollow | O_CLOEXEC, mode]);
  if (r.value === -1) fail('shm_open', r);
  return r.value;
}

/** shm_unlink(3): unlink(2) of the object's file. */
export function shmUnlink(path: Uint8Array): void {
  const r = call('unlink', T.I32, [T.U64], [cName(path)]);
  // glibc's shm_unlink says EACCES where unlink(2) says EPERM (the sticky /dev/shm)
  if (r.value === -1) fail('shm_unlink', r.errno === Errno.EPERM ? { ...r, errno: Errno.EACCES, message: 'Permission denied' } : r);
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

/** Is the page at `address` (page-aligned) in memory? mincore(2): it looks, faulting nothing in. */
export function pageResident(address: number): boolean {
  const vec = scratchArea(1);
  vec.view[0] = 0;
  const r = call('mincore', T.I32, [T.U64, T.U64, T.U64], [address, 1, vec.address]);
  if (r.value === -1) fail('mincore', r);
  return (vec.view[0]! & 1) === 1;
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

const MADV_POPULATE_WRITE = 23;
const settle = (p: Promise<number>): Promise<void> =>
  p.then(
    () => undefined,
    () => undefined,
  );

/**
 * Make the pages of [address, address + length) for writing, on a thread of
 * its own (MADV_POPULATE_WRITE, Linux 5.14): one call rather than a page fault
 * each. Never rejects: where the kernel cannot, the copy faults them itself.
 */
export function populateForWrite(address: number, length: number): Promise<void> {
  return settle(callInThread('madvise', T.I32, [T.U64, T.U64, T.I32], [address, length, MADV_POPULATE_WRITE]));
}

/** munmap(2) on a thread of its own: tearing down a large mapping's page tables takes a while. */
export function munmapInThread(address: number, length: number): Promise<void> {
  return settle(callInThread('munmap', T.I32, [T.U64, T.U64], [address, length]));
}

/** The device a memfd made with these flags lives on (memfd_create, fstat, close); null where it cannot be made. */
export function memfdDevice(flags: number): number | null {
  const r = call('memfd_create', T.I32, [T.String, T.U32], ['shmctl-ts-probe', flags]);
  if (r.value < 0) return null;
  try {
    return fstatSync(r.value).dev;
  } catch {
    return null;
  } finally {
    closeSync(r.value);
  }
}
