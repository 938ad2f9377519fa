/**
 * `run --reap`: after a job, remove what it left behind in this namespace.
 *
 * The rule. A System V segment is the job's when it did not exist when the
 * job started, was created by this user (cuid), and its creator was in the
 * job's process tree. The tree is every process seen, while the job ran, to
 * descend from it (/proc is looked at every `POLL_MS`). A creator that lived
 * less than that is never seen: its segment counts as the job's when its pid
 * was never seen at all while the job ran (so it was born and died between two
 * looks, while the job was running) and it is gone now. A POSIX object is the
 * job's when it appeared during the run (a new device and inode in /dev/shm)
 * and is owned by this user. Of those, what is still attached, mapped or open
 * in a process (a daemon the job left running, say) is kept, and said.
 */
import { listPids, readProcessStat } from './kernel/processes.js';
import { readProcShm } from './kernel/procfs.js';
import { creatorJudge, indexHolders } from './holders.js';
import { removeListed, type Kept } from './cleanup.js';
import { isPosix, objectKey, type ShmRecord } from './model/record.js';
import { listPosix } from './posix/object.js';

export const POLL_MS = 20;

export interface Reaped {
  removed: ShmRecord[];
  kept: Kept[];
  /** Removals that failed or were left, with why. */
  failed: Kept[];
}

export class JobWatch {
  readonly #segmentsBefore = new Set<number>();
  readonly #objectsBefore = new Set<string>();
  /** Every pid seen while the job ran, and which of them were the job's. */
  readonly #seen = new Set<number>();
  readonly #tree = new Set<number>();
  readonly #uid: number;

  /** Notes what exists before the job starts. */
  constructor(uid: number) {
    this.#uid = uid;
    for (const r of readProcShm()) this.#segmentsBefore.add(r.id);
    for (const r of listPosix({ usage: false })) this.#objectsBefore.add(objectKey(r));
    for (const pid of listPids()) this.#seen.add(pid);
  }

  /** The job's first process. */
  started(pid: number): void {
    this.#tree.add(pid);
    this.#seen.add(pid);
  }

  /** One look at /proc: new processes whose parent is in the tree join it. */
  poll(): void {
    const fresh = listPids().filter((pid) => !this.#seen.has(pid));
    const parents = new Map<number, number>();
    for (const pid of fresh) {
      this.#seen.add(pid);
      const stat = readProcessStat(pid);
      if (stat) parents.set(pid, stat.ppid);
    }
    // a parent may be newer than its child in pid order: repeat until nothing joins
    for (let joined = true; joined;) {
      joined = false;
      for (const [pid, ppid] of parents) {
        if (this.#tree.has(ppid)) {
          this.#tree.add(pid);
          parents.delete(pid);
          joined = true;
        }
      }
    }
  }

  /** What the job left: found, checked, and (unless `dryRun`) removed. */
  async reap(opts: { dryRun?: boolean } = {}): Promise<Reaped> {
    const creator = creatorJudge();
    const segments = readProcShm().filter(
      (r) =>
        !this.#segmentsBefore.has(r.id) &&
        r.cuid === this.#uid &&
        (this.#tree.has(r.cpid) || (!this.#seen.has(r.cpid) && creator(r) === 'dead')),
    );
    const objects = listPosix({ usage: false }).filter((r) => !this.#objectsBefore.has(objectKey(r)) && r.uid === this.#uid);
    const candidates: ShmRecord[] = [...segments, ...objects];
    const holders = indexHolders(candidates, { fds: true });
    const out: Reaped = { removed: [], kept: [], failed: [] };
    for (const r of candidates) {
      const holds = holders.of(r);
      if ((!isPosix(r) && r.nattch > 0) || holds.length) {
        const by = holds.length ? ` by pid${holds.length === 1 ? '' : 's'} ${holds.map((h) => h.pid).join(', ')}` : '';
        out.kept.push({ record: r, reason: `still ${isPosix(r) ? 'mapped or open' : 'attached'}${by}` });
        continue;
      }
      if (opts.dryRun) {
        out.removed.push(r);
        continue;
      }
      try {
        const { left } = await removeListed(r);
        if (left) out.failed.push({ record: r, reason: left });
        else out.removed.push(r);
      } catch (e) {
        out.failed.push({ record: r, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    return out;
  }
}
