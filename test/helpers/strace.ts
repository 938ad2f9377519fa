/**
 * Reading strace(1) logs (`strace -f -qq -s 0 -o LOG`): which system calls a
 * command made, on which thread. The tests use it to see which way the bytes
 * went, not only that they arrived.
 */
import { BIN, type Namespace, type RunResult } from './ns.js';

/** strace options for a log of these calls, strings cut (no payload in the log), signals left out. */
export const straceTo = (log: string, calls: string[]): string[] => [
  'strace',
  '-f',
  '-qq',
  '-s',
  '0',
  '-e',
  `trace=${calls.join(',')}`,
  '-e',
  'signal=none',
  '-o',
  log,
];

/** Run shmctl-ts (as `as`, e.g. NOBODY) under strace; its result and the calls, one per line: "PID call(args) = result". */
export function traced(ns: Namespace, calls: string[], args: string[], as: string[] = []): { result: RunResult; log: string } {
  const file = ns.run(['mktemp']).out.trim();
  const result = ns.run([...straceTo(file, calls), ...as, BIN, ...args]);
  const log = joined(ns.run(['cat', file]).out);
  ns.run(['rm', '-f', file]);
  return { result, log };
}

/** A call that another thread's interrupted ("<unfinished ...>" … "<... name resumed>") made whole again, spaces evened. */
export function joined(raw: string): string {
  const pending = new Map<string, string>();
  const lines: string[] = [];
  for (const line of raw.split('\n')) {
    const cut = /^(\d+) +(.*) <unfinished \.\.\.>$/.exec(line);
    if (cut) {
      pending.set(cut[1]!, cut[2]!);
      continue;
    }
    const resumed = /^(\d+) +<\.\.\. \w+ resumed>(.*)$/.exec(line);
    if (resumed && pending.has(resumed[1]!)) {
      lines.push(`${resumed[1]} ${pending.get(resumed[1]!)}${resumed[2]}`);
      pending.delete(resumed[1]!);
      continue;
    }
    lines.push(line);
  }
  return lines.join('\n').replace(/\) +=/g, ') =');
}

/** The calls that match, as their regexp matches (group 1 is always the thread's pid). */
export function callsOf(log: string, call: string, args: string, result = '\\S+'): RegExpExecArray[] {
  return [...log.matchAll(new RegExp(`^(\\d+) +${call}\\(${args}\\) = (${result})`, 'gm'))];
}

/**
 * The calls of a write of `length` bytes of a file at `offset` made on two
 * threads (copyFileInParallel): from the start sendfile()d on the main
 * thread; past the first 4 MiB (from a page boundary) mapped once, pieces of
 * it made and filled by pread on other threads, unmapped there; the two
 * parts adding up to the whole. Returns a list of what is missing (empty:
 * all there).
 */
export function parallelCopyMissing(log: string, offset: number, length: number, step: number): string[] {
  const region = Math.floor((offset + Math.min(length, 4 << 20)) / 4096) * 4096 - offset;
  const tail = length - region;
  const missing: string[] = [];
  const map = callsOf(
    log,
    'mmap',
    `NULL, ${tail}, PROT_READ\\|PROT_WRITE, MAP_SHARED, (\\d+), 0x${(offset + region).toString(16)}`,
    '0x[0-9a-f]+',
  );
  if (map.length !== 1) return [`one mmap of the ${tail} bytes past the first turn, at ${offset + region}`];
  const [, main, out, address] = map[0]!;
  const sent = callsOf(log, 'sendfile', `${out}, \\d+, NULL, (\\d+)`, '\\d+').filter((c) => c[1] === main);
  if (!sent.some((c) => Number(c[2]) === Math.min(step, 4 << 20))) missing.push(`sendfile into fd ${out} on the main thread`);
  const populate = callsOf(log, 'madvise', `0x[0-9a-f]+, \\d+, MADV_POPULATE_WRITE`, '0');
  if (populate.length === 0 || populate.some((c) => c[1] === main)) missing.push('MADV_POPULATE_WRITE of pieces on other threads');
  // node reads files with pread too: the pieces' are those at the input's offsets past the first turn (the input read from 0)
  const filled = callsOf(log, 'pread64', `\\d+, ""\\.\\.\\., \\d+, (\\d+)`, '\\d+').filter((c) => Number(c[2]) >= region);
  if (filled.length === 0 || filled.some((c) => c[1] === main)) missing.push('pread of pieces on other threads');
  const total = sent.reduce((n, c) => n + Number(c[3]), 0) + filled.reduce((n, c) => n + Number(c[3]), 0);
  if (total !== length) missing.push(`the two parts adding up to ${length} bytes (${total})`);
  const unmapped = callsOf(log, 'munmap', `${address}, ${tail}`, '0');
  if (unmapped.length !== 1 || unmapped[0]![1] === main) missing.push('munmap of the mapping on another thread');
  return missing;
}
