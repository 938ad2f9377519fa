/**
 * Local time as the C library reckons it, so that times print as ipcs and
 * lsipc print them for any TZ glibc accepts (POSIX rule strings such as
 * "EST5EDT,M3.2.0,M11.1.0" or "XYZ-5:30" included, which JavaScript's Date
 * does not understand and treats as UTC).
 *
 * Installed for the views by useUtcOffsets (model/clock.ts): the CLI does so
 * at start.
 *
 * Where TZ is unset and /etc/localtime is one fixed offset (UTC, as on most
 * servers and containers), that offset is read from the file itself and libc
 * is never asked: loading the FFI addon costs a command ~5 ms of its start.
 * Otherwise one libc call per quarter of an hour of the times asked about: a
 * quarter hour whose two ends have the same offset has it throughout (no zone
 * changes its offset twice within 15 minutes), so listings of thousands of
 * segments cost a handful of calls.
 */
import { localtimeOffset } from './process.js';
import { fixedOffsetOfZoneFile } from './tzif.js';

const QUARTER = 900;
const byQuarter = new Map<number, number | null>();
let fixed: { tz: string | undefined; offset: number | null } | undefined;

/** Seconds east of UTC in force at `seconds` since the epoch. */
export function utcOffset(seconds: number): number {
  const tz = process.env.TZ;
  if (!fixed || fixed.tz !== tz) fixed = { tz, offset: tz === undefined ? fixedOffsetOfZoneFile('/etc/localtime') : null };
  if (fixed.offset !== null) return fixed.offset;
  const q = Math.floor(seconds / QUARTER);
  let known = byQuarter.get(q);
  if (known === undefined) {
    const start = localtimeOffset(q * QUARTER);
    known = localtimeOffset(q * QUARTER + QUARTER - 1) === start ? start : null;
    byQuarter.set(q, known);
  }
  return known ?? localtimeOffset(seconds);
}
