/**
 * What differs by kind, asked of the kind: each answer for a segment and an
 * object, so that the code above the back-ends never needs to branch.
 */
import { kindOf } from '../../../src/model/kinds.js';
import type { PosixRecord, SegmentRecord } from '../../../src/model/record.js';

const seg: SegmentRecord = {
  kind: 'sysv',
  key: 0x1234,
  id: 5,
  mode: 0o1600,
  size: 4096,
  cpid: 99,
  lpid: 0,
  nattch: 2,
  uid: 1000,
  gid: 100,
  cuid: 1001,
  cgid: 100,
  atime: 30,
  dtime: 20,
  ctime: 10,
  rss: 4096,
  swap: 0,
};
const obj: PosixRecord = {
  kind: 'posix',
  name: '/frames',
  size: 10,
  mode: 0o640,
  uid: 1000,
  gid: 100,
  atime: 50,
  mtime: 40,
  ctime: 45,
  nlink: 1,
  ino: 77,
  dev: 0x17,
  allocated: 4096,
  mappedBy: [3, 4, 5],
  unreadable: 0,
};

test('a segment and an object answer each question in their own way', () => {
  const ask = (r: SegmentRecord | PosixRecord) => {
    const k = kindOf(r);
    return {
      noun: k.noun,
      holding: k.holding,
      identity: k.identity(r),
      subject: k.subject(r),
      short: k.shortName(r),
      names: k.names(r),
      holdKey: k.holdKey(r),
      kernel: k.kernelAttachCount(r),
      nattch: k.attachCount(r),
      lastUsed: k.lastUsed(r),
      madeBy: k.madeBy(r),
      creator: k.creatorPid(r),
      going: k.going(r),
      status: k.status(r),
      memory: k.memory(r),
      removable: [0, 1000, 1001, 1002].map((uid) => k.removableBy(r, uid)),
    };
  };
  expect(ask(seg)).toEqual({
    noun: 'segment',
    holding: 'attached',
    identity: 'sysv 5',
    subject: 'id 5 (key 0x00001234)',
    short: 'id 5',
    names: { id: 5, key: 0x1234, name: null },
    holdKey: 'SYSV 5',
    kernel: 2,
    nattch: 2,
    lastUsed: 30,
    madeBy: 1001,
    creator: 99,
    going: true,
    status: ['dest'],
    memory: [
      ['resident', 4096],
      ['swapped', 0],
    ],
    removable: [true, true, true, false],
  });
  expect(ask(obj)).toEqual({
    noun: 'object',
    holding: 'mapped',
    identity: 'posix /frames 00:17 77',
    subject: '/frames',
    short: '/frames',
    names: { id: null, key: null, name: '/frames' },
    holdKey: '00:17 77',
    kernel: null,
    nattch: 3,
    lastUsed: 45,
    madeBy: 1000,
    creator: null,
    going: false,
    status: [],
    memory: [['allocated', 4096]],
    removable: [true, true, false, false],
  });
});

test("an object keeps the mappers it was seen with; a segment's count is the kernel's", () => {
  const o = { ...obj, mappedBy: null };
  kindOf(o).noteMappers(o, [8], 2);
  const s = { ...seg };
  kindOf(s).noteMappers(s, [8], 2);
  expect([o.mappedBy, o.unreadable, s]).toEqual([[8], 2, seg]);
});
