/**
 * Users and groups through libc's NSS (getpwuid_r, getgrgid_r, getpwnam_r, getgrnam_r); a uid's or gid's name read
 * from /etc/passwd or /etc/group itself when NSS would read that file first (filesFirst).
 */
import { readFileSync } from 'node:fs';
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

/**
 * The names /etc/passwd (or /etc/group) gives ids, when nsswitch.conf has NSS read that file first ("passwd: files
 * ...", not "compat", and no other source before it): what getpwuid_r would answer for an id the file has (its first
 * line with it, as NSS's files source), without a libc call — and without loading the FFI library, ~8 ms of a start
 * that shows an owner. An id the file lacks still goes to NSS (its other sources: systemd, LDAP). null when NSS does
 * not read the file first, or it cannot be read: everything goes to NSS then.
 */
function filesFirst(db: 'passwd' | 'group'): Map<number, string> | null {
  const cached = fileNames.get(db);
  if (cached !== undefined) return cached;
  let names: Map<number, string> | null = null;
  try {
    const conf = readFileSync('/etc/nsswitch.conf', 'latin1');
    const sources = new RegExp(`^${db}:[ \\t]*(\\S+)`, 'm').exec(conf)?.[1];
    if (sources === 'files') {
      names = new Map();
      const text = readFileSync(`/etc/${db}`);
      for (let at = 0; at < text.length;) {
        const nl = text.indexOf(0x0a, at);
        let start = at;
        const end = nl < 0 ? text.length : nl;
        at = end + 1;
        // as NSS's files source reads a line: leading blanks skipped, a comment or an empty line passed over
        while (start < end && (text[start] === 0x20 || text[start] === 0x09)) start++;
        if (start === end || text[start] === 0x23) continue;
        const line = text.subarray(start, end);
        // name:password:id:...
        const c1 = line.indexOf(0x3a);
        const c2 = c1 < 0 ? -1 : line.indexOf(0x3a, c1 + 1);
        const c3 = c2 < 0 ? -1 : line.indexOf(0x3a, c2 + 1);
        if (c1 <= 0 || c2 < 0) continue;
        const id = line.toString('latin1', c2 + 1, c3 < 0 ? line.length : c3);
        if (!/^[0-9]+$/.test(id) || Number(id) > 0xffffffff) continue;
        if (!names.has(Number(id))) names.set(Number(id), escapeBytes(line.subarray(0, c1)));
      }
    }
  } catch {
    names = null; // no nsswitch.conf (glibc's defaults then) or no file: NSS answers
  }
  fileNames.set(db, names);
  return names;
}
const fileNames = new Map<string, Map<number, string> | null>();

export function userNameOf(uid: number): string | null {
  return filesFirst('passwd')?.get(uid) ?? lookupName('getpwuid_r', uid);
}

export function groupNameOf(gid: number): string | null {
  return filesFirst('group')?.get(gid) ?? lookupName('getgrgid_r', gid);
}
