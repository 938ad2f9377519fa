/**
 * Locks and the hand-off on real semaphores, between real processes.
 */
import { lockKeyFor } from '../../src/sysv/lock-set.js';
import { BIN, exited, ROOT, withNamespace, type Namespace } from '../helpers/ns.js';

const WORKER = `${ROOT}test/helpers/lock-worker.mjs`;

function counter(ns: Namespace, id: number): number {
  return ns.cli(['read', String(id), '--length', '4']).stdout.readUInt32LE(0);
}

function semaphores(ns: Namespace): string[] {
  return ns.run(['cat', '/proc/sysvipc/sem']).out.trim().split('\n').slice(1);
}

async function runWorkers(ns: Namespace, args: string[][]): Promise<string[]> {
  const children = args.map((a) => ns.start(['node', WORKER, ...a]));
  const outs = children.map((c) => {
    let out = '';
    c.stdout!.on('data', (d) => (out += d));
    return () => out;
  });
  const codes = await Promise.all(children.map(exited));
  expect(codes.every((c) => c === 0)).toBe(true);
  return outs.map((o) => o());
}

describe('lock', () => {
  test('16 processes × 200 increments under the lock end exact', () =>
    withNamespace(async (ns) => {
      const id = Number(ns.cli(['create', '--key', '0xc0de', '--size', '4']).out);
      await runWorkers(
        ns,
        Array.from({ length: 16 }, () => ['count', String(id), '200', 'lock']),
      );
      expect(counter(ns, id)).toBe(3200);
      ns.cli(['rm', String(id)]);
      expect(semaphores(ns)).toEqual([]);
    }));

  test('without the lock the same increments may be lost (shown, not asserted)', () =>
    withNamespace(async (ns) => {
      const id = Number(ns.cli(['create', '--key', '0xc0df', '--size', '4']).out);
      await runWorkers(
        ns,
        Array.from({ length: 16 }, () => ['count', String(id), '200', 'nolock']),
      );
      const total = counter(ns, id);
      expect(total).toBeLessThanOrEqual(3200);
      ns.cli(['rm', String(id)]);
    }));

  test('the CLI: lock -- CMD serialises read-modify-write across processes', () =>
    withNamespace(async (ns) => {
      const id = Number(ns.cli(['create', '--key', '0xc1de', '--size', '16']).out);
      ns.cli(['write', String(id)], { input: '0\0' });
      const script =
        `for i in 1 2 3 4 5; do ${BIN} lock ${id} -- sh -c ` +
        `'v=$(${BIN} read ${id} --format string); printf "%s\\0" $((v+1)) | ${BIN} write ${id}'; done`;
      const procs = [1, 2, 3, 4].map(() => ns.start(['sh', '-c', script]));
      expect(await Promise.all(procs.map(exited))).toEqual([0, 0, 0, 0]);
      expect(ns.cli(['read', String(id), '--format', 'string']).out).toBe('20\n');
      ns.cli(['rm', String(id)]);
    }));

  test('a holder killed with SIGKILL lets the next waiter in within a second', () =>
    withNamespace(async (ns) => {
      const id = Number(ns.cli(['create', '--key', '0xdead', '--size', '4']).out);
      const holder = ns.start(['node', WORKER, 'hold', String(id)]);
      await new Promise<void>((r) => holder.stdout!.on('data', (d) => String(d).includes('held') && r()));
      const waiter = ns.start([BIN, 'lock', String(id), '--', 'true']);
      await ns.until(() => JSON.parse(ns.cli(['ls', '--json']).out).sharedmemory[0].lock === 'exclusive', 'lock shown as held');
      await new Promise((r) => setTimeout(r, 300));
      expect(waiter.exitCode).toBeNull(); // still waiting
      const killedAt = Date.now();
      holder.kill('SIGKILL');
      expect(await exited(waiter)).toBe(0);
      const ms = Date.now() - killedAt;
      // the kernel gives the lock back at the holder's death (SEM_UNDO): the waiter is woken, not polling for it; the
      // bound is for a machine that may be busy
      expect(ms).toBeLessThan(10_000);
      ns.cli(['rm', String(id)]);
      expect(semaphores(ns)).toEqual([]);
    }));

  test('a timeout exits 75 and says who holds the lock; --shared locks coexist', () =>
    withNamespace(async (ns) => {
      const id = String(Number(ns.cli(['create', '--key', '0xabc', '--size', '4']).out));
      const holder = ns.start([BIN, 'lock', id, '--shared', '--', 'sleep', '30']);
      await ns.until(() => JSON.parse(ns.cli(['ls', '--json']).out).sharedmemory[0].lock === 'shared', 'shared lock');
      const r = ns.cli(['lock', id, '--timeout', '0.2', '--', 'true']);
      expect(r.status).toBe(75);
      expect(r.stderr).toBe(`shmctl-ts: lock: id ${id}: timed out after 0.2 s waiting for the exclusive lock (held shared)\n`);
      expect(ns.cli(['lock', id, '--shared', '--timeout', '0.2', '--', 'sh', '-c', 'exit 9']).status).toBe(9);
      expect(ns.cli(['write', id, '--lock', '--timeout', '0.2', '--data', 'x']).status).toBe(75);
      expect(ns.cli(['read', id, '--lock', '--timeout', '0.2']).status).toBe(0);
      holder.kill('SIGTERM'); // the holder is sleep itself (lock execs its command); the lock goes with it
      expect(await exited(holder)).toBe(128 + 15);
      expect(ns.cli(['lock', id, '--timeout', '1', '--', 'true']).status).toBe(0);
      ns.cli(['rm', id]);
    }));

  test('IPC_PRIVATE segments lock too (the lock is found by id); removed ones are refused; bad use is a usage error', () =>
    withNamespace(async (ns) => {
      const id = ns.cli(['create', '--private', '--size', '4']).out.trim();
      expect(ns.cli(['lock', id, '--', 'true']).status).toBe(0);
      expect(semaphores(ns)).toHaveLength(1);
      expect(ns.cli(['lock', id]).status).toBe(2);
      expect(ns.cli(['write', id, '--timeout', '1', '--data', 'x']).status).toBe(2);
      // removed while attached (dest): it takes no new lock
      const att = ns.start([BIN, 'attach', id, '-q']);
      await ns.until((s) => s[0]?.nattch === 1, 'attached');
      ns.cli(['rm', id]);
      const r = ns.cli(['lock', id, '--', 'true']);
      expect(r).toMatchObject({
        status: 1,
        stderr: `shmctl-ts: lock: id ${id}: is removed (dest): it goes at its last detach, and takes no new lock\n`,
      });
      expect(semaphores(ns)).toEqual([]);
      att.kill('SIGTERM');
      await exited(att);
    }));

  test("a semaphore set at the lock's key that is not ours is left alone", () =>
    withNamespace((ns) => {
      const id = ns.cli(['create', '--key', '0x5e4', '--size', '4']).out.trim();
      ns.run(['python3', '-c', `import ctypes; ctypes.CDLL(None).semget(${lockKeyFor(Number(id))}, 2, 0o1600)`]);
      const r = ns.cli(['lock', id, '--', 'true']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/semaphore set \d+ has this key but is not a shmctl-ts lock; left alone/);
      ns.cli(['rm', id]);
      expect(semaphores(ns)).toHaveLength(1); // theirs, untouched
      ns.run(['ipcrm', '--all=sem']);
    }));
});

describe('hand-off: write --post and read --wait', () => {
  test('1,000 messages move in order, none lost or duplicated', () =>
    withNamespace(async (ns) => {
      const id = String(Number(ns.cli(['create', '--key', '0xfeed', '--size', '64']).out));
      const [consumed] = await runWorkers(ns, [
        ['consume', id, '1000'],
        ['produce', id, '1000'],
      ]);
      expect(consumed!.trim().split('\n')).toEqual(Array.from({ length: 1000 }, (_, i) => `message-${i}`));
      ns.cli(['rm', id]);
      expect(semaphores(ns)).toEqual([]);
    }));

  test('the CLI hands messages over without polling', () =>
    withNamespace(async (ns) => {
      const id = String(Number(ns.cli(['create', '--key', '0xbeef', '--size', '64']).out));
      const consumer = ns.start(['sh', '-c', `for i in 1 2 3 4 5 6; do ${BIN} read ${id} --wait --lock --format string; done`]);
      let got = '';
      consumer.stdout!.on('data', (d) => (got += d));
      const producer = ns.start([
        'sh',
        '-c',
        `for i in 1 2 3 4 5 6; do printf 'message %d\\0' $i | ${BIN} write ${id} --post --lock; done`,
      ]);
      expect(await exited(producer)).toBe(0);
      expect(await exited(consumer)).toBe(0);
      expect(got).toBe([1, 2, 3, 4, 5, 6].map((i) => `message ${i}\n`).join(''));
      const late = ns.cli(['read', id, '--wait', '--timeout', '0.2']);
      expect(late.status).toBe(75);
      expect(late.stderr).toBe(`shmctl-ts: read: id ${id}: timed out after 0.2 s waiting for a post\n`);
      ns.cli(['rm', id]);
      expect(semaphores(ns)).toEqual([]);
    }));

  test('a failed write gives the slot back; a post outlives its writer', () =>
    withNamespace((ns) => {
      const id = String(Number(ns.cli(['create', '--key', '0xf00d', '--size', '8']).out));
      // too long: refused before waiting, nothing posted
      expect(ns.cli(['write', id, '--post', '--data', '123456789']).status).toBe(1);
      expect(ns.cli(['read', id, '--wait', '--timeout', '0.1']).status).toBe(75);
      expect(ns.cli(['write', id, '--post'], { input: 'ok\0' }).status).toBe(0);
      expect(ns.cli(['read', id, '--wait', '--format', 'string']).out).toBe('ok\n');
      ns.cli(['rm', id]);
    }));
});
