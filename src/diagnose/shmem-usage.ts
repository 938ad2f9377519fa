/**
 * Where meminfo's Shmem goes: every page of shared memory the kernel counts,
 * split by what holds it — System V segments (every IPC namespace we may
 * enter), tmpfs mounts (every mount namespace's, each superblock once),
 * memfds, tmpfs files removed but still held, shared anonymous memory — and
 * what is left, the rest (pages the kernel keeps in shmem for others: GPU
 * buffers, an IPC namespace no process is in, what could not be read).
 * Also the huge page pools (not Shmem) and each control group's shmem.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readMeminfo } from '../kernel/procfs.js';
import { readProcShm } from '../kernel/proc-shm.js';
import { tmpfsMounts } from '../kernel/tmpfs-mounts.js';
import { scanHeldFiles } from '../kernel/shmem-files.js';
import { hiddenProcesses } from '../kernel/processes.js';
import { chargesReadable } from '../kernel/page-charges.js';
import { chargesOf, devShmCharges, ownShmDevice } from './charges.js';
import { deviceText, formatKey, HELD_KINDS, type HeldRecord, type SegmentRecord } from '../model/record.js';
import type { CgroupShmem, MemfdHolder, ShmemBucket, ShmemItem, ShmemUsage } from '../model/shmem-usage.js';
import { unreadableText } from '../model/holder.js';
import { inEachNamespace, ipcNamespaces } from '../ops/namespaces.js';

/** How many of a bucket's members are named. */
const TOP = 5;

const largest = (items: ShmemItem[], n = TOP): ShmemItem[] => items.sort((a, b) => b.bytes - a.bytes).slice(0, n);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

export function shmemUsage(opts: { top?: number; charged?: boolean } = {}): ShmemUsage {
  const top = opts.top ?? TOP;
  // charges are read page by page from /proc/kpagecgroup: root's
  const charged = opts.charged === true && chargesReadable();
  const groups = walkCgroups();
  const meminfo = readMeminfo();
  const notes: string[] = [];
  const { records: held, unreadable } = scanHeldFiles(new Set(HELD_KINDS));
  if (unreadable.length) notes.push(`${unreadableText(unreadable)}: what they hold is in the rest`);
  const hidden = hiddenProcesses();
  if (hidden) notes.push(`${hidden}: what they hold is in the rest`);
  const shmemOnes = held.filter((r) => !r.hugetlb);
  if (held.some((r) => r.hugetlb))
    notes.push('memfds and shared memory on huge pages (hugetlbfs) take from the huge page pools, not Shmem');

  // System V: each IPC namespace's segments, resident pages
  const segments: { r: SegmentRecord; ns: number | null }[] = [];
  const sysvNotes: string[] = [];
  try {
    const { namespaces, unreadable: hidden } = ipcNamespaces();
    const own = namespaces[0]?.inode ?? null;
    const { results, refused } = inEachNamespace(namespaces, (tag) => ({ tag, records: readProcShm() }));
    for (const { tag, records } of results) for (const r of records) segments.push({ r, ns: tag.inode === own ? null : tag.inode });
    if (refused)
      sysvNotes.push(`${refused} IPC namespace${refused === 1 ? '' : 's'} could not be entered (not root): their segments are in the rest`);
    if (hidden) sysvNotes.push(`${hidden} process${hidden === 1 ? "'s" : "es'"} IPC namespace could not be read`);
  } catch {
    for (const r of readProcShm()) segments.push({ r, ns: null });
    sysvNotes.push('other IPC namespaces could not be visited: their segments are in the rest');
  }
  const sysv: ShmemBucket = {
    bucket: 'sysv',
    label: 'System V segments',
    bytes: sum(segments.map((s) => s.r.rss ?? 0)),
    items: largest(
      segments.map(({ r, ns }) => ({
        what: `id ${r.id} (key ${formatKey(r.key)})${ns ? ` in IPC namespace ${ns}` : ''}`,
        bytes: r.rss ?? 0,
        holders: [],
      })),
      top,
    ),
    notes: [...sysvNotes, 'resident pages (/proc/sysvipc/shm); swapped pages are not in Shmem; SHM_HUGETLB segments count huge pages here'],
  };

  let uncharged = false;
  // tmpfs: each superblock once; its removed-but-held files are counted under deleted
  const deletedBytes = new Map<string, number>();
  for (const r of shmemOnes)
    if (r.kind === 'deleted' && r.allocated) deletedBytes.set(deviceText(r.dev), (deletedBytes.get(deviceText(r.dev)) ?? 0) + r.allocated);
  const { mounts } = tmpfsMounts();
  const tmpfsNotes: string[] = [];
  const tmpfsItems: ShmemItem[] = [];
  for (const m of mounts) {
    const where = `${m.point}${m.pid ? ` (mount namespace of pid ${m.pid})` : ''} [${m.fstype} ${m.device}]`;
    if (m.used === null) {
      tmpfsNotes.push(`${where}: ${m.why}`);
      continue;
    }
    const removed = deletedBytes.get(m.device) ?? 0;
    const item: ShmemItem = { what: where, bytes: Math.max(0, m.used - removed), holders: [] };
    // this namespace's /dev/shm: its objects' charges, all of them together
    if (charged && m.device === ownShmDevice()) {
      const groupsOf = devShmCharges(groups.paths);
      if (groupsOf) item.charged = groupsOf;
      else uncharged = true;
    }
    tmpfsItems.push(item);
  }
  const tmpfs: ShmemBucket = {
    bucket: 'tmpfs',
    label: 'tmpfs files',
    bytes: sum(tmpfsItems.map((i) => i.bytes)),
    items: largest(tmpfsItems, top),
    notes: [...tmpfsNotes, 'blocks in use (statfs), files with a name; removed ones still held are under deleted'],
  };

  const heldBucket = (kind: 'memfd' | 'deleted' | 'anon', label: string): ShmemBucket => {
    const ones = shmemOnes.filter((r) => r.kind === kind);
    const unseen = ones.filter((r) => r.allocated === null).length;
    const named = ones.sort((a, b) => (b.allocated ?? 0) - (a.allocated ?? 0)).slice(0, top);
    return {
      bucket: kind,
      label,
      bytes: sum(ones.map((r) => r.allocated ?? 0)),
      items: named.map((r) => {
        const item: ShmemItem = { what: `${r.name} (inode ${r.ino})`, bytes: r.allocated ?? 0, holders: r.holders.map((h) => h.pid) };
        if (charged) {
          const groupsOf = chargesOf(r, groups.paths);
          if (groupsOf) item.charged = groupsOf;
          else uncharged = true;
        }
        return item;
      }),
      notes: unseen ? [`${unseen} only mapped could not be looked at (/proc/PID/map_files needs root): in the rest`] : [],
    };
  };
  const memfd = heldBucket('memfd', 'memfds');
  const deleted = heldBucket('deleted', 'removed files still held');
  const anon = heldBucket('anon', 'shared anonymous memory');
  const shmem = meminfo.get('Shmem') ?? 0;
  const buckets = [sysv, tmpfs, memfd, deleted, anon];
  const rest: ShmemBucket = {
    bucket: 'rest',
    label: 'the rest',
    bytes: shmem - sum(buckets.map((b) => b.bytes)),
    items: [],
    notes: [
      'what the kernel keeps in shmem for others (GPU buffers, an IPC namespace no process is in), what could not be read, and what changed while counting',
    ],
  };
  if (uncharged || (opts.charged && !charged))
    notes.push('which control group pages are charged to needs root (CAP_SYS_ADMIN: page frames) and a holder to open it through');
  return {
    shmem,
    shmemHuge: meminfo.get('ShmemHugePages') ?? 0,
    buckets: [...buckets, rest],
    hugePages: hugePagePools(),
    memfdHolders: memfdHolders(
      held.filter((r) => r.kind === 'memfd'),
      top,
    ),
    cgroups: groups.shmem.sort((a, b) => b.bytes - a.bytes).slice(0, top),
    notes,
  };
}

/** The processes holding the most memfds, and the memory of those memfds. */
function memfdHolders(memfds: HeldRecord[], top: number): MemfdHolder[] {
  const by = new Map<number, MemfdHolder>();
  for (const r of memfds)
    for (const h of r.holders) {
      const e = by.get(h.pid) ?? { pid: h.pid, memfds: 0, bytes: 0 };
      e.memfds++;
      e.bytes += r.allocated ?? 0;
      by.set(h.pid, e);
    }
  return [...by.values()].sort((a, b) => b.memfds - a.memfds || b.bytes - a.bytes).slice(0, top);
}

/** /sys/kernel/mm/hugepages: each pool's pages. */
function hugePagePools(): ShmemUsage['hugePages'] {
  const pools: ShmemUsage['hugePages'] = [];
  let dirs: string[] = [];
  try {
    dirs = readdirSync('/sys/kernel/mm/hugepages');
  } catch {
    return pools;
  }
  const read = (dir: string, file: string): number => {
    try {
      return Number(readFileSync(`/sys/kernel/mm/hugepages/${dir}/${file}`, 'latin1').trim());
    } catch {
      return 0;
    }
  };
  for (const dir of dirs) {
    const kib = Number(/^hugepages-(\d+)kB$/.exec(dir)?.[1] ?? 0);
    if (!kib) continue;
    pools.push({
      size: kib * 1024,
      total: read(dir, 'nr_hugepages'),
      free: read(dir, 'free_hugepages'),
      reserved: read(dir, 'resv_hugepages'),
      surplus: read(dir, 'surplus_hugepages'),
    });
  }
  return pools.sort((a, b) => a.size - b.size);
}

/**
 * Each memory control group's shmem (memory.stat): cgroup v2's counts a group
 * with its children, v1's "shmem" is the group's own; and each group's path by
 * the inode of its directory (what /proc/kpagecgroup names). At most 5,000
 * groups are read.
 */
function walkCgroups(): { shmem: CgroupShmem[]; paths: Map<number, string> } {
  const v2 = exists('/sys/fs/cgroup/cgroup.controllers');
  const base = v2 ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory';
  const shmem: CgroupShmem[] = [];
  const paths = new Map<number, string>();
  const stack = [''];
  let read = 0;
  while (stack.length && read < 5000) {
    const path = stack.pop()!;
    read++;
    try {
      paths.set(statSync(`${base}${path}`).ino, path || '/');
      const m = /^shmem (\d+)$/m.exec(readFileSync(`${base}${path}/memory.stat`, 'latin1'));
      if (m && Number(m[1]) > 0) shmem.push({ path: path || '/', bytes: Number(m[1]) });
      for (const e of readdirSync(`${base}${path}`, { withFileTypes: true })) if (e.isDirectory()) stack.push(`${path}/${e.name}`);
    } catch {
      /* no memory controller there */
    }
  }
  return { shmem, paths };
}

function exists(path: string): boolean {
  try {
    readFileSync(path, 'latin1');
    return true;
  } catch {
    return false;
  }
}
