/**
 * The README's test command as an ordinary user: one line first saying what
 * needs root, then a clean pass of what needs none, the rest counted as
 * skipped — never a wall of failures. (As root it is this very run.)
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, USER1000 } from '../helpers/ns.js';

test('npm test as an ordinary user: one line on what needs root, a clean pass of the rest, the others counted as skipped', () => {
  // its own temporary directory (jest's cache goes there), not this run's
  const tmp = mkdtempSync(join(tmpdir(), 'shmctl-ts-newcomer-'));
  chownSync(tmp, 1000, 1000);
  try {
    const r = spawnSync(
      USER1000[0]!,
      [...USER1000.slice(1), process.execPath, join(ROOT, 'test/run.mjs'), 'test/unit/model/parse.test.ts', 'test/e2e/errors.test.ts'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: tmp, TMPDIR: tmp, LC_ALL: 'C' },
        timeout: 300_000,
      },
    );
    expect(r.stderr.split('\n')[0]).toBe(
      'test/run.mjs: not root: running the tests that need no root (test/unit); the rest need root (namespaces, mounts, ' +
        'other users) and are counted as skipped: run `sudo npm test` for all of them',
    );
    expect(r.stderr).not.toMatch(/✕|FAIL|EACCES/);
    const last = r.stdout.trim().split('\n').pop()!;
    expect(last).toMatch(/^[1-9]\d* passed, 0 failed, [1-9]\d* skipped$/);
    expect(r.status).toBe(0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}, 300_000);
