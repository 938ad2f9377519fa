/**
 * POSIX object names: "/name", one leading slash, no other, 1-255 bytes, not a
 * semaphore's. Names are bytes; the text form escapes what is not printable
 * UTF-8 (model/text.ts), and reads back to the same bytes.
 */
import { OperationError, UsageError } from '../model/errors.js';
import { SHM_DIR } from '../model/record.js';
import { escapeBytes, unescapeBytes } from '../model/text.js';

/** The longest name (after the slash) a file in /dev/shm may have. */
const NAME_MAX = 255;

/** Does this operand name a POSIX object ("/name") rather than a System V id? */
export function isPosixName(text: string): boolean {
  return text.startsWith('/');
}

/** glibc keeps POSIX named semaphores (sem_open) in /dev/shm as sem.NAME: not ours to touch, nor to make. */
export const SEM_PREFIX = 'sem.';

/**
 * A valid POSIX name, "/name": one leading slash, no other, 1-255 bytes after
 * it, not a semaphore's. Names are bytes: `\xHH` in the text stands for the
 * byte HH (the escaped form listings show, src/model/text.ts). Returns the name in
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

let directory: string | null = SHM_DIR;
let label: string = SHM_DIR;
let why = '';
let refused = false;

/**
 * Where objects are: /dev/shm, or another mount namespace's, resolved inside
 * that process's root (--ns PID: a descriptor's /proc/self/fd path, `name`
 * saying which it is); null when there is none to use (`reason` says why;
 * `refusal`: a safety refusal, a failure rather than a usage error).
 */
export function useShmDir(dir: string | null, reason = '', opts: { name?: string; refusal?: boolean } = {}): void {
  directory = dir;
  label = opts.name ?? dir ?? SHM_DIR;
  why = reason;
  refused = opts.refusal ?? false;
}

/** The directory objects live in (see useShmDir). */
export function shmDir(): string {
  if (directory === null) {
    if (refused) throw new OperationError(label, why);
    throw new UsageError(why || 'no /dev/shm to use here');
  }
  return directory;
}

/** How messages and reports name that directory: /dev/shm, or /proc/PID/root/dev/shm. */
export function shmDirName(): string {
  return label;
}

/** /dev/shm/NAME, as bytes (a name need not be UTF-8). */
export const pathOf = (name: string): Buffer => Buffer.concat([Buffer.from(shmDir()), nameBytes(name)]);
