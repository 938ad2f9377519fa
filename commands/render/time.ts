/** Times as C's ctime(3) prints them, in the local time zone (TZ, by libc's rules), C locale. */
import { localTime } from '../../src/model/clock.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

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
