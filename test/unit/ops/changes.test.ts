/**
 * watch's diff is pure: two looks in, events out. Identity (a segment by id,
 * an object by name and device+inode), the events in order, and a segment
 * removed while attached (dest) reported once.
 */
import { changesBetween, indexRecords } from '../../../src/ops/changes.js';
import type { PosixRecord, SegmentRecord, ShmRecord } from '../../../src/model/record.js';
import { posixRecord, segmentRecord } from '../../helpers/records.js';

const seg = (id: number, over: Partial<SegmentRecord> = {}): SegmentRecord =>
  segmentRecord({ key: 0x10 + id, id, cpid: 1, ctime: 100, rss: 0, swap: 0, ...over });
const obj = (name: string, over: Partial<PosixRecord> = {}): PosixRecord => posixRecord({ name, size: 10, ino: 7, mappedBy: [], ...over });
const events = (before: ShmRecord[], after: ShmRecord[]) =>
  changesBetween(indexRecords(before), indexRecords(after)).map((e) => [e.event, e.changes]);

test('created, removed, attached, detached, resized, given away, chmod-ed: each told with what changed', () => {
  expect(events([seg(1), seg(2)], [seg(2, { nattch: 2, size: 8192 }), seg(3)])).toEqual([
    ['remove', {}],
    ['attach', { nattch: [0, 2] }],
    ['resize', { size: [4096, 8192] }],
    ['create', {}],
  ]);
  expect(events([seg(1, { nattch: 2 })], [seg(1, { nattch: 1, uid: 5, mode: 0o644 })])).toEqual([
    ['detach', { nattch: [2, 1] }],
    ['owner', { uid: [0, 5] }],
    ['mode', { mode: [0o600, 0o644] }],
  ]);
});

test('a segment removed while attached is a removal when it goes dest, and nothing more when it goes', () => {
  const dest = seg(1, { nattch: 1, mode: 0o1600, key: 0 });
  expect(events([seg(1, { nattch: 1 })], [dest])).toEqual([['remove', { nattch: [1, 1] }]]);
  expect(events([dest], [])).toEqual([]);
  expect(events([], [dest])).toEqual([]);
});

test('an object is the same one by name and inode: re-made under its name, it is a removal and a creation', () => {
  expect(events([obj('/a')], [obj('/a', { mappedBy: [4, 5] })])).toEqual([['attach', { nattch: [0, 2] }]]);
  expect(events([obj('/a')], [obj('/a', { ino: 8 })])).toEqual([
    ['remove', {}],
    ['create', {}],
  ]);
  // a segment and an object never stand for each other
  expect(events([seg(1)], [obj('/1')])).toEqual([
    ['remove', {}],
    ['create', {}],
  ]);
});
