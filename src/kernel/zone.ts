/**
 * Local time as the C library reckons it, so that times print as ipcs and
 * lsipc print them for any TZ glibc accepts (POSIX rule strings such as
 * "EST5EDT,M3.2.0,M11.1.0" or "XYZ-5:30" included, which JavaScript's Date
 * does not understand and treats as UTC).
 *
 * Installed for the views by useUtcOffsets (model/clock.ts): the CLI does so
 * at start.
 *
 * One libc call per quarter of an hour of the times asked about: a quarter
 * hour whose two ends have the same offset has it throughout (no zone changes
 * its offset twice within 15 minutes), so listings of thousands of segments
 * cost a handful of calls.
 */
import { localtimeOffset } from './process.js';

const QUARTER = 900;
const byQuarter = new Map<number, number | null>();

/** Seconds east of UTC in force at `seconds` since the epoch. */
export function utcOffset(seconds: number): number {
  const q = Math.floor(seconds / QUARTER);
  let known = byQuarter.get(q);
  if (known === undefined) {
    const start = localtimeOffset(q * QUARTER);
    known = localtimeOffset(q * QUARTER + QUARTER - 1) === start ? start : null;
    byQuarter.set(q, known);
  }
  return known ?? localtimeOffset(seconds);
}
