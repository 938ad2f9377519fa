/**
 * User and group names through libc (getpwuid_r/getgrgid_r, so NSS sources
 * such as LDAP answer too), cached per id for the life of the process: a
 * listing of thousands of segments owned by a few users asks libc a few times.
 */
import { groupNameOf, userNameOf } from './libc.js';

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

/** Functions a renderer uses to name ids; tests pass fixed tables instead of libc. */
export interface NameLookup {
  user(uid: number): string | null;
  group(gid: number): string | null;
}

export const systemNames: NameLookup = { user: userName, group: groupName };
