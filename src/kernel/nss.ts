/** Users and groups through libc's NSS (getpwuid_r, getgrgid_r, getpwnam_r, getgrnam_r). */
import { Errno } from '../model/errors.js';
import { escapeBytes } from '../model/text.js';
import { callPlain, scratchArea, T } from './ffi.js';
import { layout } from './layout.js';

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
    const rc = callPlain(
      funcName,
      T.I32,
      [T.U32, T.U64, T.U64, T.U64, T.U64],
      [id, area.address, area.address + 128, bufferSize, area.address + resultAt],
    );
    if (rc === Errno.ERANGE) continue;
    if (rc !== 0) return null;
    const result = Number(area.view.readBigUInt64LE(resultAt));
    if (result === 0) return null;
    const nameAt = Number(area.view.readBigUInt64LE(funcName === 'getpwuid_r' ? layout().passwd.name : layout().group.name)) - area.address;
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
    const rc = callPlain(
      funcName,
      T.I32,
      [T.String, T.U64, T.U64, T.U64, T.U64],
      [name, area.address, area.address + 128, bufferSize, area.address + 64],
    );
    if (rc === Errno.ERANGE) continue;
    if (rc !== 0 || Number(area.view.readBigUInt64LE(64)) === 0) return null;
    return area.view.readUInt32LE(funcName === 'getpwnam_r' ? layout().passwd.uid : layout().group.gid);
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
