/**
 * The benchmark keeps working (it is not timed here: numbers are claims only
 * as ratios from a real `npm run bench`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/ns.js';

test('npm run bench -- --quick measures every pair and writes its JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-bench-'));
  try {
    const out = join(dir, 'bench.json');
    const r = spawnSync(process.execPath, [join(ROOT, 'bench/run.mjs'), '--quick', '--json', out], {
      encoding: 'utf8',
      env: { ...process.env, SHMCTL_TS_BENCH_NS: '' },
      timeout: 240_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\| start-up: ls, empty namespace: shmctl-ts ls vs node -e 0 \|/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    const names = json.results.map((x: { name: string; peer: string }) => `${x.name} / ${x.peer}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'start-up: ls, empty namespace / node -e 0',
        'listing: 4096 segments / ipcs -m',
        'listing: 4096 segments, JSON / lsipc -m --json',
        'write 64 MiB file → fresh segment / cat > /dev/shm',
        'read 64 MiB segment → /dev/null / cat /dev/shm',
        'listing: 4096 segments, raw / lsipc -m --raw',
        'watch: CPU per look, 4096 segments / cat /proc/sysvipc/shm',
        'read 4 MiB segment --format hex / hexdump -C',
        'read 64 MiB POSIX object → /dev/null / cat /dev/shm',
        "read 64 MiB segment → pipe / cat segment's file | cat",
        "read 64 MiB segment → file on tmpfs / cat segment's file > file",
        "write 64 MiB pipe → existing segment / cat | cat 1<> segment's file",
        "write 64 MiB file → existing segment / cat file 1<> segment's file",
        'read 64 MiB segment → pipe, as an unprivileged user / cat tmpfs file | cat',
        'write 64 MiB pipe → existing POSIX object / cat | cat 1<> /dev/shm/obj',
      ]),
    );
    for (const x of json.results) expect(x.ratio).toBeGreaterThan(0);
    for (const m of json.memory) expect(m.bytes).toBeGreaterThan(0);
    expect(json.memory.map((m: { name: string }) => m.name)).toEqual(
      expect.arrayContaining(['peak private memory, read 4 MiB --format hex', 'peak private memory, read 4 MiB --format string']),
    );
    // the ratio is the median of the pairwise ratios, with their range
    for (const x of json.results.filter((r: { ratios?: unknown }) => r.ratios)) {
      expect(x.ratios.min).toBeLessThanOrEqual(x.ratio);
      expect(x.ratio).toBeLessThanOrEqual(x.ratios.max);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
