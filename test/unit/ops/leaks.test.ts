/** The pure parts of leak-finding: durations, name patterns, ftok keys, the nattch check, /proc/PID/stat. */
import { UsageError } from '../../../src/model/errors.js';
import { globMatcher } from '../../../src/ops/glob.js';
import { nattchMismatch, unreadableText, type HolderReport } from '../../../src/model/holder.js';
import { parseDuration } from '../../../src/model/parse.js';
import type { SegmentRecord } from '../../../src/model/record.js';
import { decodeKey } from '../../../src/ops/ftok.js';
import { readProcessStat } from '../../../src/kernel/processes.js';
import { segmentRecord } from '../../helpers/records.js';

describe('parseDuration', () => {
  test.each([
    ['90s', 90],
    ['15m', 900],
    ['2h', 7200],
    ['7d', 604800],
    ['1w', 604800],
    ['1h30m', 5400],
    ['2D', 172800],
    ['45', 45],
    ['0s', 0],
  ])('%s is %d seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds));
  test.each(['', 'h', '1.5h', '-1s', '2 h', '1y', '1h 30m', '99999999999999999999d'])('%j is refused', (text) =>
    expect(() => parseDuration(text)).toThrow(UsageError),
  );
});

describe('globMatcher', () => {
  const cases: [string, string, boolean][] = [
    ['job-*', '/job-1', true],
    ['/job-*', '/job-1', true],
    ['job-*', '/jobs', false],
    ['?', '/a', true],
    ['?', '/ab', false],
    ['[ab]*', '/beta', true],
    ['[!ab]*', '/beta', false],
    ['[a-c]x', '/bx', true],
    ['a.b', '/a.b', true],
    ['a.b', '/axb', false],
    ['\\*', '/*', true],
    ['\\*', '/x', false],
    ['(x)+', '/(x)+', true],
    ['[', '/[', true],
    ['*', '/nl\\x0ax', true],
    ['nl\\\\x0a*', '/nl\\x0ax', true],
    // as fnmatch(3): a ] first in a set is itself, so [!] is no set at all; a backwards range matches nothing
    ['[!]', '/a', false],
    ['[!]', '/[!]', true],
    ['[z-a]', '/m', false],
    ['[]]', '/]', true],
    // one character of a UTF-8 name, not one byte
    ['caf?', '/café', true],
  ];
  test.each(cases)('%j against %j: %s', (pattern, name, matches) => expect(globMatcher(pattern)(name)).toBe(matches));
  test('an empty pattern is refused', () => expect(() => globMatcher('/')).toThrow(UsageError));
});

describe('decodeKey', () => {
  test("glibc's formula, taken apart", () =>
    expect(decodeKey(0x4e0c0002)).toEqual({ key: 0x4e0c0002, proj: 0x4e, deviceLow: 0x0c, inodeLow: 0x0002 }));
  test('a high-bit key stays unsigned', () =>
    expect(decodeKey(0xff01abcd | 0)).toEqual({ key: 0xff01abcd, proj: 255, deviceLow: 1, inodeLow: 0xabcd }));
});

describe('nattchMismatch', () => {
  const segment = (nattch: number): SegmentRecord => segmentRecord({ id: 3, key: 1, nattch, size: 1, cpid: 1, lpid: 1 });
  const report = (nattch: number, attachments: number, unreadable: number[] = [], hidden: string | null = null): HolderReport => ({
    record: segment(nattch),
    holders: [],
    unreadable,
    hidden,
    attachments,
  });
  test('agreeing counts say nothing', () => expect(nattchMismatch(report(2, 2))).toBeNull());
  test('a shortfall is explained', () => {
    expect(nattchMismatch(report(3, 1, [1, 7]))).toBe(
      'nattch is 3 but 1 attachment found (2 processes could not be read (pids 1, 7); the others may be in another PID namespace; or attaching or detaching just now)',
    );
    expect(nattchMismatch(report(1, 0))).toMatch(/^nattch is 1 but 0 attachments found \(every process seen was read;/);
    // where processes are hidden, that is the cause given
    expect(nattchMismatch(report(1, 0, [], "/proc is mounted with hidepid=2: other users' processes are not seen"))).toBe(
      "nattch is 1 but 0 attachments found (every process seen was read; /proc is mounted with hidepid=2: other users' processes are not seen; or attaching or detaching just now)",
    );
  });
  test('at most five pids are named', () =>
    expect(unreadableText([1, 2, 3, 4, 5, 6])).toBe('6 processes could not be read (pids 1, 2, 3, 4, 5, …)'));
});

describe('readProcessStat', () => {
  test('this process: its parent, its state, a start time between boot and now', () => {
    const s = readProcessStat(process.pid)!;
    expect(s.ppid).toBe(process.ppid);
    expect(s.state).toBe('R');
    expect(s.start).toBeLessThanOrEqual(Date.now() / 1000);
    expect(s.start).toBeGreaterThan(Date.now() / 1000 - process.uptime() - 5);
  });
  test('a process that is not there', () => expect(readProcessStat(0)).toBeNull());
});
