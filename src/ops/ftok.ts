/**
 * What a key made by ftok(3) says, and which files make it. glibc's formula:
 *
 *   key = (proj & 0xff) << 24 | (st_dev & 0xff) << 16 | (st_ino & 0xffff)
 *
 * so a key keeps the project id's low byte, the device number's low byte
 * and the inode number's low 16 bits of the file it was made from (stat(2),
 * symbolic links followed). Any key can be split so; only a search says
 * whether some file makes it.
 */
import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';

export interface DecodedKey {
  key: number;
  proj: number;
  /** st_dev & 0xff */
  deviceLow: number;
  /** st_ino & 0xffff */
  inodeLow: number;
}

export function decodeKey(key: number): DecodedKey {
  return { key: key >>> 0, proj: key >>> 24, deviceLow: (key >>> 16) & 0xff, inodeLow: key & 0xffff };
}

export interface KeySearch {
  /** Files (and directories) whose ftok with `proj` is the key, as bytes. */
  paths: Buffer[];
  /** Directories that could not be read. */
  unreadable: number;
}

/**
 * Walk `dir` (not following symbolic links to directories, not entering
 * /proc or /sys) for files whose device and inode give the key. A regular
 * file lives on its directory's device, so in a directory on a device whose
 * low byte differs, only subdirectories and links are looked at.
 */
export function searchKey(key: number, dir: string): KeySearch {
  const want = decodeKey(key);
  const skip = new Set<number>();
  for (const pseudo of ['/proc', '/sys']) {
    try {
      skip.add(statSync(pseudo).dev);
    } catch {
      /* not mounted */
    }
  }
  const matches = (st: Stats): boolean => (st.dev & 0xff) === want.deviceLow && (st.ino & 0xffff) === want.inodeLow;
  const out: KeySearch = { paths: [], unreadable: 0 };
  const top = statSync(dir); // a missing DIR is the caller's error
  if (matches(top)) out.paths.push(Buffer.from(dir));
  const stack: { path: Buffer; dev: number }[] = top.isDirectory() ? [{ path: Buffer.from(dir), dev: top.dev }] : [];
  while (stack.length) {
    const { path, dev } = stack.pop()!;
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(path, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      out.unreadable++;
      continue;
    }
    const base = path[path.length - 1] === 0x2f ? path : Buffer.concat([path, Buffer.from('/')]);
    const sameDevice = (dev & 0xff) === want.deviceLow;
    for (const e of entries) {
      if (!e.isDirectory() && !e.isSymbolicLink() && !sameDevice) continue;
      const child = Buffer.concat([base, e.name]);
      let st: Stats;
      try {
        st = statSync(child);
      } catch {
        continue; // gone, or a dangling link
      }
      if (matches(st)) out.paths.push(child);
      if (e.isDirectory() && !skip.has(st.dev)) stack.push({ path: child, dev: st.dev });
    }
  }
  out.paths.sort(Buffer.compare);
  return out;
}
