/** A System V segment attached to this process: a Mapping (views over the memory itself). */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { Errno, OperationError, ShmError } from '../model/errors.js';
import { pageAlign } from '../kernel/ffi.js';
import * as libc from '../kernel/sysv.js';
import { copyIntoFile, sendRange } from '../memory/file-copy.js';
import { copyFileInParallel } from '../memory/parallel-copy.js';
import { copyMemoryIn, copyMemoryOut, spliceMemoryOut } from '../memory/attached-copy.js';
import { Mapping } from '../memory/mapping.js';
import { describeId, explainShmctl } from './segment.js';

/**
 * A segment attached to this process (see Mapping: views over the memory,
 * bounds-checked, safe to have kept past detach()).
 */
export class Attachment extends Mapping {
  readonly id: number;
  readonly subject: string;

  private constructor(id: number, address: number, size: number, readonly: boolean) {
    super(address, size, pageAlign(size), readonly);
    this.id = id;
    this.subject = describeId(id);
  }

  /**
   * Attach by id. The size is read after attaching, from the attached segment
   * itself: an id cannot be reused while we hold it, so size and memory agree.
   */
  static attach(id: number, opts: { readonly?: boolean } = {}): Attachment {
    const readonly = opts.readonly ?? false;
    let address: number;
    try {
      address = libc.shmat(id, readonly ? libc.SHM_RDONLY : 0);
    } catch (e) {
      if (!(e instanceof ShmError)) throw e;
      const subject = describeId(id);
      if (e.errno === Errno.EACCES) {
        throw e.with(subject, `permission denied for ${readonly ? 'read-only' : 'read-write'} attach`);
      }
      if (e.errno === Errno.EINVAL || e.errno === Errno.EIDRM) throw e.with(subject, 'no such segment');
      if (e.errno === Errno.ENOMEM) throw e.with(subject, 'no room in the address space for the segment');
      throw e.with(subject);
    }
    let size: number;
    try {
      size = libc.shmctlStat(id).size;
    } catch (e) {
      libc.shmdt(address);
      throw explainShmctl(e, id, 'stat');
    }
    return new Attachment(id, address, size, readonly);
  }

  protected unmap(address: number): void {
    libc.shmdt(address);
  }

  /** The segment's own file (read-write unless attached read-only): -1 when it cannot be had; null until asked. */
  #file: number | null = null;

  /**
   * A segment is a file of the kernel's internal tmpfs. Opened through
   * /proc/self/map_files (which needs CAP_SYS_ADMIN: root, mostly), it takes
   * write(2) and sendfile(2) like any tmpfs file, and a write into fresh memory
   * then makes each page as it fills it instead of taking a page fault per page
   * through the attachment. -1 where it cannot be opened (not privileged, an
   * older kernel): the caller copies through the attachment.
   */
  protected segmentFile(): number {
    if (this.#file !== null) return this.#file;
    const start = this.address;
    const end = start + pageAlign(this.size);
    try {
      this.#file = openSync(
        `/proc/self/map_files/${start.toString(16)}-${end.toString(16)}`,
        this.readonly ? constants.O_RDONLY : constants.O_RDWR,
      );
    } catch {
      this.#file = -1;
    }
    return this.#file;
  }

  /**
   * Fill from `fd` by the kernel: into the segment's file where it can be had
   * (see segmentFile: sendfile from a file, splice from a pipe), otherwise
   * through process_vm_writev (copyMemoryIn); null where neither is allowed
   * (the caller copies through the attachment).
   */
  receiveFrom(fd: number, offset: number, room: number, chunk: number, progress?: (done: number) => void): number | null {
    if (this.readonly) return null;
    this.checkRange(offset, room);
    const file = this.segmentFile();
    // room ends at the segment's end: the file is never written past it (that would grow it)
    const filed = file < 0 ? null : copyIntoFile(file, fd, offset, room, { step: Math.min(chunk, 1 << 30), chunk, progress });
    return filed ?? copyMemoryIn(fd, this.address + offset, room, chunk, progress);
  }

  /**
   * Copy out by the kernel, never through the attachment: into a pipe by
   * reference (vmsplice) unless `snapshot` asks for the bytes as they are now,
   * otherwise through process_vm_readv (copyMemoryOut). A character device
   * (/dev/null, a terminal) takes the attachment's windows: /dev/null reads
   * nothing of them.
   */
  sendTo(fd: number, offset: number, length: number, chunk: number, progress?: (done: number) => void, snapshot = false): boolean {
    this.checkRange(offset, length);
    if (length === 0) return false;
    const st = fstatSync(fd);
    if (st.isCharacterDevice()) return false;
    const at = this.address + offset;
    if (st.isFIFO() && !snapshot && spliceMemoryOut(fd, at, length, chunk, progress)) return true;
    // into a regular file the kernel copies from the segment's file when it can be had (the bytes as they are now)
    const file = st.isFile() ? this.segmentFile() : -1;
    const how = {
      step: 1 << 30,
      chunk,
      progress,
      short: (done: number) => new OperationError(this.subject, `read stopped after ${done} bytes`),
    };
    if (file >= 0 && sendRange(fd, file, offset, length, how)) return true;
    return copyMemoryOut(fd, at, length, chunk, progress);
  }

  /** A large file into the segment's file on two threads (copyFileInParallel); null without the segment's file. */
  fillFromFile(fd: number, offset: number, length: number, chunk: number, progress?: (done: number) => void): Promise<number | null> {
    if (this.readonly) return Promise.resolve(null);
    this.checkRange(offset, length);
    const file = this.segmentFile();
    if (file < 0) return Promise.resolve(null);
    return copyFileInParallel(file, fd, offset, length, { step: 1 << 30, chunk, progress });
  }

  protected override afterUnmap(): void {
    if (this.#file !== null && this.#file >= 0) closeSync(this.#file);
    this.#file = null;
  }
}
