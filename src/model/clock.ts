/**
 * Local time for the views, from a source of UTC offsets. The CLI (and any
 * caller that wants ipcs's times) installs the C library's (src/kernel/zone.ts);
 * until then JavaScript's own idea of the zone is used.
 */

/** Seconds east of UTC in force at `seconds` since the epoch. */
type OffsetSource = (seconds: number) => number;

let source: OffsetSource = (seconds) => -new Date(seconds * 1000).getTimezoneOffset() * 60;

/** Use this source of UTC offsets from now on. */
export function useUtcOffsets(next: OffsetSource): void {
  source = next;
}

interface LocalTime {
  year: number;
  /** 0-11 */
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
  /** 0 = Sunday */
  weekday: number;
  /** seconds east of UTC */
  offset: number;
}

/** The broken-down local time of `seconds` since the epoch. */
export function localTime(seconds: number): LocalTime {
  const offset = source(seconds);
  const d = new Date((seconds + offset) * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
    offset,
  };
}
