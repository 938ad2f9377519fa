/**
 * The struct layouts the kernel layer decodes, one table per platform, taken
 * from glibc's headers for that architecture (docs/ABI.md) — never a guess.
 * A platform without a table gets no struct decoded at all: every command
 * that would touch one fails with one line naming the platform.
 *
 * x86-64 and aarch64 agree on everything but two things: x86-64's semid_ds
 * keeps a padding word after each time (for 32-bit time compatibility), so
 * sem_nsems sits at 80 there and at 64 on aarch64; and ipc_perm.mode is an
 * unsigned short (plus padding) on x86-64, a 32-bit mode_t on aarch64.
 */
import { readdirSync } from 'node:fs';
import { OperationError } from '../model/errors.js';

interface Layout {
  /** ipc_perm, at the start of shmid_ds and semid_ds: offsets of its fields, and the mode's width. */
  ipcPerm: { key: number; uid: number; gid: number; cuid: number; cgid: number; mode: number; modeBytes: 2 | 4; seq: number };
  shmidDs: { size: number; segsz: number; atime: number; dtime: number; ctime: number; cpid: number; lpid: number; nattch: number };
  semidDs: { size: number; otime: number; ctime: number; nsems: number };
  /** struct sembuf: unsigned short num, short op, short flg. */
  sembuf: { size: number; num: number; op: number; flg: number };
  /** shminfo (IPC_INFO) and shm_info (SHM_INFO): unsigned longs, used_ids an int. */
  shminfo: { shmmax: number; shmmin: number; shmmni: number; shmseg: number; shmall: number };
  shmInfo: { usedIds: number; shmTot: number; shmRss: number; shmSwp: number; swapAttempts: number; swapSuccesses: number };
  /** passwd and group: the name pointer, pw_uid, gr_gid. */
  passwd: { name: number; uid: number };
  group: { name: number; gid: number };
  /** struct tm's tm_gmtoff. */
  tmGmtoff: number;
  /** open(2) flags that differ by architecture (asm/fcntl.h): arm64 moves O_DIRECTORY and O_NOFOLLOW. */
  openFlags: { directory: number; nofollow: number };
}

/** What x86-64 and aarch64 glibc share (LP64, little-endian). */
const LP64 = {
  shmidDs: { size: 112, segsz: 48, atime: 56, dtime: 64, ctime: 72, cpid: 80, lpid: 84, nattch: 88 },
  sembuf: { size: 6, num: 0, op: 2, flg: 4 },
  shminfo: { shmmax: 0, shmmin: 8, shmmni: 16, shmseg: 24, shmall: 32 },
  shmInfo: { usedIds: 0, shmTot: 8, shmRss: 16, shmSwp: 24, swapAttempts: 32, swapSuccesses: 40 },
  passwd: { name: 0, uid: 16 },
  group: { name: 0, gid: 16 },
  tmGmtoff: 40,
} as const;

const LAYOUTS: Record<string, Layout> = {
  // sysdeps/unix/sysv/linux/x86/bits/types/struct_semid_ds.h, x86/bits/ipc-perm.h
  'linux x64 glibc': {
    ...LP64,
    ipcPerm: { key: 0, uid: 4, gid: 8, cuid: 12, cgid: 16, mode: 20, modeBytes: 2, seq: 24 },
    semidDs: { size: 104, otime: 48, ctime: 64, nsems: 80 },
    // asm-generic/fcntl.h
    openFlags: { directory: 0o200000, nofollow: 0o400000 },
  },
  // the generic bits/types/struct_semid_ds.h (__TIMESIZE 64), bits/ipc-perm.h
  'linux arm64 glibc': {
    ...LP64,
    ipcPerm: { key: 0, uid: 4, gid: 8, cuid: 12, cgid: 16, mode: 20, modeBytes: 4, seq: 24 },
    semidDs: { size: 88, otime: 48, ctime: 56, nsems: 64 },
    // arch/arm64/include/uapi/asm/fcntl.h: 0o400000 is O_LARGEFILE there, 0o200000 O_DIRECT
    openFlags: { directory: 0o40000, nofollow: 0o100000 },
  },
};

/** The platforms with a table, as package.json's os/cpu name them. */
const SUPPORTED = Object.keys(LAYOUTS);

let libc: string | undefined;

/** glibc or musl (musl systems have /lib/ld-musl-<arch>.so.1). */
export function libcName(): string {
  if (libc === undefined) {
    let musl = false;
    try {
      musl = readdirSync('/lib').some((name) => name.startsWith('ld-musl-'));
    } catch {
      /* no /lib: not musl */
    }
    libc = musl ? 'musl' : 'glibc';
  }
  return libc;
}

let chosen: Layout | undefined;

/** This platform's table; fails (one line, naming the platform) where there is none. */
export function layout(): Layout {
  if (chosen) return chosen;
  const here = `${process.platform} ${process.arch} ${libcName()}`;
  const table = LAYOUTS[here];
  if (!table) {
    throw new OperationError(here, `no table of the kernel's struct layouts for this platform (there are for ${SUPPORTED.join(' and ')})`);
  }
  return (chosen = table);
}
