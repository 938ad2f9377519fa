/**
 * Parsers for what users type: keys, ids, sizes, byte counts, modes, seconds.
 * Each throws a UsageError naming the input and the rule it broke.
 */
import { UsageError } from './errors.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An integer in C notation: decimal, 0x hex, or 0-prefixed octal (as strtoul base 0). */
function parseCInteger(text: string): bigint | null {
  const t = text.trim();
  let m: RegExpMatchArray | null;
  if ((m = /^([+-]?)0x([0-9a-f]+)$/i.exec(t))) return sign(m[1]!) * BigInt('0x' + m[2]);
  if ((m = /^([+-]?)0([0-7]+)$/.exec(t))) return sign(m[1]!) * BigInt('0o' + m[2]);
  if ((m = /^([+-]?)(0|[1-9][0-9]*)$/.exec(t))) return sign(m[1]!) * BigInt(m[2]!);
  return null;
}

function sign(s: string): bigint {
  return s === '-' ? -1n : 1n;
}

/**
 * A System V key: decimal (negative decimals are read as the signed key_t that
 * /proc/sysvipc shows), 0x hex or 0-prefixed octal, within 32 bits.
 * Key 0 is IPC_PRIVATE, which names no segment, so it is refused.
 */
export function parseKey(text: string): number {
  const v = parseCInteger(text);
  if (v === null) throw new UsageError(`invalid key '${text}': use decimal, 0x hex or 0-prefixed octal`);
  if (v < -(2n ** 31n) || v > 0xffffffffn) throw new UsageError(`key '${text}' is out of range: keys are 32-bit`);
  const key = Number(BigInt.asUintN(32, v));
  if (key === 0) throw new UsageError(`key 0 is IPC_PRIVATE and names no segment (to create one, use --private)`);
  return key;
}

/** A segment id: decimal only, as ipcrm -m takes it, 0 … 2^31-1. */
export function parseId(text: string): number {
  const t = text.trim();
  if (!/^\+?[0-9]+$/.test(t)) {
    // a key where an id goes (ipcs prints both): say how to name it by key
    const key = /^(0x[0-9a-f]+|-?[0-9]+)$/i.test(t) ? `; to name a segment by its key: --key ${t}` : '';
    throw new UsageError(`invalid id '${text}': ids are decimal numbers${key}`);
  }
  const v = BigInt(t);
  if (v > 0x7fffffffn) throw new UsageError(`id '${text}' is out of range (at most 2147483647)`);
  return Number(v);
}

const UNITS = 'KMGTPE';

/**
 * A byte count in ipcmk's grammar: an integer (decimal, 0x, 0-octal), or a
 * number with a suffix K M G T P E (1024ⁿ), KiB… (1024ⁿ) or KB… (1000ⁿ), any
 * case; fractions only with a suffix (0.5K = 512), rounded down to whole bytes.
 */
export function parseByteCount(text: string, what = 'size'): number {
  const t = text.trim();
  const m = /^([0-9]+|0x[0-9a-f]+)(?:\.([0-9]*))?(?:([kmgtpe])(i?b)?)?$/i.exec(t);
  if (!m || (m[2] !== undefined && !m[3])) {
    throw new UsageError(
      `invalid ${what} '${text}': use a whole number of bytes, or a number with a suffix K, M, G, T, P, E (KiB = 1024, KB = 1000)`,
    );
  }
  const [, whole, fraction, unit, tail] = m;
  // With a fraction the whole part is decimal ("010.5K"); without, C notation.
  const integer = fraction !== undefined && !/^0x/i.test(whole!) ? BigInt(whole!) : parseCInteger(whole!);
  if (integer === null || (fraction !== undefined && /^0x/i.test(whole!))) {
    throw new UsageError(`invalid ${what} '${text}': not a number`);
  }
  let value: bigint;
  if (!unit) {
    value = integer;
  } else {
    const base = tail && tail.toLowerCase() === 'b' ? 1000n : 1024n;
    const multiplier = base ** BigInt(UNITS.indexOf(unit.toUpperCase()) + 1);
    value = integer * multiplier;
    if (fraction) value += (BigInt(fraction) * multiplier) / 10n ** BigInt(fraction.length);
  }
  if (value > MAX_SAFE) throw new UsageError(`${what} '${text}' is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`);
  return Number(value);
}

/** A segment size: a byte count of at least 1. */
export function parseSize(text: string): number {
  const size = parseByteCount(text, 'size');
  if (size < 1) throw new UsageError(`size must be at least 1 byte`);
  return size;
}

/** The mode an object is created with when none is asked for: its owner's alone. */
export const DEFAULT_MODE = 0o600;

/** Refuse a mode with bits above 0777 (they would reach shmget as flags). */
export function checkMode(mode: number): number {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw new UsageError(`mode ${mode} is not within 0 … 0777`);
  return mode;
}

/**
 * Permission bits in octal, 0 … 0777. Higher bits are refused because shmget
 * reads them as flags (04000 is SHM_HUGETLB, 01000 IPC_CREAT).
 */
export function parseMode(text: string): number {
  const t = text.trim();
  const m = /^(?:0o)?([0-7]+)$/i.exec(t);
  if (!m) throw new UsageError(`invalid mode '${text}': use octal permission bits such as 600 or 0644`);
  const mode = parseInt(m[1]!, 8);
  if (mode > 0o777) {
    throw new UsageError(`mode '${text}' has bits above 0777; only permission bits are allowed (higher bits reach shmget as flags)`);
  }
  return mode;
}

/** A duration in seconds (fractions allowed), at most what a timer can hold. */
export function parseSeconds(text: string): number {
  const t = text.trim();
  if (!/^[0-9]+(\.[0-9]*)?$|^\.[0-9]+$/.test(t)) throw new UsageError(`invalid number of seconds '${text}'`);
  const seconds = Number(t);
  if (!(seconds <= 2147483)) throw new UsageError(`timeout '${text}' is too long (at most 2147483 seconds)`);
  return seconds;
}

/** ftok's project id: 1 … 255, or a single character standing for its code. */
export function parseProj(text: string): number {
  if (text.length === 1 && !/[0-9]/.test(text)) {
    const code = text.charCodeAt(0);
    return code >= 1 && code <= 255 ? code : badProj(text);
  }
  const v = parseCInteger(text);
  if (v === null || v < 1n || v > 255n) return badProj(text);
  return Number(v);
}

function badProj(text: string): never {
  throw new UsageError(`invalid project id '${text}': ftok uses 1 … 255 (or one character)`);
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** An age: 90s, 15m, 2h, 7d, 1w, or parts of them (1h30m); a bare number is seconds. */
export function parseDuration(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^[0-9]+$/.test(t)) return Number(t);
  if (!/^([0-9]+[smhdw])+$/.test(t))
    throw new UsageError(`invalid duration '${text}': use a number with s, m, h, d or w, such as 90s, 2h, 7d, 1h30m`);
  let seconds = 0;
  for (const [, n, unit] of t.matchAll(/([0-9]+)([smhdw])/g)) seconds += Number(n) * UNIT_SECONDS[unit!]!;
  if (!Number.isSafeInteger(seconds)) throw new UsageError(`duration '${text}' is too long`);
  return seconds;
}
