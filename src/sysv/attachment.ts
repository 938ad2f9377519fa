/** A System V segment attached to this process: a Mapping (views over the memory itself). */
import { Errno, ShmError } from '../model/errors.js';
import { pageAlign } from '../kernel/ffi.js';
import * as libc from '../kernel/sysv.js';
import { Mapping } from '../mapping.js';
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
}
