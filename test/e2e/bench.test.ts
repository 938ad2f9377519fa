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
      timeout: 600_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\| start-up: ls, empty namespace: shmctl-ts ls vs node -e 0 \|/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    const names = json.results.map((x: { name: string; peer: string }) => `${x.name} / ${x.peer}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'start-up: ls, empty namespace / node -e 0',
        'start-up: stat ID / node -e 0',
        'start-up: read ID --length 1 / node -e 0',
        'start-up: holders ID / node -e 0',
        'start-up: doctor / node -e 0',
        'start-up: create, then rm / node -e 0 (twice)',
        'listing: 4096 segments, creator running / ipcs -m',
        'listing: 4096 segments, creator gone, JSON / lsipc -m --json',
        'listing: 4096 segments, 100 creators (gone) × 50 users, raw / lsipc -m --raw',
        'watch: CPU per look, 4096 segments / read /proc/sysvipc/shm (floor)',
        'holders of a POSIX object, 202 processes / fuser',
        'holders of a POSIX object, 202 processes / lsof -n',
        'holders of a segment, 202 processes / grep -l of every maps (floor)',
        'ls -A -o +HOLDERS, 202 segments and objects, 202 processes / grep -l of every maps (floor)',
        'gc -A --unattached (dry run), 200 to remove, 202 processes / grep -l of every maps (floor)',
        'metrics --all-namespaces, 21 IPC namespaces / nsenter + cat /proc/sysvipc/shm, each namespace',
        'audit --all-namespaces, 21 IPC namespaces / shmctl-ts audit (one namespace)',
        'write 64 MiB file → fresh segment, on a pool of freed memory / cat > /dev/shm',
        'create, write 64 MiB file, rm: as a user does it / cat > /dev/shm/x; rm',
        "read 64 MiB segment → /dev/null (not a copy: /dev/null never touches what it is handed) / cat segment's file",
        "read 64 MiB segment → pipe / cat segment's file | cat",
        "read 64 MiB segment → file on tmpfs / cat segment's file > file",
        "write 64 MiB pipe → existing segment / cat | cat 1<> segment's file",
        "write 64 MiB file → existing segment / cat file 1<> segment's file",
        'read 64 MiB segment → pipe, as an unprivileged user / cat tmpfs file | cat',
        'read 64 MiB POSIX object → pipe / cat /dev/shm/obj | cat',
        'read 64 MiB POSIX object → file on tmpfs / cat /dev/shm/obj > file',
        'write 64 MiB pipe → existing POSIX object / cat | cat 1<> /dev/shm/obj',
        'read 4 MiB segment --format hex / hexdump -C',
      ]),
    );
    // every side of every row was checked to do its job before it was timed (a fast failure cannot pass)
    for (const x of json.results) {
      expect(x.checked.ours).toEqual(expect.any(String));
      expect(x.checked.peer).toEqual(expect.any(String));
    }
    // rows whose peer does other work than ours carry no target: /dev/null never touches the bytes it is handed
    for (const x of json.results.filter((r: { name: string }) => r.name.includes('/dev/null'))) expect(x.target).toBeNull();
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
