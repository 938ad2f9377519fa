/**
 * System V shared memory and semaphores: shmget, shmat, shmdt, shmctl,
 * semget, semtimedop, semctl, ftok, and the structs they fill in
 * (shmid_ds, semid_ds, ipc_perm, shminfo, shm_info) at their x86-64 glibc
 * offsets (docs/ABI.md; kernel/ffi.ts refuses other platforms).
 */
import { SHM_DEST, SHM_LOCKED, type ShmidFields } from '../model/record.js';
import type { ShmInfo } from '../model/usage.js';
import { call, fail, scratchArea, T } from './ffi.js';
import { layout } from './layout.js';

// --- constants (<sys/ipc.h>, <bits/shm.h>, <bits/sem.h>) ---
export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_NOWAIT = 0o4000;
export const SHM_RDONLY = 0o10000;
export const SHM_HUGETLB = 0o4000;
export const SHM_NORESERVE = 0o10000;
export { SHM_DEST, SHM_LOCKED };

export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const IPC_INFO = 3;
export const SHM_LOCK = 11;
export const SHM_UNLOCK = 12;
export const SHM_INFO = 14;

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

/** struct shmid_ds, decoded: the model's fields (mode with SHM_DEST/SHM_LOCKED), and the slot's sequence number. */
export interface ShmidDs extends ShmidFields {
  seq: number;
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
  const p = layout().ipcPerm;
  return {
    key: b.readUInt32LE(p.key),
    uid: b.readUInt32LE(p.uid),
    gid: b.readUInt32LE(p.gid),
    cuid: b.readUInt32LE(p.cuid),
    cgid: b.readUInt32LE(p.cgid),
    mode: p.modeBytes === 2 ? b.readUInt16LE(p.mode) : b.readUInt32LE(p.mode),
  };
}

/** The three fields IPC_SET takes (the kernel ignores the rest), into a zeroed struct of `size` bytes; its address. */
function ipcSetArea(size: number, perm: { uid: number; gid: number; mode: number }): number {
  const area = scratchArea(size);
  area.view.fill(0, 0, size);
  const p = layout().ipcPerm;
  area.view.writeUInt32LE(perm.uid, p.uid);
  area.view.writeUInt32LE(perm.gid, p.gid);
  area.view.writeUInt16LE(perm.mode & 0o777, p.mode); // the low bits, in either width (little-endian)
  return area.address;
}

function decodeShmidDs(b: Buffer): ShmidDs {
  const d = layout().shmidDs;
  return {
    ...decodeIpcPerm(b),
    seq: b.readUInt16LE(layout().ipcPerm.seq),
    size: Number(b.readBigUInt64LE(d.segsz)),
    atime: Number(b.readBigInt64LE(d.atime)),
    dtime: Number(b.readBigInt64LE(d.dtime)),
    ctime: Number(b.readBigInt64LE(d.ctime)),
    cpid: b.readInt32LE(d.cpid),
    lpid: b.readInt32LE(d.lpid),
    nattch: Number(b.readBigUInt64LE(d.nattch)),
  };
}

/** shmctl(id, IPC_STAT). */
export function shmctlStat(id: number): ShmidDs {
  return decodeShmidDs(shmctlInto(id, IPC_STAT, layout().shmidDs.size));
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
  const r = call('shmctl', T.I32, [T.I32, T.I32, T.U64], [id, IPC_SET, ipcSetArea(layout().shmidDs.size, perm)]);
  if (r.value === -1) fail('shmctl', r);
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
  const o = layout().shmInfo;
  const b = shmctlInto(0, SHM_INFO, 48);
  return {
    usedIds: b.readInt32LE(o.usedIds),
    shmTot: b.readBigUInt64LE(o.shmTot),
    shmRss: b.readBigUInt64LE(o.shmRss),
    shmSwp: b.readBigUInt64LE(o.shmSwp),
    swapAttempts: b.readBigUInt64LE(o.swapAttempts),
    swapSuccesses: b.readBigUInt64LE(o.swapSuccesses),
  };
}

/** struct shminfo (IPC_INFO): the limits, for when /proc/sys is not there. */
export function shmctlIpcInfo(): { shmmax: bigint; shmmin: bigint; shmmni: bigint; shmseg: bigint; shmall: bigint } {
  const o = layout().shminfo;
  const b = shmctlInto(0, IPC_INFO, 72);
  return {
    shmmax: b.readBigUInt64LE(o.shmmax),
    shmmin: b.readBigUInt64LE(o.shmmin),
    shmmni: b.readBigUInt64LE(o.shmmni),
    shmseg: b.readBigUInt64LE(o.shmseg),
    shmall: b.readBigUInt64LE(o.shmall),
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
  const sb = layout().sembuf;
  const area = scratchArea(64 + 16 + ops.length * sb.size);
  ops.forEach((o, i) => {
    area.view.writeUInt16LE(o.num, 16 + i * sb.size + sb.num);
    area.view.writeInt16LE(o.op, 16 + i * sb.size + sb.op);
    area.view.writeInt16LE(o.flags, 16 + i * sb.size + sb.flg);
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

/** semctl(IPC_STAT). */
export function semctlStat(semid: number): SemidDs {
  const d = layout().semidDs;
  const area = scratchArea(d.size);
  area.view.fill(0, 0, d.size);
  const r = call('semctl', T.I32, [T.I32, T.I32, T.I32, T.U64], [semid, 0, IPC_STAT, area.address]);
  if (r.value === -1) fail('semctl', r);
  const b = area.view;
  return {
    ...decodeIpcPerm(b),
    otime: Number(b.readBigInt64LE(d.otime)),
    nsems: Number(b.readBigUInt64LE(d.nsems)),
  };
}

/** semctl(IPC_SET): owner, group and the low 9 mode bits (the kernel takes nothing else). */
export function semctlSet(semid: number, perm: { uid: number; gid: number; mode: number }): void {
  const r = call('semctl', T.I32, [T.I32, T.I32, T.I32, T.U64], [semid, 0, IPC_SET, ipcSetArea(layout().semidDs.size, perm)]);
  if (r.value === -1) fail('semctl', r);
}
