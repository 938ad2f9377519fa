/**
 * One error family: every error shmctl-ts throws is a ShmctlError carrying
 * its exit status, Node's own failed calls are told as ours, errno is tested
 * one way for both, and nothing but a bug of ours is an "internal error".
 */
import { lstatSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureOf } from '../../../commands/support/exit-status.js';
import { Errno, errnoOf, hasErrno, LockTimeout, OperationError, ShmctlError, ShmError, UsageError } from '../../../src/model/errors.js';

/** A real failure from Node's fs, made where nothing else can be. */
function nodeFailure(): { error: unknown; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-errors-'));
  rmdirSync(dir);
  try {
    lstatSync(dir);
  } catch (error) {
    return { error, path: dir };
  }
  throw new Error('lstat of a removed directory succeeded');
}

test('each error is a ShmctlError with the exit status the CLI gives it', () => {
  const cases: [ShmctlError, number][] = [
    [new ShmError('shmget', Errno.EINVAL, 'id 5', 'no such segment'), 1],
    [new OperationError('id 5', 'offset 9 is past the end'), 1],
    [new LockTimeout('id 5', 'timed out'), 75],
    [new UsageError('invalid id'), 2],
  ];
  for (const [e, status] of cases) {
    expect(e).toBeInstanceOf(ShmctlError);
    expect([e.constructor.name, e.exitStatus, failureOf(e)]).toEqual([e.constructor.name, status, { text: e.message, status }]);
  }
});

test("Node's own failed call becomes a ShmError, and errno is read the same way from both", () => {
  const { error, path } = nodeFailure();
  expect(error).not.toBeInstanceOf(ShmError);
  expect([errnoOf(error), hasErrno(error, Errno.ENOENT), hasErrno(error, Errno.EACCES)]).toEqual([Errno.ENOENT, true, false]);
  const ours = ShmError.fromNode(error) as ShmError;
  expect(ours).toBeInstanceOf(ShmError);
  expect([ours.syscall, ours.errno, ours.code, ours.message]).toEqual([
    'lstat',
    Errno.ENOENT,
    'ENOENT',
    `${path}: no such file or directory (ENOENT)`,
  ]);
  expect(failureOf(error)).toEqual({ text: `${path}: no such file or directory (ENOENT)`, status: 1 });
  // what is not a failed call is left alone
  const plain = new TypeError('x is not a function');
  expect([ShmError.fromNode(plain), errnoOf(plain), errnoOf(undefined)]).toEqual([plain, null, null]);
});

test("a RangeError of Node's own is a bug of ours (exit 1, said so), never a usage error that changed nothing", () => {
  let range: unknown;
  try {
    Buffer.alloc(4).readUInt32LE(2);
  } catch (e) {
    range = e;
  }
  expect((range as Error).name).toBe('RangeError'); // (jest runs the test in a realm of its own: instanceof cannot tell)
  expect(failureOf(range)).toEqual({ text: expect.stringMatching(/^internal error: /), status: 1 });
});
