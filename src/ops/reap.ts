/**
 * `run --reap`: after a job, remove what it left behind in this namespace.
 *
 * The rule: only what the job's own processes made. The job's processes are
 * its first one and every process seen, while it ran, whose parent was one of
 * them (/proc is looked at every `POLL_MS`), each known by its pid *and* its
 * start time, so that a pid freed by the job and taken by another process
 * never makes that process the job's. A new segment is judged at the first
 * look that finds it, by its creator (cpid): the job's when that process is
 * one of the job's; when the creator has exited by then, by the process last
 * seen at that pid; a creator never seen at all (it lived less than a look,
 * while the job ran) counts as the job's — the one case a concurrent process
 * of the same user could be taken for the job's (`--isolate` has none). A POSIX
 * object is judged the same way by the pid fanotify reports for the name's
 * creation (root only); where no maker is known, it is kept and said, unless
 * `anyCreator`. Of what is the job's, what is held (attached, mapped, open,
 * locked, or possibly by processes that cannot be seen) is kept, as gc keeps
 * it, and the rest removed behind gc's fences (cleanup.ts).
 */
import { lstatSync } from 'node:fs';
import { hasCapability, listPids, readProcessStat } from '../kernel/processes.js';
import { readProcShm } from '../kernel/proc-shm.js';
import { CreationWatch } from '../kernel/fanotify.js';
import { keptBecause, removeAllListed, type Kept } from './cleanup.js';
import { objectKey, type ShmRecord } from '../model/record.js';
import { listPosix } from '../posix/object.js';
import { shmDir } from '../posix/name.js';

export const POLL_MS = 20;

interface Reaped {
  removed: ShmRecord[];
  kept: Kept[];
  /** Removals that failed or were left, with why. */
  failed: Kept[];
}

/** The job's (true), or why not or why it cannot be told. */
type Verdict = true | string;

export class JobWatch {
  readonly #segmentsBefore = new Set<number>();
  readonly #objectsBefore = new Set<string>();
  /** The start time of the process last seen at each pid. */
  readonly #known = new Map<number, number>();
  /** The pids of the last look. */
  #present = new Set<number>();
  /** The job's processes, as "pid start", and those of them alive at the last look. */
  readonly #tree = new Set<string>();
  readonly #live = new Map<number, number>();
  readonly #segments = new Map<number, Verdict>();
  readonly #objects = new Map<string, Verdict>();
  readonly #creations: CreationWatch | null;
  readonly #noCreators: string | null;
  /** The kernel's queue of creations overflowed: some makers were not told. */
  #lost = false;
  readonly #uid: number;

  /** Notes what exists before the job starts. */
  constructor(uid: number) {
    this.#uid = uid;
    // first the watch, then the list: an object made between the two is both new and reported. Without
    // CAP_SYS_ADMIN fanotify tells no pid but the reader's own: no use here.
    const watch = hasCapability(21) ? CreationWatch.open(shmDir()) : 'fanotify tells who made a file only to root';
    this.#creations = typeof watch === 'string' ? null : watch;
    this.#noCreators = typeof watch === 'string' ? `who made it cannot be known here (${watch})` : null;
    for (const r of readProcShm()) this.#segmentsBefore.add(r.id);
    for (const r of listPosix({ usage: false })) this.#objectsBefore.add(objectKey(r));
    this.#look();
  }

  /** The job's first process. */
  started(pid: number): void {
    const stat = readProcessStat(pid);
    if (!stat) return;
    this.#known.set(pid, stat.start);
    this.#tree.add(`${pid} ${stat.start}`);
    this.#live.set(pid, stat.start);
  }

  /** One look: new processes whose parent is the job's join it; new segments and objects are judged. */
  poll(): void {
    this.#look();
    for (const r of readProcShm()) {
      if (this.#segmentsBefore.has(r.id) || this.#segments.has(r.id) || r.cuid !== this.#uid) continue;
      this.#segments.set(r.id, this.#judge(r.cpid, r.ctime));
    }
    if (this.#creations) {
      const { made, lost } = this.#creations.read();
      for (const c of made) {
        let key: string;
        try {
          key = objectKey(lstatSync(Buffer.concat([Buffer.from(`${shmDir()}/`), c.name])));
        } catch {
          continue; // gone already
        }
        this.#objects.set(key, c.pid > 0 ? this.#judge(c.pid, null) : 'made by a process outside this PID namespace');
      }
      if (lost) this.#lost = true;
    }
  }

  /** Processes: the job's gone or replaced, the new ones placed. */
  #look(): void {
    const pids = listPids();
    const present = new Set(pids);
    for (const [pid, start] of this.#live) {
      const now = present.has(pid) ? readProcessStat(pid) : null;
      if (!now || now.start !== start) this.#live.delete(pid);
    }
    // a pid not there at the last look is a new process (even at a pid seen before)
    const parents = new Map<number, number>();
    for (const pid of pids) {
      if (this.#present.has(pid) && this.#known.has(pid)) continue;
      const stat = readProcessStat(pid);
      if (!stat) continue;
      this.#known.set(pid, stat.start);
      parents.set(pid, stat.ppid);
    }
    this.#present = present;
    // a parent may be newer than its child in pid order: repeat until nothing joins
    for (let joined = true; joined;) {
      joined = false;
      for (const [pid, ppid] of parents) {
        if (!this.#live.has(ppid)) continue;
        const start = this.#known.get(pid)!;
        this.#tree.add(`${pid} ${start}`);
        this.#live.set(pid, start);
        parents.delete(pid);
        joined = true;
      }
    }
  }

  /** Was the process that made something (`ctime`: when, for a segment) one of the job's? */
  #judge(pid: number, ctime: number | null): Verdict {
    const stat = readProcessStat(pid);
    // alive, and not started after it was made: the maker itself (placed now if it is newer than the last look)
    if (stat && (ctime === null || stat.start <= ctime + 1)) {
      if (this.#known.get(pid) !== stat.start) this.#look();
      return this.#tree.has(`${pid} ${stat.start}`) || `made by pid ${pid}, which is not one of the job's processes`;
    }
    const last = this.#known.get(pid);
    if (last === undefined) return true; // lived less than a look, while the job ran
    return this.#tree.has(`${pid} ${last}`) || `made by pid ${pid}, which was not one of the job's processes`;
  }

  /** What the job left: found, checked, and (unless `dryRun`) removed. */
  async reap(opts: { dryRun?: boolean; anyCreator?: boolean; ignoreUnreadable?: boolean } = {}): Promise<Reaped> {
    this.poll();
    this.#creations?.close();
    const out: Reaped = { removed: [], kept: [], failed: [] };
    const candidates: ShmRecord[] = [];
    const unknown = this.#noCreators ?? (this.#lost ? LOST : NOT_REPORTED);
    const consider = (r: ShmRecord, verdict: Verdict | null): void => {
      if (verdict === true || (verdict === null && opts.anyCreator)) candidates.push(r);
      else out.kept.push({ record: r, reason: verdict ?? `${unknown}: --any-creator to remove it anyway` });
    };
    for (const r of readProcShm()) {
      const verdict = this.#segments.get(r.id);
      if (verdict !== undefined) consider(r, verdict);
    }
    for (const r of listPosix({ usage: false })) {
      const key = objectKey(r);
      if (!this.#objectsBefore.has(key) && r.uid === this.#uid) consider(r, this.#objects.get(key) ?? null);
    }
    const why = keptBecause(candidates, { ignoreUnreadable: opts.ignoreUnreadable === true });
    const removable: ShmRecord[] = [];
    for (const r of candidates) {
      const reason = why(r);
      if (reason) out.kept.push({ record: r, reason });
      else removable.push(r);
    }
    if (opts.dryRun) return { ...out, removed: removable };
    for (const [r, { left, error }] of await removeAllListed(removable)) {
      if (error !== undefined) out.failed.push({ record: r, reason: error instanceof Error ? error.message : String(error) });
      else if (left) out.failed.push({ record: r, reason: left });
      else out.removed.push(r);
    }
    return out;
  }
}

const LOST = 'who made it is not known (fanotify lost some of what it had to tell)';
const NOT_REPORTED = 'who made it is not known (no creation of it was reported)';
