/** Times as C's ctime(3) prints them, in the local time zone (TZ, by libc's rules), C locale. */
import { localTime } from '../../src/model/clock.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Two digits, zero-padded. */
export const two = (n: number): string => String(n).padStart(2, '0');

/** ctime(3) without its newline: "Mon Nov 23 06:21:11 2026" (24 characters). */
export function ctime(seconds: number): string {
  const t = localTime(seconds);
  return (
    `${DAYS[t.weekday]} ${MONTHS[t.month]} ${String(t.day).padStart(2, ' ')} ` +
    `${two(t.hours)}:${two(t.minutes)}:${two(t.seconds)} ${t.year}`
  );
}

export type TimeFormat = 'short' | 'full' | 'iso';

/** util-linux's time formats: short (today HH:MM, this year MonDD, else YYYY-MonDD), full (ctime), iso. */
export function formatTime(seconds: number, format: TimeFormat, now: number): string {
  if (format === 'full') return ctime(seconds);
  const d = localTime(seconds);
  if (format === 'iso') {
    // util-linux prints the offset in whole minutes
    const minutes = Math.trunc(d.offset / 60);
    const sign = minutes < 0 ? '-' : '+';
    const abs = Math.abs(minutes);
    return (
      `${d.year}-${two(d.month + 1)}-${two(d.day)}T` +
      `${two(d.hours)}:${two(d.minutes)}:${two(d.seconds)}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
    );
  }
  const n = localTime(now);
  if (d.year === n.year) {
    if (d.month === n.month && d.day === n.day) return `${two(d.hours)}:${two(d.minutes)}`;
    return `${MONTHS[d.month]}${two(d.day)}`;
  }
  return `${d.year}-${MONTHS[d.month]}${two(d.day)}`;
}
