/**
 * Times as ipcs and lsipc print them, in any zone glibc understands: TZ set to
 * POSIX rule strings and zone names, and TZ unset, where /etc/localtime
 * decides — read from the file itself when it is one fixed offset, from libc
 * otherwise (a "slim" file's empty first block must not pass for UTC).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PYTHON, withNamespace, type Namespace } from '../helpers/ns.js';

/** Every view that shows a time, ours against ipcs's and lsipc's, in one environment. */
function sameTimes(ns: Namespace, env: NodeJS.ProcessEnv): void {
  ns.run([PYTHON, '-c', 'import ctypes; ctypes.CDLL(None).shmget(0x7103, 64, 0o1644)']);
  expect(ns.cli(['ls', '-t'], { env }).out).toBe(ns.run(['ipcs', '-m', '-t'], { env }).out);
  expect(ns.cli(['stat', '0', '--format', 'ipcs'], { env }).out).toBe(ns.run(['ipcs', '-m', '-i', '0'], { env }).out);
  for (const tf of ['short', 'full', 'iso']) {
    const ours = ns.cli(['ls', '--raw', '-o', 'ID,CTIME', '--time-format', tf], { env }).out;
    expect([tf, ours]).toEqual([tf, ns.run(['lsipc', '-m', '--raw', '-o', 'ID,CTIME', '--time-format', tf], { env }).out]);
  }
  ns.run(['ipcrm', '--all=shm']);
}

describe('time zones: what ipcs and lsipc print, for any TZ glibc accepts', () => {
  const zones = [
    'XYZ-5:30', // a POSIX string, no rule
    'EST5EDT,M3.2.0,M11.1.0', // with a rule (standard time in winter)
    'ABC3DEF,J1/0,J365/25', // a rule that is in summer time all year
    'NZST-12NZDT,M9.5.0,M4.1.0/3', // southern hemisphere
    '<+0545>-5:45',
    'Asia/Kolkata',
    ':America/New_York',
    'UTC',
  ];
  test.each(zones)('TZ=%s', (tz) =>
    withNamespace((ns) => {
      sameTimes(ns, { TZ: tz });
    }),
  );
});

describe('time zones with TZ unset: /etc/localtime decides', () => {
  // Bound over /etc/localtime in the test's own mount namespace. The slim file (zic -b slim) is +5:30 since 1990, and
  // its first (32-bit) block, which glibc never reads, says one type at offset 0.
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-zones-'));
    writeFileSync(join(dir, 'zones'), 'Zone Test/Slim 0 - LMT 1990 Jan 1\n\t\t5:30 - IST\nZone Test/Fixed -3:15 - XYZ\n');
    for (const size of ['slim', 'fat']) {
      const r = spawnSync('zic', ['-b', size, '-d', join(dir, size), join(dir, 'zones')], { encoding: 'utf8' });
      expect([size, r.status, r.stderr]).toEqual([size, 0, '']);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const zones = [
    '/usr/share/zoneinfo/Etc/UTC',
    '/usr/share/zoneinfo/Etc/GMT-14', // fixed, read from the file
    '/usr/share/zoneinfo/Asia/Kolkata', // transitions: libc
    'slim/Test/Slim',
    'fat/Test/Slim',
    'slim/Test/Fixed',
    'fat/Test/Fixed',
  ];
  test.each(zones)('/etc/localtime = %s', (zone) =>
    withNamespace(
      (ns) => {
        const file = zone.startsWith('/') ? zone : join(dir, zone);
        expect(ns.run(['mount', '--bind', file, '/etc/localtime']).status).toBe(0);
        sameTimes(ns, { TZ: undefined });
      },
      true,
      { mount: true },
    ),
  );
});

describe('what a start loads: no FFI addon where none is needed', () => {
  // Times of a fixed zone come from /etc/localtime itself, and a segment's fields from /proc/sysvipc/shm; reading a
  // segment's bytes needs libc (the control: it shows the strace below sees the addon when it is loaded).
  test('ls --json, stat ID and holders ID do not load ffi-rs; read ID does', () =>
    withNamespace(
      (ns) => {
        expect(ns.run(['mount', '--bind', '/usr/share/zoneinfo/Etc/UTC', '/etc/localtime']).status).toBe(0);
        ns.run([PYTHON, '-c', 'import ctypes; ctypes.CDLL(None).shmget(0x7105, 64, 0o1644)']);
        const loads = (args: string[]): boolean => {
          const log = ns.run(['mktemp']).out.trim();
          const r = ns.run(['strace', '-f', '-qq', '-e', 'trace=openat', '-e', 'signal=none', '-o', log, BIN, ...args], {
            env: { TZ: undefined },
          });
          expect([args, r.status]).toEqual([args, 0]);
          const opened = ns.run(['cat', log]).out;
          ns.run(['rm', '-f', log]);
          return /ffi-rs/.test(opened);
        };
        expect(
          [
            ['ls', '--json'],
            ['stat', '0'],
            ['holders', '0'],
            ['read', '0', '--length', '1'],
          ].map((args) => [args.join(' '), loads(args)]),
        ).toEqual([
          ['ls --json', false],
          ['stat 0', false],
          ['holders 0', false],
          ['read 0 --length 1', true],
        ]);
        ns.run(['ipcrm', '--all=shm']);
      },
      true,
      { mount: true },
    ));
});
