/** A POSIX object mapped into this process (attach, and library users who ask). */
import { closeSync, fstatSync } from 'node:fs';
import { Errno, OperationError, ShmError } from '../model/errors.js';
import * as libc from '../kernel/posix.js';
import { pageAlign } from '../kernel/ffi.js';
import { Mapping } from '../memory/mapping.js';
import { openExisting, type OpenObject } from './open.js';

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
    super(address, size, pageAlign(size), readonly);
    this.name = name;
    this.#fd = fd;
  }

  get subject(): string {
    return this.name;
  }

  override get noun(): string {
    return 'object';
  }

  static map(obj: OpenObject, readonly: boolean): PosixMapping {
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
