/**
 * fanotify(7), for run --reap: which process made each name in a directory.
 * A notification group reporting the directory and the name of each entry
 * made (FAN_CREATE, FAN_MOVED_TO) with the pid of the process that made it,
 * in the reader's PID namespace (0 when not in it). Needs CAP_SYS_ADMIN: an
 * unprivileged group is told no pid but its own.
 */
import { Errno, hasErrno } from '../model/errors.js';
import { closeSync, readSync } from 'node:fs';
import { call, T } from './ffi.js';

const FAN_CLASS_NOTIF = 0;
const FAN_CLOEXEC = 0x1;
const FAN_NONBLOCK = 0x2;
const FAN_REPORT_DFID_NAME = 0x400 | 0x800;
const FAN_MARK_ADD = 0x1;
const FAN_MOVED_TO = 0x80;
const FAN_CREATE = 0x100;
const FAN_Q_OVERFLOW = 0x4000;
const O_RDONLY = 0;
const AT_FDCWD = -100;
const INFO_DFID_NAME = 2;
/** fanotify_event_metadata: event_len u32, vers u8, reserved u8, metadata_len u16, mask u64, fd s32, pid s32. */
const METADATA = 24;

/** An entry made in the watched directory: its name's bytes and its maker's pid (0: outside our PID namespace). */
interface Creation {
  name: Buffer;
  pid: number;
}

export class CreationWatch {
  private constructor(private fd: number) {}

  /** Watch `dir`; or why this process may not (no CAP_SYS_ADMIN, an old kernel, a seccomp filter). */
  static open(dir: string): CreationWatch | string {
    const init = call(
      'fanotify_init',
      T.I32,
      [T.U32, T.U32],
      [FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME, O_RDONLY],
    );
    if (init.value < 0) return `fanotify_init: ${init.message}`;
    const mark = call(
      'fanotify_mark',
      T.I32,
      [T.I32, T.U32, T.U64, T.I32, T.String],
      [init.value, FAN_MARK_ADD, FAN_CREATE | FAN_MOVED_TO, AT_FDCWD, dir],
    );
    if (mark.value < 0) {
      closeSync(init.value);
      return `fanotify_mark: ${mark.message}`;
    }
    return new CreationWatch(init.value);
  }

  /** What was made since the last read; `lost` when the kernel's queue overflowed (some makers are not known). */
  read(): { made: Creation[]; lost: boolean } {
    const made: Creation[] = [];
    let lost = false;
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, buf, 0, buf.length, null);
      } catch (e) {
        if (hasErrno(e, Errno.EAGAIN)) break;
        throw e;
      }
      if (n <= 0) break;
      for (let at = 0; at + METADATA <= n;) {
        const len = buf.readUInt32LE(at);
        if (len < METADATA) break;
        const mask = Number(buf.readBigUInt64LE(at + 8));
        const pid = buf.readInt32LE(at + 20);
        if (mask & FAN_Q_OVERFLOW) lost = true;
        const name = nameOf(buf.subarray(at + buf.readUInt16LE(at + 6), at + len));
        if (name && mask & (FAN_CREATE | FAN_MOVED_TO)) made.push({ name, pid });
        at += len;
      }
    }
    return { made, lost };
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * The entry's name from an event's info records: fanotify_event_info_fid
 * (header: type u8, pad u8, len u16; fsid 8 bytes; file_handle: handle_bytes
 * u32, handle_type s32, the handle) followed, for DFID_NAME, by the name and
 * a NUL.
 */
function nameOf(info: Buffer): Buffer | null {
  for (let at = 0; at + 4 <= info.length;) {
    const type = info[at]!;
    const len = info.readUInt16LE(at + 2);
    if (len < 4) return null;
    if (type === INFO_DFID_NAME) {
      const start = at + 4 + 8 + 8 + info.readUInt32LE(at + 12);
      const end = info.indexOf(0, start);
      return end > start && end <= at + len ? Buffer.from(info.subarray(start, end)) : null;
    }
    at += len;
  }
  return null;
}
