/**
 * Which memory control group each resident page of a file of shared memory
 * is charged to. A page is charged to the group of the process that first
 * touched it, not to the processes that hold it now, and /proc/kpagecgroup
 * tells it by the page's frame, which /proc/self/pagemap gives for a page
 * mapped here. So: the file is mapped read-only; mincore(2) says which pages
 * are in memory; each of those (and only those: a page not in memory is never
 * made or read back from swap) is looked up through /proc/self/mem — which
 * maps it in, and where a page has gone meanwhile fails instead of raising
 * SIGBUS — and its frame read from pagemap, its group from kpagecgroup.
 * Needs CAP_SYS_ADMIN (frame numbers are hidden from others). Works a window
 * of 64 MiB at a time: constant memory whatever the size.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { call, pageSize, scratchArea, T } from './ffi.js';
import { MAP_SHARED, mmap, munmap, PROT_READ } from './posix.js';

const WINDOW = 64 << 20;
const PRESENT = 1n << 63n;
const PFN_MASK = (1n << 55n) - 1n;

interface PageCharges {
  /** Pages by the inode of the memory cgroup (its directory) they are charged to. */
  byGroup: Map<number, number>;
  /** Pages in memory that could not be told (gone meanwhile, or no group). */
  untold: number;
}

/** May this process read which group a page is charged to (/proc/kpagecgroup: root)? */
export function chargesReadable(): boolean {
  try {
    closeSync(openSync('/proc/kpagecgroup', 'r'));
    return true;
  } catch {
    return false;
  }
}

/** The charges of the resident pages of `fd` (a regular file of shared memory, `size` bytes); null without the privilege. */
export function pageCharges(fd: number, size: number): PageCharges | null {
  const page = pageSize();
  const out: PageCharges = { byGroup: new Map(), untold: 0 };
  let mem: number | null = null;
  let pagemap: number | null = null;
  let kpage: number | null = null;
  try {
    mem = openSync('/proc/self/mem', 'r');
    pagemap = openSync('/proc/self/pagemap', 'r');
    kpage = openSync('/proc/kpagecgroup', 'r');
  } catch {
    for (const f of [mem, pagemap, kpage]) if (f !== null) closeSync(f);
    return null;
  }
  const one = Buffer.alloc(8);
  try {
    for (let offset = 0; offset < size; offset += WINDOW) {
      const length = Math.min(WINDOW, size - offset);
      const pages = Math.ceil(length / page);
      const address = mmap(0, length, PROT_READ, MAP_SHARED, fd, offset);
      try {
        const vec = scratchArea(pages);
        const r = call('mincore', T.I32, [T.U64, T.U64, T.U64], [address, length, vec.address]);
        if (r.value === -1) continue;
        const resident = Buffer.from(vec.view.subarray(0, pages));
        for (let i = 0; i < pages; i++) {
          if (!(resident[i]! & 1)) continue;
          try {
            readSync(mem, one, 0, 1, address + i * page);
          } catch {
            resident[i] = 0;
            out.untold++;
          }
        }
        const entries = Buffer.alloc(pages * 8);
        readSync(pagemap, entries, 0, entries.length, (address / page) * 8);
        for (let i = 0; i < pages; i++) {
          if (!(resident[i]! & 1)) continue;
          const entry = entries.readBigUInt64LE(i * 8);
          const pfn = entry & PFN_MASK;
          if (!(entry & PRESENT) || pfn === 0n) {
            out.untold++;
            continue;
          }
          if (readSync(kpage, one, 0, 8, Number(pfn) * 8) !== 8) {
            out.untold++;
            continue;
          }
          const group = Number(one.readBigUInt64LE(0));
          if (group === 0) out.untold++;
          else out.byGroup.set(group, (out.byGroup.get(group) ?? 0) + 1);
        }
        // frames read as 0 everywhere: not privileged to see them
        if (out.byGroup.size === 0 && out.untold > 0 && offset === 0 && !hasFrames(entries, resident, pages)) return null;
      } finally {
        munmap(address, length);
      }
    }
  } finally {
    closeSync(mem);
    closeSync(pagemap);
    closeSync(kpage);
  }
  return out;
}

/** Did pagemap give any frame number at all (it gives 0 to those without CAP_SYS_ADMIN)? */
function hasFrames(entries: Buffer, resident: Buffer, pages: number): boolean {
  for (let i = 0; i < pages; i++) if (resident[i]! & 1 && entries.readBigUInt64LE(i * 8) & PFN_MASK) return true;
  return false;
}
