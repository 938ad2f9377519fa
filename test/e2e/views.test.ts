/**
 * Every ipcs view and every lsipc format, against the real tools on the same
 * segments: dest, locked, dest+locked, an owner with no passwd entry, a user
 * name longer than 10 characters, IPC_PRIVATE, high-bit keys, sizes at each
 * --human rounding rule, a live creator with an awkward command line, and
 * limits changed with sysctl in the namespace.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, Namespace, ROOT, withNamespace } from '../helpers/ns.js';

const HELPER = `${ROOT}test/helpers/ipc-helper.mjs`;
const LONG_USER = 'averyveryverylongusername';
const LONG_GROUP = 'anotherlonggroupname';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-views-'));
  writeFileSync(join(dir, 'passwd'), readFileSync('/etc/passwd', 'utf8') + `${LONG_USER}:x:4242:4242::/nonexistent:/bin/false\n`);
  writeFileSync(join(dir, 'group'), readFileSync('/etc/group', 'utf8') + `${LONG_GROUP}:x:4242:\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function same(ns: Namespace, ours: string[], theirs: string[], env: NodeJS.ProcessEnv = {}): void {
  const a = ns.cli(ours, { env });
  const b = ns.run(theirs, { env });
  expect(a.stderr).toBe('');
  expect(a.status).toBe(0);
  expect(b.status).toBe(0);
  expect(`${ours.join(' ')}\n${a.out}`).toBe(`${ours.join(' ')}\n${b.out}`);
}

async function until(ns: Namespace, test: () => boolean, what: string): Promise<void> {
  await ns.until(() => test(), what);
}

/** Segments of every kind the views have to show. Returns the processes holding some attached. */
async function populate(ns: Namespace): Promise<ChildProcess[]> {
  const create = (...args: string[]): number => {
    const r = ns.cli(['create', ...args]);
    if (r.status !== 0) throw new Error(r.stderr);
    return Number(r.out);
  };
  // sizes at the rounding rules of --human: 1B, 1023B, 1K, 1.5K, 97.7K, 1024K (rounds up), 1M, 1.5G, 16G, 1T
  const sizes = ['1', '1023', '1024', '1536', '100000', '1048575', '1048576', '1610612736', '16G', '1T'];
  const keys = ['0x1', '0x7fffffff', '0x80000000', '0xdeadbeef', '0xffffffff', '12345', '0777', '-2', '0x10', '0x11'];
  sizes.forEach((size, i) =>
    create(
      '--key',
      keys[i]!,
      '--size',
      size,
      '--mode',
      ['600', '644', '640', '604', '0', '777', '400', '060', '006', '666'][i]!,
      '--noreserve',
    ),
  );
  create('--private', '--size', '4096', '--mode', '644');
  const locked = create('--key', '0x10c', '--size', '5000');
  const dest = create('--key', '0xde57', '--size', '6000');
  const both = create('--key', '0xb07', '--size', '7000');
  const unknown = create('--private', '--size', '100');
  const longName = create('--key', '0x1099', '--size', '200', '--mode', '640');
  for (const id of [locked, both]) expect(ns.run(['node', HELPER, 'lock', String(id)]).status).toBe(0);
  expect(ns.run(['node', HELPER, 'set', String(unknown), '4000123', '4000456']).status).toBe(0);
  expect(ns.cli(['set', String(longName), '--owner', `${LONG_USER}:${LONG_GROUP}`]).status).toBe(0);
  // times set on one segment
  expect(ns.cli(['attach', String(locked), '-q', '--timeout', '0']).status).toBe(0);

  // a creator still alive, with spaces, quotes, $ and a backtick on its command line
  const creator = ns.start([
    'python3',
    '-c',
    'import ctypes, time  # "quoted" $HOME `tick`\nctypes.CDLL(None).shmget(0x5151, 4096, 0o1644)\ntime.sleep(120)',
  ]);
  await until(ns, () => ns.segments().some((s) => s.key === 0x5151), 'the python creator');

  const holders: ChildProcess[] = [creator];
  for (const id of [dest, both]) {
    const h = ns.start([BIN, 'attach', String(id), '-q']);
    holders.push(h);
    await until(ns, () => ns.segments().find((s) => s.id === id)!.nattch === 1, `attach ${id}`);
    expect(ns.cli(['rm', String(id)]).status).toBe(0);
  }
  return holders;
}

async function finish(ns: Namespace, holders: ChildProcess[]): Promise<void> {
  for (const h of holders) {
    const exited = new Promise((r) => h.once('exit', r));
    h.kill('SIGTERM');
    await exited;
  }
  expect(ns.run(['ipcrm', '--all=shm']).status).toBe(0);
}

const IPCS_VIEWS = [
  [],
  ['-t'],
  ['-p'],
  ['-c'],
  ['-u'],
  ['--human'],
  ['-b'],
  ['--human', '-b'],
  ['-b', '--human'],
  ['-t', '-c'],
  ['-c', '-t'],
  ['-p', '-u'],
  ['-t', '--human'],
];

// Every lsipc column but CGID, which lsipc 2.38 fills with the creator's uid.
const LSIPC_COLUMNS = 'KEY,ID,OWNER,PERMS,CUID,CUSER,CGROUP,UID,USER,GID,GROUP,CTIME,SIZE,NATTCH,STATUS,ATTACH,DETACH,COMMAND,CPID,LPID';

const LSIPC_FORMATS = [
  [],
  ['--raw'],
  ['--export'],
  ['--noheadings'],
  ['--noheadings', '--raw'],
  ['-b'],
  ['-P'],
  ['-b', '-P', '--raw'],
  ['--time-format', 'full'],
  ['--time-format', 'iso', '--raw'],
  ['--time-format', 'short', '--export'],
  ['-t'],
  ['-t', '--raw'],
  ['-o', LSIPC_COLUMNS],
  ['-o', LSIPC_COLUMNS, '--raw'],
  ['-o', LSIPC_COLUMNS, '--export', '-b'],
  ['-o', '+UID,USER'],
  ['-o', 'command,key'],
  ['-o', 'SIZE', '--noheadings', '-b'],
];

// One namespace of every kind of segment for all the views (made once: the holders, names and sizes take a while),
// one test per view, so that no test needs more than a few commands' time on a busy machine.
describe('every view on every kind of segment', () => {
  let ns: Namespace;
  let holders: ChildProcess[];
  beforeAll(async () => {
    ns = await Namespace.create({ mount: true });
    expect(ns.run(['mount', '--bind', join(dir, 'passwd'), '/etc/passwd']).status).toBe(0);
    expect(ns.run(['mount', '--bind', join(dir, 'group'), '/etc/group']).status).toBe(0);
    holders = await populate(ns);
  }, 120_000);
  afterAll(async () => {
    await finish(ns, holders);
    await ns.close();
  }, 120_000);

  test.each(IPCS_VIEWS.map((v) => [v.join(' ') || '(default)', v] as const))('ls %s is ipcs -m %s', (_name, args) =>
    same(ns, ['ls', ...args], ['ipcs', '-m', ...args]),
  );

  test('names longer than 10 characters: cut in the default view, whole in -c', () => {
    expect(ns.cli(['ls']).out).toContain(`${LONG_USER.slice(0, 10)} 640`);
    expect(ns.cli(['ls', '-c']).out).toContain(`${LONG_USER} ${LONG_GROUP}`);
  });

  test.each([[[]], [['--human']], [['-b']]] as const)('stat ID --format ipcs %j is ipcs -m -i ID, for every segment', (unit) => {
    for (const s of ns.segments())
      same(ns, ['stat', String(s.id), '--format', 'ipcs', ...unit], ['ipcs', '-m', '-i', String(s.id), ...unit]);
  });

  test.each(LSIPC_FORMATS.map((f) => [f.join(' ') || '(default)', f] as const))('ls %s is lsipc -m %s', (_name, args) => {
    const machine = args.some((a) => a === '--raw' || a === '--export');
    same(ns, ['ls', ...(machine ? [] : ['--format', 'lsipc']), ...args], ['lsipc', '-m', ...args]);
  });

  test("--json is lsipc's shape and names, with real types", () => {
    const ours = JSON.parse(ns.cli(['ls', '--json', '-o', LSIPC_COLUMNS, '--time-format', 'iso']).out);
    const theirs = JSON.parse(ns.run(['lsipc', '-m', '--json', '-b', '-o', LSIPC_COLUMNS, '--time-format', 'iso']).out);
    expect(ours.sharedmemory).toHaveLength(theirs.sharedmemory.length);
    ours.sharedmemory.forEach((o: Record<string, unknown>, i: number) => {
      const t = theirs.sharedmemory[i];
      for (const [k, v] of Object.entries(o)) {
        if (['id', 'cuid', 'uid', 'gid', 'size', 'nattch', 'cpid', 'lpid'].includes(k)) expect(typeof v).toBe('number');
        const asText = v === null ? (k === 'owner' ? String(o.uid) : null) : Array.isArray(v) ? (v.length ? v.join(',') : null) : String(v);
        expect([k, asText]).toEqual([k, t[k]]);
      }
      expect(Array.isArray(o.status)).toBe(true);
    });
  });
});

describe('limits and usage', () => {
  const LIMIT_VIEWS = [['-l'], ['-l', '-b'], ['-l', '--human'], ['-u']];

  test('a fresh namespace, whose limits overflow 64 bits when multiplied out', () =>
    withNamespace((ns) => {
      for (const args of LIMIT_VIEWS) same(ns, ['ls', ...args], ['ipcs', '-m', ...args]);
      const json = ns.cli(['ls', '-l', '--json']).out;
      expect(json).toContain('"shmmax": 18446744073692774399');
    }));

  test('limits changed with sysctl in the namespace, and usage with segments in it', () =>
    withNamespace((ns) => {
      ns.sh('echo 8388608 > /proc/sys/kernel/shmmax; echo 3000 > /proc/sys/kernel/shmall; echo 17 > /proc/sys/kernel/shmmni');
      for (const size of ['1', '4096', '4097', '1M']) ns.cli(['create', '--private', '--size', size]);
      ns.cli(['write', String(ns.segments()[3]!.id), '--data', 'resident now']);
      for (const args of LIMIT_VIEWS) same(ns, ['ls', ...args], ['ipcs', '-m', ...args]);
      expect(JSON.parse(ns.cli(['ls', '-l', '--json']).out)).toEqual({
        limits: { shmmni: 17, shmmax: 8388608, shmall: 3000, shmmin: 1, pagesize: 4096 },
      });
      expect(JSON.parse(ns.cli(['ls', '-u', '--json']).out).summary.segments).toBe(4);
      ns.run(['ipcrm', '--all=shm']);
    }));
});

describe('where lsipc is wrong, shmctl-ts is right on purpose', () => {
  test('CGID is the creator group, not the creator uid', () =>
    withNamespace((ns) => {
      const r = ns.run(['setpriv', '--reuid=65534', '--regid=65533', '--clear-groups', BIN, 'create', '--private', '--size', '1']);
      expect(r.status).toBe(0);
      const ours = ns.cli(['ls', '--raw', '-o', 'CUID,CGID']).out;
      const theirs = ns.run(['lsipc', '-m', '--raw', '-o', 'CUID,CGID']).out;
      expect(ours).toBe('CUID CGID\n65534 65533\n');
      expect(theirs).toBe('CUID CGID\n65534 65534\n');
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('an empty list still has its header, and empty JSON names its list', () =>
    withNamespace((ns) => {
      expect(ns.run(['lsipc', '-m']).out).toBe('');
      expect(ns.cli(['ls', '--format', 'lsipc']).out).toBe('KEY ID PERMS OWNER SIZE NATTCH STATUS CTIME CPID LPID COMMAND\n');
      expect(JSON.parse(ns.cli(['ls', '--json']).out)).toEqual({ sharedmemory: [] });
    }));
});

describe('filters and fields', () => {
  test('ls filters by key, id, owner and creator; stat --field prints bare values', () =>
    withNamespace((ns) => {
      const a = Number(ns.cli(['create', '--key', '0xaa', '--size', '10']).out);
      const b = Number(ns.cli(['create', '--key', '0xbb', '--size', '20', '--mode', '644']).out);
      const c = Number(
        ns.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', BIN, 'create', '--private', '--size', '30']).out,
      );
      const ids = (args: string[]): number[] =>
        JSON.parse(ns.cli(['ls', '--json', ...args]).out).sharedmemory.map((s: { id: number }) => s.id);
      expect(ids([])).toEqual([a, b, c]);
      expect(ids(['--key', '0xbb'])).toEqual([b]);
      expect(ids(['--key', '170', '--key', '0xbb'])).toEqual([a, b]);
      expect(ids(['--id', String(c)])).toEqual([c]);
      expect(ids(['--owner', 'nobody'])).toEqual([c]);
      expect(ids(['--owner', '0'])).toEqual([a, b]);
      expect(ids(['--created-by', 'root', '--key', '0xaa'])).toEqual([a]);
      expect(ids(['--key', '0xcc'])).toEqual([]);
      // the filtered ipcs view is ipcs's rows for those segments
      const rows = ns.run(['ipcs', '-m']).out.split('\n');
      expect(ns.cli(['ls', '--key', '0xbb']).out.split('\n')).toEqual(
        rows.filter((l) => !l.startsWith('0x') || l.startsWith('0x000000bb')),
      );
      expect(ns.cli(['ls', '--owner', 'no-such-user-here']).stderr).toBe("shmctl-ts: ls: no such user 'no-such-user-here'\n");

      const field = (args: string[]): string => ns.cli(['stat', String(b), ...args]).out;
      expect(field(['--field', 'nattch'])).toBe('0\n');
      expect(field(['--field', 'size', '--field', 'perms', '--field', 'key'])).toBe('20\nrw-r--r--\n0x000000bb\n');
      expect(field(['-F', 'status', '-F', 'attach', '-F', 'owner'])).toBe('\n\nroot\n');
      expect(field(['--field', 'ctime'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d\n$/);
      expect(ns.cli(['stat', String(b), '--field', 'bogus']).status).toBe(2);
      ns.run(['ipcrm', '--all=shm']);
    }));
});

describe('create extras and set', () => {
  test('--key random makes a new segment under an unused key; --noreserve; --hugetlb says why it fails', () =>
    withNamespace((ns) => {
      const ids = [1, 2, 3].map(() => Number(ns.cli(['create', '--key', 'random', '--size', '1K']).out));
      const segs = ns.segments();
      expect(segs.map((s) => s.id)).toEqual(ids);
      expect(new Set(segs.map((s) => s.key)).size).toBe(3);
      for (const s of segs) expect(s.key).not.toBe(0);
      expect(ns.cli(['create', '--private', '--size', '64T', '--noreserve']).status).toBe(0);
      const huge = ns.cli(['create', '--private', '--size', '2M', '--hugetlb']);
      if (huge.status !== 0)
        expect(huge.stderr).toMatch(
          /huge pages .*vm.nr_hugepages = \d+\)(; fix: sysctl -w vm.nr_hugepages=\d+)? \((ENOMEM|EPERM)\)|huge pages need/,
        );
      ns.run(['ipcrm', '--all=shm']);
    }));

  test('set changes what stat and ipcs show; refusals are honest', () =>
    withNamespace((ns) => {
      const id = String(Number(ns.cli(['create', '--key', '0x5e7', '--size', '4096']).out));
      expect(ns.cli(['set', id, '--mode', '0640', '--owner', 'nobody:nogroup']).status).toBe(0);
      expect(ns.cli(['stat', id, '-F', 'perms', '-F', 'user', '-F', 'group', '-F', 'cuser']).out).toBe(
        'rw-r-----\nnobody\nnogroup\nroot\n',
      );
      expect(ns.run(['ipcs', '-m', '-i', id]).out).toContain('uid=65534\tgid=65534\tcuid=0\tcgid=0\nmode=0640');
      expect(ns.cli(['set', '--key', '0x5e7', '--owner', ':0']).status).toBe(0);
      expect(ns.cli(['stat', id, '-F', 'gid']).out).toBe('0\n');
      expect(ns.cli(['set', id, '--lock-memory']).status).toBe(0);
      expect(ns.cli(['stat', id, '-F', 'status']).out).toBe('locked\n');
      expect(ns.run(['ipcs', '-m']).out).toMatch(/locked/);
      expect(ns.cli(['set', id, '--unlock-memory']).status).toBe(0);
      expect(ns.cli(['stat', id, '-F', 'status']).out).toBe('\n');

      const asNobody = (args: string[]) => ns.run(['setpriv', '--reuid=65533', '--regid=65533', '--clear-groups', BIN, ...args]);
      const denied = asNobody(['set', id, '--mode', '0666']);
      expect(denied.status).toBe(1);
      expect(denied.stderr).toBe(
        `shmctl-ts: set: id ${id}: permission denied: only its owner, its creator or a privileged user may change it (EPERM)\n`,
      );
      const lock = ns.run([
        'setpriv',
        '--reuid=65533',
        '--regid=65533',
        '--clear-groups',
        'prlimit',
        '--memlock=0:0',
        BIN,
        'set',
        id,
        '--lock-memory',
      ]);
      expect(lock.status).toBe(1);
      expect(lock.stderr).toMatch(/locking needs CAP_IPC_LOCK.* \(EPERM\)/);
      expect(ns.cli(['stat', id, '-F', 'perms']).out).toBe('rw-r-----\n');
      for (const bad of [
        ['--mode', '1777'],
        ['--owner', 'a:b:c'],
        ['--owner', 'no-such-user-here'],
        ['--lock-memory', '--unlock-memory'],
        [],
      ]) {
        expect(ns.cli(['set', id, ...bad]).status).toBe(2);
      }
      ns.run(['ipcrm', '--all=shm']);
    }));
});
