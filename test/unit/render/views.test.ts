/**
 * The renderers on their own: fixed records, fixed names, UTC offsets fixed
 * at +05:30 — no kernel, no root, no namespace. What they must print is
 * util-linux's layout (docs and the e2e parity tests hold them to the real
 * ipcs and lsipc); here the cases that matter are pinned.
 */
import { useUtcOffsets } from '../../../src/model/clock.js';
import type { PosixRecord, SegmentRecord } from '../../../src/model/record.js';
import type { NameLookup } from '../../../src/model/usage.js';
import { selectColumns, type ColumnContext } from '../../../commands/render/columns.js';
import { formatTime } from '../../../commands/render/time.js';
import { detailLines, posixDetailLines } from '../../../commands/render/detail.js';
import { humanSize } from '../../../commands/render/human.js';
import { renderIpcsDetail, renderIpcsList } from '../../../commands/render/ipcs.js';
import { jsonObjects, jsonText, renderLsipc } from '../../../commands/render/lsipc.js';
import { ctime } from '../../../commands/render/time.js';
import { segmentRecord } from '../../helpers/records.js';

const names: NameLookup = {
  user: (uid) => ({ 0: 'root', 1000: 'averyverylongname' })[uid] ?? null,
  group: (gid) => ({ 0: 'root' })[gid] ?? null,
  command: (pid) => (pid === 42 ? 'python3 caf\\xc3\\xa9 \\x1b[2J x\\y' : null),
};

const T = 1795419049; // Mon Nov 23 2026 07:30:49 UTC
const segment = (over: Partial<SegmentRecord>): SegmentRecord =>
  segmentRecord({ key: 0x1234, id: 7, mode: 0o644, cpid: 42, ctime: T, ...over });
const object: PosixRecord = {
  kind: 'posix',
  name: '/frames\\x1b]0;x\\x07',
  size: 1 << 20,
  mode: 0o640,
  uid: 1000,
  gid: 0,
  atime: T,
  mtime: T,
  ctime: T,
  nlink: 1,
  ino: 5,
  dev: 0x2d,
  allocated: 8192,
  mappedBy: [42],
  unreadable: 0,
};
const records = [segment({}), segment({ key: 0, id: 8, mode: 0o1600, size: 100000, nattch: 1, uid: 4242, cpid: 9 })];
const ctx = (over: Partial<ColumnContext> = {}): ColumnContext => ({
  names,
  bytes: false,
  numericPerms: false,
  time: 'short',
  now: T,
  ...over,
});

beforeAll(() => useUtcOffsets(() => 5.5 * 3600));
afterAll(() => useUtcOffsets((t) => -new Date(t * 1000).getTimezoneOffset() * 60));

test('ipcs -m: the header, the rows, names cut to 10, unknown uids as numbers, dest', () => {
  expect(renderIpcsList('default', records, { names, unit: 'default' }).toString()).toBe(
    '\n------ Shared Memory Segments --------\n' +
      'key        shmid      owner      perms      bytes      nattch     status      \n' +
      '0x00001234 7          root       644        4096       0                       \n' +
      '0x00000000 8          4242       600        100000     1          dest         \n' +
      '\n',
  );
});

test('times are local by the installed offsets: ctime, ipcs -i, lsipc short/full/iso', () => {
  expect(ctime(T)).toBe('Mon Nov 23 13:00:49 2026');
  expect(renderIpcsDetail(records[0]!)).toContain('change_time=Mon Nov 23 13:00:49 2026  \n');
  expect(formatTime(T, 'iso', T)).toBe('2026-11-23T13:00:49+05:30');
  expect(formatTime(T, 'short', T)).toBe('13:00');
  expect(formatTime(T - 86400, 'short', T)).toBe('Nov22');
  expect(formatTime(T - 400 * 86400, 'short', T)).toBe('2025-Oct19');
  expect(formatTime(T, 'full', T)).toBe('Mon Nov 23 13:00:49 2026');
});

test('lsipc formats: raw and export escape bytes as util-linux does; JSON keeps text and types', () => {
  const columns = selectColumns('KEY,ID,OWNER,SIZE,STATUS,COMMAND');
  const raw = renderLsipc(records, columns, { format: 'raw', noheadings: false, ctx: ctx() });
  expect(raw).toBe(
    'KEY ID OWNER SIZE STATUS COMMAND\n' +
      '0x00001234 7 root 4K  python3\\x20caf\\xc3\\xa9\\x20\\x1b[2J\\x20x\\x5cy\n' +
      '0x00000000 8 4242 97.7K dest \n',
  );
  const exported = renderLsipc(records.slice(0, 1), selectColumns('KEY,COMMAND'), { format: 'export', noheadings: false, ctx: ctx() });
  expect(exported).toBe('KEY="0x00001234" COMMAND="python3 caf\\xc3\\xa9 \\x1b[2J x\\x5cy"\n');
  const json = JSON.parse(renderLsipc(records, columns, { format: 'json', noheadings: false, ctx: ctx({ time: 'iso' }) }));
  expect(json.sharedmemory[1]).toEqual({ key: '0x00000000', id: 8, owner: '4242', size: 100000, status: ['dest'], command: null });
  expect(json.sharedmemory[0].command).toBe('python3 café \u001b[2J x\\y');
});

test('the LOCK column shows what the context says, and nothing without one', () => {
  const columns = selectColumns('ID,LOCK');
  expect(renderLsipc(records, columns, { format: 'raw', noheadings: true, ctx: ctx() })).toBe('7 \n8 \n');
  const lock = (r: { kind: string }): 'shared' | 'untrusted' => (r.kind === 'sysv' ? 'untrusted' : 'shared');
  expect(renderLsipc(records, columns, { format: 'raw', noheadings: true, ctx: ctx({ lock }) })).toBe('7 untrusted\n8 untrusted\n');
});

test('POSIX objects: escaped names, mapping processes by command, their lock', () => {
  const lines = Object.fromEntries(posixDetailLines(object, names, { state: 'shared', holders: 2, waiters: 1 }));
  expect(lines).toMatchObject({
    name: '/frames\\x1b]0;x\\x07',
    size: '1048576 bytes (1M)',
    perms: '0640 (rw-r-----)',
    owner: 'averyverylongname (uid 1000)',
    'mapped by': '42 (python3 caf\\xc3\\xa9 \\x1b[2J x\\y)',
    lock: 'shared (2 holders), 1 waiting',
  });
  expect(Object.values(lines).join('')).not.toMatch(/[\x00-\x1f]/);
});

test('the detail view names unknown users and groups', () => {
  const lines = Object.fromEntries(detailLines(records[1]!, names));
  expect(lines).toMatchObject({ owner: '4242 (no such user)', status: 'dest', key: '0x00000000 (IPC_PRIVATE)' });
});

test('human sizes as util-linux rounds them', () => {
  expect([1, 1024, 1536, 100000, 1048575, 1610612736].map(humanSize)).toEqual(['1B', '1K', '1.5K', '97.7K', '1024K', '1.5G']);
});

test('JSON is written row by row, and is exactly what JSON.stringify(…, null, 2) makes of the same values', () => {
  const all = selectColumns('all');
  for (const rows of [[], records, [...records, object]] as (SegmentRecord | PosixRecord)[][]) {
    const c = ctx({ time: 'iso', lock: () => 'free', holders: () => 3 });
    const expected = JSON.stringify({ sharedmemory: jsonObjects(rows, all, c) }, null, 2);
    expect(jsonText('sharedmemory', rows, all, c)).toBe(expected);
    expect(renderLsipc(rows, all, { format: 'json', noheadings: false, ctx: c })).toBe(`${expected}\n`.replace(/\x1b/g, '\\u001b'));
  }
});
