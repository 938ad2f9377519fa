/**
 * select is pure given its holders: every criterion must hold; keys and ids
 * pick segments only, a name pattern objects only; a segment's attachment is
 * the kernel's count, an object's what /proc showed (the index given here).
 */
import { select, type Selection } from '../../../src/ops/select.js';
import type { HolderIndex } from '../../../src/ops/holders.js';
import type { PosixRecord, SegmentRecord, ShmRecord } from '../../../src/model/record.js';
import { posixRecord, segmentRecord } from '../../helpers/records.js';

const seg = (id: number, over: Partial<SegmentRecord> = {}): SegmentRecord =>
  segmentRecord({ key: 0x10 + id, id, ctime: 1000, rss: 0, swap: 0, ...over });
const obj = (name: string, over: Partial<PosixRecord> = {}): PosixRecord =>
  posixRecord({ name, size: 10, ctime: 1000, ino: name.length, ...over });
const records: ShmRecord[] = [seg(1), seg(2, { nattch: 1, uid: 7, cuid: 8 }), obj('/cache.a', { uid: 7 }), obj('/held')];
// /proc as given: /held is mapped by pid 42
const holders: HolderIndex = {
  of: (r) => (r.kind === 'posix' && r.name === '/held' ? [{ pid: 42, attachments: 0, mapped: true, fd: false }] : []),
  unreadable: [],
  hidden: null,
};
const picked = (s: Selection): string[] =>
  select(records, s, { holders, now: 2000 }).map((r) => (r.kind === 'sysv' ? `id ${r.id}` : r.name));

test('keys and ids pick segments, a name pattern objects; together, nothing', () => {
  expect(picked({ keys: [0x12] })).toEqual(['id 2']);
  expect(picked({ ids: [1, 2] })).toEqual(['id 1', 'id 2']);
  expect(picked({ name: 'cache.*' })).toEqual(['/cache.a']);
  expect(picked({ name: '/cache.*', ids: [1] })).toEqual([]);
});

test("owner is the owner; creator a segment's creator, an object's owner (it records none)", () => {
  expect(picked({ owner: 7 })).toEqual(['id 2', '/cache.a']);
  expect(picked({ creator: 8 })).toEqual(['id 2']);
  expect(picked({ creator: 7 })).toEqual(['/cache.a']);
});

test("unattached: a segment by the kernel's nattch, an object by the holders /proc showed", () => {
  expect(picked({ unattached: true })).toEqual(['id 1', '/cache.a']);
  expect(picked({ unattached: true, olderThan: 1000 })).toEqual(['id 1', '/cache.a']);
  expect(picked({ unattached: true, olderThan: 1001 })).toEqual([]);
});
