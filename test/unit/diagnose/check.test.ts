/**
 * checkRequest is pure: a request judged against an environment given whole.
 * Each limit in the order the kernel meets it, its verdict at the edge, and
 * the exact fix (the end-to-end tests judge the real machine).
 */
import { checkRequest, firstBlocker } from '../../../src/diagnose/check.js';
import type { Environment, ShmRequest } from '../../../src/model/environment.js';

const MiB = 2 ** 20;
const env = (over: Partial<Environment> = {}): Environment => ({
  pageSize: 4096,
  shmmax: 8192n,
  shmall: 10n,
  shmmni: 2n,
  segments: 1,
  pagesUsed: 2n,
  devShm: { path: '/dev/shm', size: MiB, free: MiB / 2 },
  container: null,
  containerEvidence: null,
  cgroup: null,
  memlock: { soft: 65536, hard: 65536, capIpcLock: false },
  hugepages: { total: 0, free: 0, size: 2 * MiB, shmGroup: 0 },
  removeIpc: { enabled: false, source: 'default', affectsUser: false },
  memAvailable: null,
  commit: { mode: 0, ram: 1024 * MiB, swap: 0, limit: 512 * MiB, committed: 0, adminReserve: 0, userReserve: 0, capSysAdmin: true },
  uid: 1000,
  ...over,
});
const req = (over: Partial<ShmRequest> = {}): ShmRequest => ({
  size: 4096,
  count: 1,
  hugetlb: false,
  posix: false,
  lockMemory: false,
  ...over,
});
const verdicts = (e: Environment, r: ShmRequest): [string, boolean][] => checkRequest(e, r).map((f) => [f.limit, f.blocks]);

test('a segment meets shmmax, shmall, the commit accounting and shmmni, in that order', () => {
  expect(verdicts(env(), req())).toEqual([
    ['shmmax', false],
    ['shmall', false],
    ['commit', false],
    ['shmmni', false],
  ]);
  expect(firstBlocker(checkRequest(env(), req()))).toBeNull();
});

test('each limit stops a request one past it, and says the fix with the value that lets it through', () => {
  const shmmax = checkRequest(env(), req({ size: 8193 }))[0]!;
  expect([shmmax.blocks, shmmax.fix[0]]).toEqual([true, 'sysctl -w kernel.shmmax=8193']);
  expect(checkRequest(env(), req({ size: 8192 }))[0]!.blocks).toBe(false);
  // 2 pages in use + 8 (two segments of 4 pages) = 10: at the limit; 3 segments = 14 pages: past it
  const shmall = (count: number) => checkRequest(env({ shmmni: 100n }), req({ size: 16384, count })).find((f) => f.limit === 'shmall')!;
  expect([shmall(2).blocks, shmall(3).blocks, shmall(3).fix[0]]).toEqual([false, true, 'sysctl -w kernel.shmall=14']);
  const shmmni = checkRequest(env(), req({ count: 2 })).find((f) => f.limit === 'shmmni')!;
  expect([shmmni.blocks, shmmni.fix[0]]).toEqual([true, 'sysctl -w kernel.shmmni=3']);
  expect(firstBlocker(checkRequest(env(), req({ size: 8193, count: 2 })))!.limit).toBe('shmmax');
});

test('the commit accounting: larger than RAM + swap in mode 0, never in mode 1, SHM_NORESERVE not charged', () => {
  const big = env({ shmmax: 2n ** 62n, shmall: 2n ** 62n });
  const commit = (e: Environment, r: ShmRequest) => checkRequest(e, r).find((f) => f.limit === 'commit')!.blocks;
  expect(commit(big, req({ size: 1024 * MiB }))).toBe(false);
  expect(commit(big, req({ size: 1024 * MiB + 1 }))).toBe(true);
  expect(commit(big, req({ size: 1024 * MiB + 1, noreserve: true }))).toBe(false);
  expect(commit(env({ ...big, commit: { ...big.commit, mode: 1 } }), req({ size: 2 ** 50 }))).toBe(false);
  // mode 2: CommitLimit less what is committed, SHM_NORESERVE not honoured
  const strict = env({ ...big, commit: { ...big.commit, mode: 2, limit: 100 * MiB, committed: 90 * MiB } });
  expect([commit(strict, req({ size: 9 * MiB })), commit(strict, req({ size: 10 * MiB, noreserve: true }))]).toEqual([false, true]);
});

test('a POSIX object meets /dev/shm only; none there stops it', () => {
  expect(verdicts(env(), req({ posix: true, size: MiB / 2 }))).toEqual([['dev_shm', false]]);
  const full = checkRequest(env(), req({ posix: true, size: MiB / 2 + 1 }))[0]!;
  expect([full.blocks, full.fix[0]]).toEqual([true, 'mount -o remount,size=2M /dev/shm']);
  expect(verdicts(env({ devShm: null }), req({ posix: true }))).toEqual([['dev_shm', true]]);
});

test("locking memory meets RLIMIT_MEMLOCK, which root's and CAP_IPC_LOCK's requests pass", () => {
  const memlock = (e: Environment) => checkRequest(e, req({ size: 8192, count: 9, lockMemory: true })).find((f) => f.limit === 'memlock')!;
  const roomy = { shmmni: 100n, shmall: 100n };
  expect([memlock(env(roomy)).blocks, memlock(env(roomy)).fix[0]]).toEqual([true, 'ulimit -l 72']);
  expect(memlock(env({ ...roomy, uid: 0 })).blocks).toBe(false);
  expect(memlock(env({ ...roomy, memlock: { soft: 65536, hard: 65536, capIpcLock: true } })).blocks).toBe(false);
  expect(memlock(env({ ...roomy, memlock: { soft: null, hard: null, capIpcLock: false } })).blocks).toBe(false);
});

test("a cgroup's memory limit: what is left of it", () => {
  const cgroup = { path: '/box', version: 2 as const, limit: 64 * MiB, usage: 60 * MiB };
  const verdict = (size: number) => checkRequest(env({ cgroup }), req({ posix: true, size })).find((f) => f.limit === 'cgroup')!.blocks;
  expect([verdict(4 * MiB), verdict(4 * MiB + 1)]).toEqual([false, true]);
});
