/**
 * A large write on two threads (copyFileInParallel), in this process, against
 * an object that another process truncated: never SIGBUS, never grown back by
 * the thread that writes through a mapping, no mapping left afterwards, and
 * the error says what happened.
 */
import { closeSync, openSync, readFileSync, readSync, statSync, truncateSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { copyFileInParallel } from '../../../src/memory/parallel-copy.js';
import { writeFile } from '../../../src/memory/transfer.js';
import { createPosix, removePosix } from '../../../src/posix/object.js';
import { PosixObject } from '../../../src/posix/descriptor.js';

const NAME = '/parallel-copy-truncated';
const PATH = `/dev/shm${NAME}`;
const SOURCE = '/dev/shm/parallel-copy-source';
const SIZE = 32 << 20;
const mapped = (): boolean => readFileSync('/proc/self/maps', 'utf8').includes(PATH);

beforeAll(() => writeFileSync(SOURCE, randomBytes(SIZE)));

/** A fresh 32 MiB object opened for writing and `source` opened for reading, for the length of `body`; both gone after. */
async function withObject(body: (obj: PosixObject, input: number) => Promise<void>, source = SOURCE): Promise<void> {
  createPosix({ name: NAME, size: SIZE, mode: 0o600 });
  const obj = PosixObject.open(NAME, { write: true });
  const input = openSync(source, 'r');
  try {
    await body(obj, input);
  } finally {
    closeSync(input);
    obj.close();
    removePosix(NAME);
  }
}
afterAll(() => rmSync(SOURCE, { force: true }));

test('the object truncated before the copy: the write stops with "shrank", nothing grows it back, no mapping left', () =>
  withObject(async (obj, input) => {
    truncateSync(PATH, 4096); // "another process"
    await expect(obj.fillFromFile!(input, 0, SIZE, SIZE)).rejects.toThrow(
      /shrank to 4096 bytes \(truncated by another process\) during the write/,
    );
    expect(statSync(PATH).size).toBe(4096);
    expect(mapped()).toBe(false);
  }));

test('the tail thread meets memory past the end (EFAULT, not SIGBUS): its error, and the file only as long as the head made it', () =>
  withObject(async (obj, input) => {
    truncateSync(PATH, 4096);
    // no look before each step here: the head's sendfile writes [0, head) and so grows the file that far; the
    // tail's pread into the mapping past that end gets EFAULT and must neither kill us nor grow the file
    const gone = new Error('tail gone');
    await expect(copyFileInParallel(obj.fd, input, 0, SIZE, { share: 0.3, step: 1 << 20, chunk: SIZE, gone: () => gone })).rejects.toBe(
      gone,
    );
    // the tail's first piece is the last 8 MiB: its failure ends the tail there, and the head sends up to it
    expect(statSync(PATH).size).toBe(SIZE - (8 << 20));
    expect(mapped()).toBe(false);
    // and intact, the same copy is byte for byte, the input's position at its end
    truncateSync(PATH, SIZE);
    const again = openSync(SOURCE, 'r');
    expect(await copyFileInParallel(obj.fd, again, 0, SIZE, { share: 0.3, step: 1 << 20, chunk: SIZE })).toBe(SIZE);
    expect(readFileSync(PATH).equals(readFileSync(SOURCE))).toBe(true);
    expect(statSync(PATH).size).toBe(SIZE);
    closeSync(again);
  }));

test('an input shorter than it was said to be: what it has is written, and the count says so', () =>
  withObject(async (obj, input) => {
    // asked for 32 MiB at offset 4096 of a 32 MiB file read from 16 MiB on: 16 MiB are there
    readSync(input, Buffer.alloc(1), 0, 1, null);
    const skip = Buffer.alloc((16 << 20) - 1);
    readSync(input, skip, 0, skip.length, null);
    const written = await copyFileInParallel(obj.fd, input, 4096, SIZE - 4096, { step: 1 << 20, chunk: SIZE });
    expect(written).toBe(16 << 20);
    expect(
      readFileSync(PATH)
        .subarray(4096, 4096 + (16 << 20))
        .equals(readFileSync(SOURCE).subarray(16 << 20)),
    ).toBe(true);
    expect(mapped()).toBe(false);
  }));

test('a file that grew after its length was taken, filling the object to its end: the error writeFromFd gives, with the right counts', async () => {
  const grown = `${SOURCE}-grown`;
  writeFileSync(grown, Buffer.concat([readFileSync(SOURCE), Buffer.from('ten bytes!')]));
  try {
    await withObject(async (obj, input) => {
      await expect(writeFile(obj, input, 0, SIZE)).rejects.toThrow(
        `input is longer than the ${SIZE} bytes from offset 0 to the end of the object (${SIZE} bytes); the first ${SIZE} bytes were written`,
      );
      expect(readFileSync(PATH).equals(readFileSync(SOURCE))).toBe(true);
    }, grown);
  } finally {
    rmSync(grown);
  }
});
