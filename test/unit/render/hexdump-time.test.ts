import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HexDumper } from '../../../commands/render/hexdump.js';
import { ctime } from '../../../commands/render/time.js';

function dump(data: Buffer, start: number, chunk: number): string {
  let out = '';
  const d = new HexDumper(start, (text) => (out += text.toString('latin1')));
  for (let i = 0; i < data.length; i += chunk) d.push(data.subarray(i, i + chunk));
  d.end();
  return out;
}

describe('hex format is the layout of the real hexdump -C', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-hex-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = join(dir, 'data');
  // Random bytes, a run of zeros long enough to squeeze, text, repeats that end mid-line.
  const data = Buffer.concat([
    randomBytes(37),
    Buffer.alloc(100),
    Buffer.from('hello, shared memory\n\x7f\x80'),
    Buffer.alloc(64, 0x41),
    randomBytes(20),
  ]);
  writeFileSync(file, data);

  const cases: [number, number][] = [];
  for (const offset of [0, 1, 5, 16, 37]) for (const length of [0, 1, 15, 16, 17, 100, data.length - offset]) cases.push([offset, length]);

  test.each(cases)('offset %d, length %d', (offset, length) => {
    const real = spawnSync('hexdump', ['-C', '-s', String(offset), '-n', String(length), file], { encoding: 'latin1' });
    expect(real.status).toBe(0);
    const slice = data.subarray(offset, offset + length);
    expect(dump(slice, offset, 4096)).toBe(real.stdout);
    // the same text whatever the chunking of the input
    expect(dump(slice, offset, 7)).toBe(real.stdout);
  });
});

// Other zones are checked end to end: stat --format ipcs against ipcs under TZ=...
describe('ctime matches C ctime(3) in the local zone', () => {
  test.each([0, 1, 86399, 1795419049, 1700000000, 951782400, 2147483647, 1711846800])('%d', (t) => {
    const real = spawnSync('date', ['-d', `@${t}`, '+%a %b %e %H:%M:%S %Y'], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
    });
    expect(ctime(t)).toBe(real.stdout.trim());
  });
});
