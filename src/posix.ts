/**
 * POSIX shared memory: objects made by shm_open(3), which glibc keeps as files
 * in the tmpfs at /dev/shm ("/name" is /dev/shm/name).
 *
 * Creating, opening and removing go through libc (shm_open, ftruncate,
 * shm_unlink); looking at them is lstat(2) of /dev/shm. Bytes are moved
 * through the descriptor (pread/pwrite), never a mapping: a mapping of an
 * object another process shrinks kills the process with SIGBUS when touched
 * past the new end, a pread just comes back short. Mappings exist only for
 * attach (held, never touched by us) and for library users who ask.
 */
import { closeSync, fstatSync, lstatSync, readdirSync, readFileSync, readSync, writeSync, type Stats } from 'node:fs';
import { Errno, OperationError, ShmError, UsageError } from './errors.js';
import * as libc from './libc.js';
import { Mapping } from './mapping.js';
import { checkRegionRange, type Region } from './region.js';
import { escapeBytes, unescapeBytes } from './text.js';

export const SHM_DIR = '/dev/shm';
/** The longest name (after the slash) a file in /dev/shm may have. */
export const NAME_MAX = 255;

/** Does this operand name a POSIX object ("/name") rather than a System V id? */
export function isPosixName(text: string): boolean {
  return text.startsWith('/');
}

/** glibc keeps POSIX named semaphores (sem_open) in /dev/shm as sem.NAME: not ours to touch, nor to make. */
const SEM_PREFIX = 'sem.';

/**
 * A valid POSIX name, "/name": one leading slash, no other, 1-255 bytes after
 * it, not a semaphore's. Names are bytes: `\xHH` in the text stands for the
 * byte HH (the escaped form listings show, src/text.ts). Returns the name in
 * that escaped form, which is how every record and message names it.
 */
export function checkPosixName(text: string): string {
  const bad = (why: string): never => {
    throw new UsageError(`invalid POSIX shared memory name '${text}': ${why}`);
  };
  if (!text.startsWith('/')) bad('it must begin with a slash, as /name');
  const rest = unescapeBytes(text.slice(1));
  if (rest.length === 0) bad('nothing follows the slash');
  if (rest.includes(0x2f)) bad('no slash may follow the first');
  const plain = rest.toString('latin1');
  if (plain === '.' || plain === '..') bad(`'${plain}' is not a name`);
  if (rest.includes(0)) bad('it contains a NUL byte');
  if (rest.length > NAME_MAX) bad(`longer than ${NAME_MAX} bytes after the slash`);
  if (plain.startsWith(SEM_PREFIX)) bad(`names beginning with '${SEM_PREFIX}' are POSIX semaphores' (sem_open keeps them in ${SHM_DIR})`);
  return '/' + escapeBytes(rest);
}

/** The bytes of "/name" as shm_open takes them. */
function nameBytes(name: string): Buffer {
  return Buffer.concat([Buffer.from('/'), unescapeBytes(name.slice(1))]);
}

/** /dev/shm/NAME, as bytes (a name need not be UTF-8). */
const pathOf = (name: string): Buffer => Buffer.concat([Buffer.from(SHM_DIR), nameBytes(name)]);

/** One POSIX object, as every view of it is rendered. */
export interface PosixRecord {
  kind: 'posix';
  /** "/name" */
  name: string;
  size: number;
  /** st_mode's permission bits (with setuid/setgid/sticky, if anyone set them). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch (whole). */
  atime: number;
  mtime: number;
  ctime: number;
  nlink: number;
  ino: number;
  dev: number;
  /** Bytes of memory it holds (tmpfs blocks: resident or swapped). */
  allocated: number;
  /** Processes that map it, from /proc/PID/maps; null when not looked for. */
  mappedBy: number[] | null;
  /** Processes whose maps could not be read (not ours, without privilege). */
  unreadable: number;
}

export function isPosix(r: object): r is PosixRecord {
  return (r as { kind?: string }).kind === 'posix';
}

function recordOf(name: string, st: Stats): PosixRecord {
  return {
    kind: 'posix',
    name,
    size: st.size,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
    ctime: Math.floor(st.ctimeMs / 1000),
    nlink: st.nlink,
    ino: st.ino,
    dev: st.dev,
    allocated: st.blocks * 512,
    mappedBy: null,
    unreadable: 0,
  };
}

/** A Node fs failure as a ShmError about `name`, in words. */
function explainFs(e: unknown, name: string, syscall: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  const errno = -((e as NodeJS.ErrnoException)?.errno ?? 0);
  if (!code || !errno) return e;
  const reasons: Record<string, string> = {
    ENOENT: 'no such POSIX shared memory object',
    EACCES: 'permission denied',
  };
  return new ShmError(syscall, errno, name, reasons[code] ?? (e as Error).message.replace(/^[A-Z]+: |, .*$/g, ''));
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function lstatOrNull(name: string): Stats | null {
  try {
    return lstatSync(pathOf(name));
  } catch {
    return null;
  }
}

/** lstat of the object; usage adds which processes map it. */
export function statPosix(name: string, opts: { usage?: boolean } = {}): PosixRecord {
  name = checkPosixName(name);
  let st: Stats;
  try {
    st = lstatSync(pathOf(name));
  } catch (e) {
    throw explainFs(e, name, 'stat');
  }
  if (!st.isFile()) throw new OperationError(name, `is not a shared memory object (${SHM_DIR}${name} is ${kindOf(st)})`);
  const record = recordOf(name, st);
  if (opts.usage) addMappers([record]);
  return record;
}

/**
 * Every object in /dev/shm, by name. POSIX named semaphores live there too,
 * as sem.NAME: they are left out. Objects that vanish while listed are skipped.
 */
export function listPosix(opts: { usage?: boolean } = {}): PosixRecord[] {
  let entries: Buffer[];
  try {
    // As bytes: a name that is not UTF-8 is listed too (escaped), never lost.
    entries = readdirSync(SHM_DIR, { encoding: 'buffer' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw explainFs(e, SHM_DIR, 'opendir');
  }
  const records: PosixRecord[] = [];
  const semPrefix = Buffer.from(SEM_PREFIX);
  for (const entry of entries.sort(Buffer.compare)) {
    if (entry.subarray(0, semPrefix.length).equals(semPrefix)) continue;
    try {
      const st = lstatSync(Buffer.concat([Buffer.from(`${SHM_DIR}/`), entry]));
      if (st.isFile()) records.push(recordOf('/' + escapeBytes(entry), st));
    } catch {
      /* gone meanwhile */
    }
  }
  if (opts.usage) addMappers(records);
  return records;
}

/** "major:minor" as /proc prints a device, in hex. */
function deviceText(dev: number, width = 2): string {
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | (Math.floor(dev / 4096) & 0xfff00);
  return `${major.toString(16).padStart(width, '0')}:${minor.toString(16).padStart(width, '0')}`;
}

/**
 * Which processes map each object: one pass over /proc/PID/maps, matching
 * device and inode (so a renamed or removed object is still found). Maps of
 * other users' processes are readable only with privilege; those are counted.
 */
export function addMappers(records: PosixRecord[]): void {
  if (!records.length) return;
  const byKey = new Map<string, PosixRecord>();
  for (const r of records) {
    r.mappedBy = [];
    r.unreadable = 0;
    byKey.set(lockKeyOf(r), r);
  }
  const devices = new Set(records.map((r) => ` ${deviceText(r.dev)} `));
  let unreadable = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return;
  }
  for (const pid of pids) {
    let maps: string;
    try {
      maps = readFileSync(`/proc/${pid}/maps`, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') unreadable++;
      continue;
    }
    if (maps === '' && pid !== String(process.pid)) {
      // Kernel threads have empty maps; so do unreadable ones under some kernels.
      continue;
    }
    const seen = new Set<PosixRecord>();
    for (const device of devices) {
      for (let at = maps.indexOf(device); at >= 0; at = maps.indexOf(device, at + 1)) {
        const end = maps.indexOf(' ', at + device.length);
        const key = `${device.slice(1, -1)} ${maps.slice(at + device.length, end < 0 ? undefined : end)}`;
        const r = byKey.get(key);
        if (r && !seen.has(r)) {
          seen.add(r);
          r.mappedBy!.push(Number(pid));
        }
      }
    }
  }
  for (const r of records) r.unreadable = unreadable;
}

export type PosixLockState = { state: 'free' | 'exclusive' | 'shared'; holders: number; waiters: number };

/**
 * Locks on POSIX objects, from /proc/locks (flock, fcntl and OFD locks alike),
 * by "device inode". An object with no entry is free.
 */
export function readPosixLocks(): Map<string, PosixLockState> {
  const states = new Map<string, PosixLockState>();
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'latin1');
  } catch {
    return states;
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const waiting = f[1] === '->';
    const g = waiting ? f.slice(1) : f;
    // N: TYPE ADVISORY|MANDATORY READ|WRITE PID MAJ:MIN:INODE START END
    const access = g[3];
    const where = /^([0-9a-f]+):([0-9a-f]+):(\d+)$/.exec(g[5] ?? '');
    if (!where) continue;
    const key = `${where[1]!.padStart(2, '0')}:${where[2]!.padStart(2, '0')} ${where[3]}`;
    const s = states.get(key) ?? { state: 'free', holders: 0, waiters: 0 };
    if (waiting) s.waiters++;
    else {
      s.holders++;
      s.state = access === 'WRITE' ? 'exclusive' : s.state === 'exclusive' ? 'exclusive' : 'shared';
    }
    states.set(key, s);
  }
  return states;
}

/** The key readPosixLocks uses for this object. */
export function lockKeyOf(r: PosixRecord): string {
  return `${deviceText(r.dev)} ${r.ino}`;
}

const ELOOP = 40;
const ENXIO = 6;
const ENOTDIR = 20;

/**
 * shm_open of an existing object, never waiting (O_NONBLOCK: a FIFO planted in
 * /dev/shm would block an open for ever) and never anything but a regular
 * file (glibc's O_NOFOLLOW refuses symbolic links).
 */
function openExisting(name: string, write: boolean): number {
  let fd: number;
  try {
    fd = libc.shmOpen(nameBytes(name), (write ? libc.O_RDWR : libc.O_RDONLY) | libc.O_NONBLOCK, 0);
  } catch (e) {
    // glibc turns EISDIR into EINVAL: say what is really there
    const st = e instanceof ShmError && e.errno !== Errno.ENOENT ? lstatOrNull(name) : null;
    if (st && !st.isFile()) throw new OperationError(name, `is not a shared memory object (${kindOf(st)})`);
    throw explainOpen(e, name, write);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new OperationError(name, `is not a shared memory object (${kindOf(st)})`);
  }
  return fd;
}

/** shm_open's failures in words. */
function explainOpen(e: unknown, name: string, write: boolean): unknown {
  if (!(e instanceof ShmError)) return e;
  switch (e.errno) {
    case ELOOP:
      return e.with(name, 'is not a shared memory object (a symbolic link)');
    case ENXIO:
    case ENOTDIR:
      return e.with(name, 'is not a shared memory object');
    case Errno.ENOENT:
      return e.with(name, 'no such POSIX shared memory object');
    case Errno.EACCES:
      return e.with(name, `permission denied for ${write ? 'read-write' : 'read-only'} access (the object's mode does not grant it)`);
    case Errno.EEXIST:
      return e.with(name, 'an object with this name already exists');
    case Errno.EINVAL:
      return e.with(name, 'invalid name');
    default:
      return e.with(name);
  }
}

export interface PosixCreateOptions {
  /** "/name" */
  name: string;
  /** Bytes (at least 1). */
  size: number;
  /** Permission bits, default 0600; set exactly (the umask does not narrow them). */
  mode?: number;
  /** Fail if the name exists (O_EXCL) instead of opening it. */
  exclusive?: boolean;
}

export interface PosixCreateResult {
  /** False when the object existed and was left as it was. */
  created: boolean;
  /** The existing object's mode when it was not created. */
  mode: number;
  size: number;
}

/**
 * shm_open(O_CREAT|O_EXCL) + fchmod + ftruncate. Without `exclusive` an
 * existing object is opened and left as it is, as shmget does for a key —
 * unless it is smaller than asked (growing it behind its users' backs, or
 * shrinking it under their mappings, is not ours to do).
 */
export function createPosix(opts: PosixCreateOptions): PosixCreateResult {
  const name = checkPosixName(opts.name);
  const mode = opts.mode ?? 0o600;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw new RangeError(`mode ${mode} is not within 0 … 0777`);
  if (!Number.isSafeInteger(opts.size) || opts.size < 1) throw new UsageError('size must be at least 1 byte');
  let fd: number;
  try {
    fd = libc.shmOpen(nameBytes(name), libc.O_RDWR | libc.O_CREAT | libc.O_EXCL, mode);
  } catch (e) {
    if (!(e instanceof ShmError && e.errno === Errno.EEXIST) || opts.exclusive) throw explainOpen(e, name, true);
    const existing = statPosix(name);
    if (existing.size < opts.size) {
      throw new ShmError('shm_open', Errno.EINVAL, name, `exists with size ${existing.size} < requested ${opts.size}`);
    }
    return { created: false, mode: existing.mode, size: existing.size };
  }
  try {
    libc.fchmod(fd, mode);
    libc.ftruncate(fd, opts.size);
  } catch (e) {
    closeSync(fd);
    try {
      libc.shmUnlink(nameBytes(name));
    } catch {
      /* already gone */
    }
    if (e instanceof ShmError && (e.errno === 27 /* EFBIG */ || e.errno === Errno.EINVAL)) {
      throw e.with(name, `size ${opts.size} is too large for ${SHM_DIR}`);
    }
    throw e instanceof ShmError ? e.with(name) : e;
  }
  closeSync(fd);
  return { created: true, mode, size: opts.size };
}

/** shm_unlink: the name goes at once; the memory when its last user lets go. */
export function removePosix(name: string): { mappedBy: number } {
  name = checkPosixName(name);
  let mappedBy = 0;
  try {
    const r = statPosix(name, { usage: true });
    mappedBy = r.mappedBy?.length ?? 0;
  } catch (e) {
    // A FIFO, a directory or a link planted in /dev/shm is not ours to remove.
    if (e instanceof OperationError) throw e;
    /* otherwise shm_unlink says why */
  }
  try {
    libc.shmUnlink(nameBytes(name));
  } catch (e) {
    if (e instanceof ShmError && (e.errno === Errno.EPERM || e.errno === Errno.EACCES)) {
      throw e.with(name, `permission denied: only its owner or a privileged user may remove it (${SHM_DIR} is sticky)`);
    }
    throw explainOpen(e, name, true);
  }
  return { mappedBy };
}

/** Change mode and owner, as IPC_SET does for segments (fchmod, fchown). */
export function setPosix(name: string, change: { uid?: number; gid?: number; mode?: number }): void {
  const obj = PosixObject.open(name, { write: false });
  try {
    if (change.uid !== undefined || change.gid !== undefined) libc.fchown(obj.fd, change.uid ?? -1, change.gid ?? -1);
    if (change.mode !== undefined) libc.fchmod(obj.fd, change.mode);
  } catch (e) {
    if (e instanceof ShmError && e.errno === Errno.EPERM) {
      throw e.with(name, 'permission denied: only its owner or a privileged user may change it');
    }
    throw e instanceof ShmError ? e.with(name) : e;
  } finally {
    obj.close();
  }
}

/**
 * Bytes per pread/pwrite. Small enough that the bounce buffer stays in the
 * CPU's cache between the two copies: measured on 1 GiB, 128 KiB copies to
 * a pipe 2.2× faster than 1-4 MiB, and to /dev/null 3.4×.
 */
export const IO_CHUNK = 128 << 10;

/**
 * An open POSIX object, its bytes reached through the descriptor. The size is
 * the one at open; every transfer is checked against it, and a transfer that
 * finds the object shrunk (another process truncated it) stops with an error
 * instead of a SIGBUS.
 */
export class PosixObject implements Region {
  #fd: number;
  readonly name: string;
  readonly size: number;
  readonly writable: boolean;
  readonly noun = 'object';

  private constructor(name: string, fd: number, size: number, writable: boolean) {
    this.name = name;
    this.#fd = fd;
    this.size = size;
    this.writable = writable;
  }

  static open(name: string, opts: { write?: boolean } = {}): PosixObject {
    name = checkPosixName(name);
    const write = opts.write ?? false;
    const fd = openExisting(name, write);
    return new PosixObject(name, fd, fstatSync(fd).size, write);
  }

  get subject(): string {
    return this.name;
  }

  get fd(): number {
    if (this.#fd < 0) throw new OperationError(this.name, 'is closed');
    return this.#fd;
  }

  /** The size now (another process may have changed it since open). */
  currentSize(): number {
    return fstatSync(this.fd).size;
  }

  checkRange(offset: number, length: number): void {
    checkRegionRange(this.name, this.size, offset, length, 'object');
  }

  #shrunk(done: number, what: string): OperationError {
    let now = '?';
    try {
      now = String(this.currentSize());
    } catch {
      /* unknown */
    }
    return new OperationError(this.name, `shrank to ${now} bytes (truncated by another process) during the ${what}; ${done} bytes were ${what === 'read' ? 'read' : 'written'}`);
  }

  readWindows(offset: number, length: number, chunk: number, each: (data: Buffer, at: number) => boolean | void): void {
    this.checkRange(offset, length);
    const buffer = Buffer.allocUnsafe(Math.min(chunk, IO_CHUNK, Math.max(length, 1)));
    for (let done = 0; done < length; ) {
      const want = Math.min(buffer.length, length - done);
      let got = 0;
      while (got < want) {
        const n = readSync(this.fd, buffer, got, want - got, offset + done + got);
        if (n === 0) throw this.#shrunk(done + got, 'read');
        got += n;
      }
      if (each(buffer.subarray(0, got), offset + done) === false) return;
      done += got;
    }
  }

  writeWindows(offset: number, length: number, chunk: number, fill: (window: Buffer) => number): number {
    if (!this.writable) throw new OperationError(this.name, 'opened read-only');
    this.checkRange(offset, length);
    const buffer = Buffer.allocUnsafe(Math.min(chunk, IO_CHUNK, Math.max(length, 1)));
    let done = 0;
    while (done < length) {
      const want = Math.min(buffer.length, length - done);
      const filled = fill(buffer.subarray(0, want));
      // pwrite past the end would grow the object back: look first.
      if (filled > 0 && this.currentSize() < offset + done + filled) throw this.#shrunk(done, 'write');
      for (let put = 0; put < filled; ) {
        try {
          put += writeSync(this.fd, buffer, put, filled - put, offset + done + put);
        } catch (e) {
          // a full tmpfs (ENOSPC), a quota: say which object, and how far the write got
          const code = (e as NodeJS.ErrnoException).code;
          const errno = -((e as NodeJS.ErrnoException).errno ?? 0);
          if (!code || !errno) throw e;
          const why = code === 'ENOSPC' ? `no space left in ${SHM_DIR}` : (e as Error).message.replace(/^[A-Z]+: |, .*$/g, '');
          throw new ShmError('write', errno, this.name, `${why}; ${done + put} bytes were written`);
        }
      }
      done += filled;
      if (filled < want) break;
    }
    return done;
  }

  /** Map it (MAP_SHARED), read-only or read-write; the mapping keeps its own descriptor. */
  map(opts: { readonly?: boolean } = {}): PosixMapping {
    return PosixMapping.map(this, opts.readonly ?? !this.writable);
  }

  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    closeSync(fd);
  }
}

/**
 * A POSIX object mapped into this process. Views are checked against the
 * object's size now, not only at mapping time; but if another process shrinks
 * it while a view is in use, touching the lost pages raises SIGBUS — use
 * PosixObject's descriptor transfers where that matters.
 */
export class PosixMapping extends Mapping {
  readonly name: string;
  #fd: number;

  private constructor(name: string, fd: number, address: number, size: number, readonly: boolean) {
    super(address, size, libc.pageAlign(size), readonly);
    this.name = name;
    this.#fd = fd;
  }

  get subject(): string {
    return this.name;
  }

  override get noun(): string {
    return 'object';
  }

  static map(obj: PosixObject, readonly: boolean): PosixMapping {
    if (!readonly && !obj.writable) throw new OperationError(obj.name, 'opened read-only: map it read-only');
    if (obj.size === 0) throw new OperationError(obj.name, 'is empty (size 0): nothing to map');
    // A descriptor of its own, so the mapping outlives the PosixObject.
    const fd = openExisting(obj.name, !readonly);
    let address: number;
    try {
      address = libc.mmap(0, obj.size, readonly ? libc.PROT_READ : libc.PROT_READ | libc.PROT_WRITE, libc.MAP_SHARED, fd, 0);
    } catch (e) {
      closeSync(fd);
      throw e instanceof ShmError ? e.with(obj.name, e.errno === Errno.ENOMEM ? 'no room in the address space' : e.reason) : e;
    }
    return new PosixMapping(obj.name, fd, address, obj.size, readonly);
  }

  protected override beforeView(offset: number, length: number): void {
    const now = fstatSync(this.#fd).size;
    if (offset + length > now) {
      throw new OperationError(this.name, `shrank to ${now} bytes (truncated by another process): the view would pass its end`);
    }
  }

  protected unmap(address: number, length: number): void {
    libc.munmap(address, length);
  }

  protected override afterUnmap(): void {
    closeSync(this.#fd);
    this.#fd = -1;
  }
}

/**
 * flock(2) on the object's own descriptor: dies with its holder (the kernel
 * drops it when the descriptor closes, whatever killed the process).
 */
export class PosixLock {
  #fd: number;
  readonly name: string;
  readonly mode: 'exclusive' | 'shared';

  private constructor(name: string, fd: number, mode: 'exclusive' | 'shared') {
    this.name = name;
    this.#fd = fd;
    this.mode = mode;
  }

  /** Wait up to `timeoutMs` (null: for ever); null when the time ran out. */
  static async acquire(name: string, mode: 'exclusive' | 'shared', timeoutMs: number | null): Promise<PosixLock | null> {
    name = checkPosixName(name);
    const fd = openExisting(name, false);
    const op = (mode === 'exclusive' ? libc.LOCK_EX : libc.LOCK_SH) | libc.LOCK_NB;
    const started = Date.now();
    // flock has no timeout: try, then sleep a little longer each time (≤ 20 ms),
    // with the event loop free in between for signals.
    for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
      let got: boolean;
      try {
        got = libc.flock(fd, op);
      } catch (e) {
        closeSync(fd);
        throw e instanceof ShmError ? e.with(name) : e;
      }
      if (got) return new PosixLock(name, fd, mode);
      if (timeoutMs !== null && Date.now() - started >= timeoutMs) {
        closeSync(fd);
        return null;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** The descriptor the flock is on (-1 once released). */
  get fd(): number {
    return this.#fd;
  }

  release(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    closeSync(fd); // closing the last descriptor drops the flock
  }
}
