/**
 * Who holds a segment or object: the processes that attach it (System V),
 * map it or have it open (POSIX), as `holders` lists them.
 */
import { kindOf } from './kinds.js';
import type { ShmRecord } from './record.js';

/** How a process holds it: attached (a segment), mapped (an object), an open descriptor. */
export type HoldHow = 'attached' | 'mapped' | 'fd';

export interface HolderRecord {
  kind: 'holder';
  pid: number;
  /** The process's (effective) uid; null when it went away meanwhile. */
  uid: number | null;
  how: HoldHow[];
  /** Attachments of a segment by this process (it may attach one twice). */
  attachments: number;
  /** Process start, seconds since the epoch; null when it went away meanwhile. */
  start: number | null;
  /** Its command line (escaped like every name); its [comm] when it has none. */
  command: string | null;
}

export interface HolderReport {
  record: ShmRecord;
  holders: HolderRecord[];
  /** Processes whose /proc entries could not be read: any of them may hold it too. */
  unreadable: number[];
  /** Why processes are missing from /proc altogether (hidepid, another PID namespace), or null: they may hold it too. */
  hidden: string | null;
  /** System V: attachments found in this namespace's processes, to set against nattch. */
  attachments: number;
}

/** Why the holders found do not add up to the kernel's count of attachments, or null when they do (or it keeps none). */
export function nattchMismatch(report: HolderReport): string | null {
  const nattch = kindOf(report.record).kernelAttachCount(report.record);
  if (nattch === null || nattch === report.attachments) return null;
  const found = `${report.attachments} attachment${report.attachments === 1 ? '' : 's'} found`;
  const unreadable = report.unreadable.length ? unreadableText(report.unreadable) : 'every process seen was read';
  const unseen = report.hidden ?? 'the others may be in another PID namespace';
  return `nattch is ${nattch} but ${found} (${unreadable}; ${unseen}; or attaching or detaching just now)`;
}

/** "2 processes could not be read (pids 1, 77)": at most five pids named. */
export function unreadableText(pids: readonly number[]): string {
  const n = pids.length;
  const named = pids.slice(0, 5).join(', ') + (n > 5 ? ', …' : '');
  return `${n} process${n === 1 ? '' : 'es'} could not be read (${n === 1 ? 'pid' : 'pids'} ${named})`;
}
