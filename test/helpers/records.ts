/** Records as the model has them, for unit tests of pure functions: every field zero or empty unless given. */
import type { PosixRecord, SegmentRecord } from '../../src/model/record.js';

export const segmentRecord = (over: Partial<SegmentRecord> = {}): SegmentRecord => ({
  kind: 'sysv',
  key: 0,
  id: 0,
  mode: 0o600,
  size: 4096,
  cpid: 0,
  lpid: 0,
  nattch: 0,
  uid: 0,
  gid: 0,
  cuid: 0,
  cgid: 0,
  atime: 0,
  dtime: 0,
  ctime: 0,
  rss: null,
  swap: null,
  ...over,
});

export const posixRecord = (over: Partial<PosixRecord> = {}): PosixRecord => ({
  kind: 'posix',
  name: '/x',
  size: 0,
  mode: 0o600,
  uid: 0,
  gid: 0,
  atime: 0,
  mtime: 0,
  ctime: 0,
  nlink: 1,
  ino: 1,
  dev: 0x16,
  allocated: 0,
  mappedBy: null,
  unreadable: 0,
  ...over,
});
