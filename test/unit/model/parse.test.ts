import { UsageError } from '../../../src/model/errors.js';
import { parseByteCount, parseId, parseKey, parseMode, parseProj, parseSeconds, parseSize } from '../../../src/model/parse.js';

describe('parseKey', () => {
  test.each([
    ['1234', 1234],
    ['0x1234', 0x1234],
    ['0X1234', 0x1234],
    ['0755', 0o755],
    ['0xdeadbeef', 0xdeadbeef],
    ['0xffffffff', 0xffffffff],
    ['4294967295', 0xffffffff],
    // /proc/sysvipc/shm prints keys as signed ints; those read back as the same key
    ['-559038737', 0xdeadbeef],
    ['-1', 0xffffffff],
    [' 42 ', 42],
  ])('reads %j as %d', (text, key) => {
    expect(parseKey(text)).toBe(key);
  });

  test('refuses key 0 and points at --private', () => {
    expect(() => parseKey('0')).toThrow(/IPC_PRIVATE.*--private/);
    expect(() => parseKey('0x0')).toThrow(UsageError);
  });

  test.each(['0x100000000', '4294967296', '-2147483649', '', 'abc', '12a', '0x', '09', '1.5', '0xdeadbeefX'])('refuses %j', (text) => {
    expect(() => parseKey(text)).toThrow(UsageError);
  });
});

describe('parseId', () => {
  test('reads decimal only', () => {
    expect(parseId('0')).toBe(0);
    expect(parseId('32768')).toBe(32768);
    expect(parseId('2147483647')).toBe(2147483647);
  });
  test.each(['-1', '0x10', '1e3', '2147483648', '', ' ', 'five', '5x', '99999999999999999999'])('refuses %j', (text) => {
    expect(() => parseId(text)).toThrow(UsageError);
  });
});

describe('parseSize (ipcmk grammar)', () => {
  test.each([
    ['1', 1],
    ['4096', 4096],
    ['0x10', 16],
    ['010', 8],
    ['1K', 1024],
    ['1k', 1024],
    ['1KiB', 1024],
    ['1kib', 1024],
    ['1KB', 1000],
    ['1kB', 1000],
    ['1M', 1024 ** 2],
    ['1MB', 1000 ** 2],
    ['2G', 2 * 1024 ** 3],
    ['1T', 1024 ** 4],
    ['1P', 1024 ** 5],
    ['0.5K', 512],
    ['1.5K', 1536],
    ['1.K', 1024],
    // exact, where ipcmk 2.38 is off (it gives 1310719 and 341)
    ['1.25M', 1310720],
    ['0.3K', 307],
    ['1.5GiB', 1.5 * 1024 ** 3],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  test.each(['0', '0K', '1.5', '-1', '', '1B', '1e3', '.5K', '1,5K', '10iB', '1Q', 'K', '8E', '0x1.5K'])('refuses %j', (text) => {
    expect(() => parseSize(text)).toThrow(UsageError);
  });

  test('says what is wrong', () => {
    expect(() => parseSize('1.5')).toThrow(/suffix/);
    expect(() => parseSize('0')).toThrow(/at least 1/);
    expect(() => parseSize('9P')).toThrow(/too large/);
  });

  test('byte counts may be 0 (offsets, lengths)', () => {
    expect(parseByteCount('0', 'offset')).toBe(0);
    expect(parseByteCount('1M', 'offset')).toBe(1 << 20);
    expect(() => parseByteCount('-5', 'offset')).toThrow(/invalid offset '-5'/);
    expect(() => parseByteCount('99999999999999999999', 'offset')).toThrow(/offset .* too large/);
  });
});

describe('parseMode', () => {
  test.each([
    ['600', 0o600],
    ['0644', 0o644],
    ['0o640', 0o640],
    ['0', 0],
    ['777', 0o777],
    ['0000', 0],
  ])('reads %j as %o', (text, mode) => {
    expect(parseMode(text)).toBe(mode);
  });
  test('refuses bits above 0777, which shmget would take as flags', () => {
    expect(() => parseMode('4644')).toThrow(/above 0777/);
    expect(() => parseMode('1000')).toThrow(UsageError);
  });
  test.each(['', '8', '0x1ff', 'rw-r--r--', 'u+rw', '-600'])('refuses %j', (text) => {
    expect(() => parseMode(text)).toThrow(UsageError);
  });
});

describe('parseSeconds and parseProj', () => {
  test('seconds', () => {
    expect(parseSeconds('0')).toBe(0);
    expect(parseSeconds('1.5')).toBe(1.5);
    expect(parseSeconds('.25')).toBe(0.25);
    for (const bad of ['-1', 'x', '', '1e3', 'Infinity', '99999999']) expect(() => parseSeconds(bad)).toThrow(UsageError);
  });
  test('project ids', () => {
    expect(parseProj('1')).toBe(1);
    expect(parseProj('255')).toBe(255);
    expect(parseProj('0x41')).toBe(65);
    expect(parseProj('A')).toBe(65);
    for (const bad of ['0', '256', '-1', 'AB', '']) expect(() => parseProj(bad)).toThrow(UsageError);
  });
});
