/**
 * User and group names through libc (getpwuid_r/getgrgid_r, so NSS sources
 * such as LDAP answer too), cached per id for the life of the process: a
 * listing of thousands of segments owned by a few users asks libc a few times.
 */
import type { NameLookup } from '../model/usage.js';
import { escapeBytes } from '../model/text.js';
import { readCommandLine } from './processes.js';
import { UsageError } from '../model/errors.js';
import { gidOf, groupNameOf, uidOf, userNameOf } from './nss.js';

const users = new Map<number, string | null>();
const groups = new Map<number, string | null>();

/** The user's name, or null when the uid has no entry. */
export function userName(uid: number): string | null {
  let name = users.get(uid);
  if (name === undefined) users.set(uid, (name = userNameOf(uid)));
  return name;
}

/** The group's name, or null when the gid has no entry. */
export function groupName(gid: number): string | null {
  let name = groups.get(gid);
  if (name === undefined) groups.set(gid, (name = groupNameOf(gid)));
  return name;
}

export type { NameLookup };

const commands = new Map<number, string | null>();

/**
 * A live process's command line (NULs as spaces), escaped; null when it is
 * gone. Read once per pid for the life of the process: a listing of 32,768
 * segments made by a few processes opens /proc/PID/cmdline a few times, not
 * 32,768 (a command line does not change under one listing; `watch` is the
 * one caller that lives long, and reads it only for COMMAND).
 */
export function commandLine(pid: number): string | null {
  let line = commands.get(pid);
  if (line === undefined) {
    const bytes = readCommandLine(pid);
    commands.set(pid, (line = bytes ? escapeBytes(bytes) : null));
  }
  return line;
}

/** Names from libc and /proc. */
export const systemNames: NameLookup = { user: userName, group: groupName, command: commandLine };

/** A user given as a name or a numeric uid. */
export function parseUser(text: string): number {
  if (/^[0-9]+$/.test(text)) return checkId(text, 'uid');
  const uid = text ? uidOf(text) : null;
  if (uid === null) throw new UsageError(`no such user '${text}'`);
  return uid;
}

/** A group given as a name or a numeric gid. */
export function parseGroup(text: string): number {
  if (/^[0-9]+$/.test(text)) return checkId(text, 'gid');
  const gid = text ? gidOf(text) : null;
  if (gid === null) throw new UsageError(`no such group '${text}'`);
  return gid;
}

/** (uid_t) -1 means "no change" to the kernel, so ids stop one short of 2^32. */
function checkId(text: string, what: string): number {
  const id = Number(text);
  if (id > 0xfffffffe) throw new UsageError(`${what} ${text} is out of range`);
  return id;
}
