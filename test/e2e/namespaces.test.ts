/**
 * Containers and limits. Inside a test namespace (IPC, mount and PID of its
 * own), a "container": a process in an IPC and mount namespace of its own,
 * with its own small tmpfs on /dev/shm, holding segments and objects. Every
 * --ns command is checked against the real tools entered with nsenter, and the
 * test's own namespace — which has a segment at the same key — against being
 * left exactly as it was. Then check and doctor against limits set in the
 * namespace (kernel.shm* are per IPC namespace) and a small /dev/shm.
 */
import { writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { BIN, NOBODY, PYTHON, until, USER1000, withNamespace, type Namespace } from '../helpers/ns.js';

const inNs = { pid: true, posix: true };

/** The container: prints its pid once its segments (keys 0x10, 0x11) and object /inner exist. */
async function container(ns: Namespace): Promise<{ pid: number; proc: ChildProcess }> {
  const script = [
    'mount -t tmpfs -o size=4m,mode=1777 inner /dev/shm',
    `${PYTHON} -c "import ctypes; l = ctypes.CDLL(None); l.shmget(0x10, 4096, 0o1644); l.shmget(0x11, 100, 0o1600)"`,
    'printf inner > /dev/shm/inner',
    'echo $$',
    'exec sleep 60',
  ].join('; ');
  const proc = ns.start(['unshare', '--ipc', '--mount', '--propagation', 'private', 'sh', '-c', script]);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => out.includes('\n'), 'the container');
  return { pid: Number(out.trim()), proc };
}

/** What the container has, seen by the real tools entered into it. */
const inside = (ns: Namespace, pid: number, cmd: string[]): string =>
  ns.run(['nsenter', '-t', String(pid), '--ipc', '--mount', ...cmd]).out;

describe('--ns', () => {
  /** A process in namespaces of its own, set up by `script` (run by sh -c before it sleeps); its pid. */
  async function startContainer(ns: Namespace, script: string): Promise<number> {
    const proc = ns.start(['unshare', '--ipc', '--mount', '--propagation', 'private', 'sh', '-c', `${script}; echo $$; exec sleep 60`]);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('\n'), 'the container');
    return Number(out.trim());
  }

  test("a container's /dev/shm that leads out of its root (a symlink to a host path) is never followed: every verb refuses, nothing of the host's is touched", () =>
    withNamespace(
      async (ns) => {
        const host = ns.run(['mktemp', '-d']).out.trim();
        ns.sh(`printf secret > ${host}/victim; chmod 600 ${host}/victim`);
        // inside: /tmp and /dev are its own (empty), and /dev/shm is a link to the host directory's path
        const pid = await startContainer(ns, `mount -t tmpfs none /tmp && mount -t tmpfs none /dev && ln -s ${host} /dev/shm`);
        const at = ['--ns', String(pid)];
        const refusal = new RegExp(`^shmctl-ts: \\w+: /proc/${pid}/root/dev/shm: pid ${pid} has no /dev/shm inside its root[^\\n]*\\n$`);
        for (const args of [
          ['ls', '--posix'],
          ['ls', '--all', '--name', 'victim'],
          ['stat', '/victim'],
          ['read', '/victim'],
          ['write', '/victim', '--data', 'x'],
          ['set', '/victim', '--mode', '0666'],
          ['rm', '/victim'],
          ['create', '/planted', '--size', '1'],
          ['gc', '--posix', '--name', '*', '--yes'],
          ['holders', '/victim'],
        ]) {
          const r = ns.cli([...args, ...at]);
          expect([args.join(' '), r.status, r.out.includes('secret') || r.out.includes('victim')]).toEqual([args.join(' '), 1, false]);
          expect(r.stderr).toMatch(refusal);
        }
        expect(ns.sh(`ls -A ${host}; stat -c %a ${host}/victim; cat ${host}/victim`).out).toBe('victim\n600\nsecret');
        // System V is untouched by it: the container's segments are listed as ever
        expect(ns.cli(['ls', ...at])).toMatchObject({ status: 0, stderr: '' });
        ns.run(['kill', String(pid)]);
        ns.run(['rm', '-r', host]);
      },
      true,
      inNs,
    ));

  test("a /dev/shm that is not a tmpfs is refused; one reached through links inside the container's root is used", () =>
    withNamespace(
      async (ns) => {
        const disk = ns.run(['mktemp', '-d', '-p', '/var/tmp']).out.trim();
        ns.sh(`printf data > ${disk}/file`);
        const bound = await startContainer(ns, `mount --bind ${disk} /dev/shm`);
        const r = ns.cli(['ls', '--posix', '--ns', String(bound)]);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/: is not a tmpfs \(file system type 0x[0-9a-f]+\): refusing to touch it\n$/);
        expect(ns.cli(['rm', '/file', '--ns', String(bound)]).status).toBe(1);
        expect(ns.run(['cat', `${disk}/file`]).out).toBe('data');
        ns.run(['kill', String(bound)]);
        // /dev/shm -> /tmp/shm, an absolute link resolved inside the root: the container's tmpfs, not ours
        const linked = await startContainer(
          ns,
          'mount -t tmpfs none /tmp && mkdir /tmp/shm && printf inner > /tmp/shm/inner && mount -t tmpfs none /dev && ln -s /tmp/shm /dev/shm',
        );
        expect(ns.cli(['ls', '--posix', '--ns', String(linked), '-o', 'NAME,OWNER', '--noheadings']).out).toBe('inner  root\n');
        expect(ns.cli(['read', '/inner', '--ns', String(linked)]).out).toBe('inner');
        ns.run(['kill', String(linked)]);
        ns.run(['rm', '-r', disk]);
      },
      true,
      inNs,
    ));

  test('--ns given a FIFO is refused at once, never waits for a writer', () =>
    withNamespace((ns) => {
      const dir = ns.run(['mktemp', '-d']).out.trim();
      ns.run(['mkfifo', `${dir}/fifo`]);
      const r = ns.run(['timeout', '30', BIN, 'ls', '--ns', `${dir}/fifo`]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`shmctl-ts: ls: cannot enter the IPC namespace ${dir}/fifo: not an IPC namespace (EINVAL)\n`);
      ns.run(['rm', '-r', dir]);
    }));

  test("attach --ns and lock --ns run their command where the object is: the container's IPC and mount namespaces", () =>
    withNamespace(
      async (ns) => {
        const { pid } = await container(ns);
        const at = ['--ns', String(pid)];
        // the command writes the object by its name: the container's /inner, not one of ours
        expect(
          ns.cli(['attach', '/inner', ...at, '-q', '--', 'sh', '-c', 'printf attached > /dev/shm/inner; ipcs -m | grep -c 0x0000001']),
        ).toMatchObject({ status: 0, out: '2\n' });
        expect(ns.cli(['read', '/inner', ...at]).out).toBe('attached');
        expect(ns.cli(['lock', '/inner', ...at, '--', 'sh', '-c', 'printf locked > /dev/shm/inner'])).toMatchObject({ status: 0 });
        expect(inside(ns, pid, ['cat', '/dev/shm/inner'])).toBe('locked');
        expect(ns.objects()).toEqual([]);
        ns.run(['kill', String(pid)]);
      },
      true,
      inNs,
    ));

  test("ls --ns PID is nsenter -t PID --ipc ipcs -m in every view; --posix lists the container's /dev/shm", () =>
    withNamespace(
      async (ns) => {
        ns.cli(['create', '--key', '0x10', '--size', '64']);
        const { pid } = await container(ns);
        for (const view of [[], ['-t'], ['-p'], ['-c'], ['-l'], ['-u'], ['-b'], ['--human']]) {
          const ours = ns.cli(['ls', '--ns', String(pid), ...view]);
          expect(ours.stderr).toBe('');
          expect(ours.out).toBe(ns.run(['nsenter', '-t', String(pid), '--ipc', 'ipcs', '-m', ...view]).out);
        }
        // by namespace file too
        expect(ns.cli(['ls', '--ns', `/proc/${pid}/ns/ipc`]).out).toBe(inside(ns, pid, ['ipcs', '-m']));
        expect(ns.cli(['ls', '--posix', '--ns', String(pid), '-o', 'NAME,OWNER', '--noheadings']).out).toBe('inner  root\n');
        expect(inside(ns, pid, ['ls', '/dev/shm'])).toBe('inner\n');
        // and the test's own is what it was
        expect(ns.segments().map((s) => [s.key, s.size])).toEqual([[0x10, 64]]);
        expect(ns.objects()).toEqual([]);
        ns.run(['kill', String(pid)]);
        ns.run(['ipcrm', '--all']);
      },
      true,
      inNs,
    ));

  test('write, read, stat, holders, lock and rm --ns act in the container only; paths (--file) stay ours', () =>
    withNamespace(
      async (ns) => {
        const outer = Number(ns.cli(['create', '--key', '0x10', '--size', '64']).out);
        ns.cli(['write', String(outer), '--data', 'outer']);
        const before = ns.segments();
        const { pid } = await container(ns);
        const P = String(pid);
        const file = `/tmp/shmctl-ts-ns-${process.pid}`;
        writeFileSync(file, 'from the host'); // the container's mount namespace has no such file: ours is read
        try {
          expect(ns.cli(['write', '--ns', P, '--key', '0x10', '--file', file])).toMatchObject({ status: 0, stderr: '' });
        } finally {
          ns.run(['rm', '-f', file]);
        }
        expect(ns.cli(['read', '--ns', P, '--key', '0x10', '--length', '13']).out).toBe('from the host');
        // the real kernel, from inside: the container's segment has it
        const readInside = `import ctypes; l = ctypes.CDLL(None); l.shmat.restype = ctypes.c_void_p; p = l.shmat(l.shmget(0x10, 0, 0), None, 0o10000); print(ctypes.string_at(p, 13).decode())`;
        expect(inside(ns, pid, [PYTHON, '-c', readInside])).toBe('from the host\n');
        expect(ns.cli(['stat', '--ns', P, '--key', '0x11', '--field', 'size']).out).toBe('100\n');
        // POSIX, through the container's /dev/shm
        expect(ns.cli(['write', '--ns', P, '/inner', '--data', 'INNER']).status).toBe(0);
        expect(inside(ns, pid, ['cat', '/dev/shm/inner'])).toBe('INNER');
        expect(ns.cli(['create', '--ns', P, '/made', '--size', '10']).out).toBe('/made\n');
        expect(inside(ns, pid, ['ls', '/dev/shm'])).toBe('inner\nmade\n');
        // a holder in the container
        const innerId = Number(inside(ns, pid, ['ipcs', '-m']).match(/^0x00000010 +(\d+)/m)![1]);
        const attacher = ns.start([
          'nsenter',
          '-t',
          P,
          '--ipc',
          PYTHON,
          '-c',
          `import ctypes, time, os; l = ctypes.CDLL(None); l.shmat(${innerId}, None, 0); print(os.getpid(), flush=True); time.sleep(60)`,
        ]);
        let attacherPid = '';
        attacher.stdout!.on('data', (d: Buffer) => (attacherPid += d.toString()));
        await until(() => attacherPid.includes('\n'), 'the attacher');
        const holders = JSON.parse(ns.cli(['holders', '--ns', P, String(innerId), '--json']).out) as { holders: { pid: number }[] };
        expect(holders.holders.map((h) => h.pid)).toEqual([Number(attacherPid)]);
        // the lock, taken inside: its set is the container's
        expect(ns.cli(['lock', '--ns', P, '--key', '0x10', '--', 'true']).status).toBe(0);
        expect(inside(ns, pid, ['ipcs', '-s'])).toMatch(/^0x[0-9a-f]{8} /m);
        ns.run(['kill', attacherPid.trim()]);
        // rm inside
        const id11 = inside(ns, pid, ['ipcs', '-m']).match(/^0x00000011 +(\d+)/m)![1];
        expect(ns.cli(['rm', '--ns', P, '--key', '0x11', '/made', '-v']).out).toBe(
          `removing POSIX shared memory \`/made'\nremoving shared memory segment id \`${id11}'\n`, // names, then keys (as rm takes them)
        );
        expect(inside(ns, pid, ['ls', '/dev/shm'])).toBe('inner\n');
        // the test's own namespace: untouched, to the last time and pid
        expect(ns.segments()).toEqual(before);
        expect(ns.cli(['read', String(outer), '--length', '5']).out).toBe('outer');
        expect(ns.run(['ipcs', '-s']).out).not.toMatch(/^0x/m);
        expect(ns.objects()).toEqual([]);
        ns.run(['kill', P]);
        ns.run(['ipcrm', '--all']);
      },
      true,
      inNs,
    ));

  test('without the right to enter: one line (EPERM), exit 1; a namespace file gives no /dev/shm; bad values are usage errors', () =>
    withNamespace(
      async (ns) => {
        const { pid } = await container(ns);
        const r = ns.run([...NOBODY, BIN, 'ls', '--ns', String(pid)]);
        expect(r).toMatchObject({ status: 1, out: '' });
        expect(r.stderr).toBe(
          `shmctl-ts: ls: cannot enter the IPC namespace of pid ${pid}: permission denied: entering a namespace needs root (CAP_SYS_ADMIN) (EPERM)\n`,
        );
        expect(ns.run([...NOBODY, BIN, 'rm', '--ns', String(pid), '--key', '0x10']).status).toBe(1);
        expect(inside(ns, pid, ['ipcs', '-m'])).toMatch(/^0x00000010 /m);
        // a bind-mounted namespace file: System V yes, POSIX objects no
        ns.sh(`touch /tmp/ipc-ns && mount --bind /proc/${pid}/ns/ipc /tmp/ipc-ns`);
        expect(ns.cli(['ls', '--ns', '/tmp/ipc-ns']).out).toBe(inside(ns, pid, ['ipcs', '-m']));
        const posix = ns.cli(['ls', '--posix', '--ns', '/tmp/ipc-ns']);
        expect(posix.status).toBe(2);
        expect(posix.stderr).toBe(
          'shmctl-ts: ls: /tmp/ipc-ns is an IPC namespace only: for POSIX objects give --ns PID (a process in the namespace)\n',
        );
        ns.sh('umount /tmp/ipc-ns; rm /tmp/ipc-ns');
        expect(ns.cli(['ls', '--ns', '/etc/passwd']).stderr).toBe(
          'shmctl-ts: ls: cannot enter the IPC namespace /etc/passwd: not an IPC namespace (EINVAL)\n',
        );
        expect(ns.cli(['ls', '--ns', '0']).status).toBe(2);
        expect(ns.cli(['ls', '--ns', '999999']).status).toBe(1);
        ns.run(['kill', String(pid)]);
      },
      true,
      inNs,
    ));

  test('ls --all-namespaces shows both namespaces, each with one of its processes; JSON and raw carry the columns', () =>
    withNamespace(
      async (ns) => {
        ns.cli(['create', '--key', '0x20', '--size', '64']);
        ns.cli(['create', '/outer', '--size', '1']);
        const { pid } = await container(ns);
        const inodeOf = (p: number | string): number => Number(/\[(\d+)\]/.exec(ns.run(['readlink', `/proc/${p}/ns/ipc`]).out)![1]);
        const own = inodeOf('self');
        const theirs = inodeOf(pid);
        const rows = ns.cli(['ls', '--all-namespaces', '--all', '--raw', '-o', 'NAMESPACE,NSPID,KEY,NAME', '--noheadings']).out;
        expect(rows.split('\n').filter(Boolean)).toEqual([
          `${own} 1 0x00000020 `,
          `${own} 1  /outer`,
          `${theirs} ${pid} 0x00000010 `,
          `${theirs} ${pid} 0x00000011 `,
          `${theirs} ${pid}  /inner`,
        ]);
        const json = JSON.parse(ns.cli(['ls', '-N', '--json']).out) as {
          namespaces: { namespace: number; nspid: number; nscommand: string; key: string }[];
        };
        expect(json.namespaces.map((r) => [r.namespace, r.key])).toEqual([
          [own, '0x00000020'],
          [theirs, '0x00000010'],
          [theirs, '0x00000011'],
        ]);
        expect(json.namespaces[1]!.nscommand).toBe('sleep 60');
        expect(ns.cli(['ls', '-N', '--format', 'ipcs']).status).toBe(2);
        ns.run(['kill', String(pid)]);
        ns.run(['ipcrm', '--all']);
        ns.cli(['rm', '/outer']);
      },
      true,
      inNs,
    ));
});

describe('check and doctor', () => {
  test('check names the limit that stops a request (shmmax, shmmni, shmall, a small /dev/shm) and its fix; below them it passes', () =>
    withNamespace(
      (ns) => {
        ns.sh('echo 100000 > /proc/sys/kernel/shmmax; echo 3 > /proc/sys/kernel/shmmni; echo 40 > /proc/sys/kernel/shmall');
        ns.sh('umount /dev/shm; mount -t tmpfs -o size=1m,mode=1777 small /dev/shm');
        const check = (...args: string[]) => ns.cli(['check', ...args]);
        expect(check('--size', '100000')).toMatchObject({
          status: 0,
          out: expect.stringMatching(/\nyes: 1 segment of 100000 bytes would fit\n$/),
        });
        const big = check('--size', '100001');
        expect(big.status).toBe(1);
        expect(big.out).toMatch(
          /^STOPS  shmmax +kernel\.shmmax allows segments of 100000 bytes .*asked 100001.*\n {7}fix: sysctl -w kernel\.shmmax=100001\n/m,
        );
        expect(big.out).toMatch(/\nno: shmmax stops 1 segment of 100001 bytes\n$/);
        expect(big.stderr).toMatch(/^shmctl-ts: check: shmmax stops it: kernel\.shmmax allows segments of 100000 bytes .*\n$/);
        expect(check('--size', '4096', '--count', '4').out).toMatch(/\nno: shmmni stops 4 segments of 4096 bytes\n$/);
        expect(check('--size', '4096', '--count', '3')).toMatchObject({ status: 0 });
        expect(check('--size', '100000', '--count', '2').out).toMatch(
          /STOPS  shmall +kernel\.shmall allows 40 pages .*50 more makes 50\n {7}fix: sysctl -w kernel\.shmall=50\n/,
        );
        const posix = check('--posix', '--size', '2M', '--json');
        expect(posix.status).toBe(1);
        expect(JSON.parse(posix.out)).toMatchObject({ ok: false, stoppedBy: 'dev_shm' });
        expect(JSON.parse(posix.out).findings[0].fix).toEqual([
          'mount -o remount,size=2M /dev/shm',
          'docker run --shm-size=2m ...',
          "compose: shm_size: '2m'",
          'kubernetes: volumes: [{name: dshm, emptyDir: {medium: Memory, sizeLimit: 2Mi}}], mounted at /dev/shm',
        ]);
        expect(check('--posix', '--size', '512K').status).toBe(0);
        // create's own errors name the same limits
        expect(ns.cli(['create', '--key', '1', '--size', '100001']).stderr).toBe(
          'shmctl-ts: create: key 0x00000001: size 100001 exceeds kernel.shmmax = 100000; fix: sysctl -w kernel.shmmax=100001 (EINVAL)\n',
        );
        for (const key of ['2', '3', '4']) ns.cli(['create', '--key', key, '--size', '10']);
        expect(ns.cli(['create', '--key', '5', '--size', '10']).stderr).toBe(
          'shmctl-ts: create: key 0x00000005: segment limit kernel.shmmni = 3 reached; fix: sysctl -w kernel.shmmni=4 (ENOSPC)\n',
        );
        expect(ns.segments()).toHaveLength(3);
        ns.run(['ipcrm', '--all']);
        expect(check('--size', '0').status).toBe(2);
        expect(check('--size', '1', '--count', 'x').status).toBe(2);
        expect(check().status).toBe(2);
      },
      true,
      inNs,
    ));

  test("check's verdict is create's, over a grid of sizes around the commit accounting's bound, with and without --noreserve and shmall", () =>
    withNamespace(
      (ns) => {
        const mem = (field: string): number =>
          Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(ns.run(['cat', '/proc/meminfo']).out)![1]) * 1024;
        const bound = mem('MemTotal') + mem('SwapTotal'); // vm.overcommit_memory = 0's bound on one segment
        const page = 4096;
        const sizes = [page, bound - page, bound, bound + page, 2 * bound];
        const grid = (shmall: string): string[] => {
          ns.sh(`echo ${shmall} > /proc/sys/kernel/shmall`);
          const out: string[] = [];
          for (const size of sizes)
            for (const extra of [[], ['--noreserve']]) {
              const verdict = ns.cli(['check', '--size', String(size), ...extra]);
              const made = ns.cli(['create', '--private', '--size', String(size), ...extra]);
              if (made.status === 0) ns.run(['ipcrm', '-m', made.out.trim()]);
              const said = JSON.parse(ns.cli(['check', '--size', String(size), ...extra, '--json']).out).stoppedBy;
              // the same verdict; a refusal names the limit the kernel's error names
              expect({ size, extra, ok: verdict.status === 0, stoppedBy: said }).toEqual({
                size,
                extra,
                ok: made.status === 0,
                stoppedBy: made.status === 0 ? null : made.stderr.includes('ENOMEM') ? 'commit' : 'shmall',
              });
              out.push(`${size}${extra.join('')}:${said}`);
            }
          return out;
        };
        const mode = ns.run(['cat', '/proc/sys/vm/overcommit_memory']).out.trim();
        const wide = grid(String(2n ** 62n));
        if (mode === '0') expect(wide.filter((v) => !v.endsWith(':null'))).toEqual([`${bound + page}:commit`, `${2 * bound}:commit`]);
        // shmall is met first: beyond it, it is what stops the request, reserve or not
        const narrow = grid(String(bound / page));
        expect(narrow.filter((v) => v.endsWith(':shmall'))).toHaveLength(4);
        expect(ns.segments()).toEqual([]);
      },
      true,
      inNs,
    ));

  test('doctor judges RemoveIPC only where systemd-logind runs: installed is not running', () =>
    withNamespace(
      (ns) => {
        // the facts made here, in this mount namespace only: a logind binary, /run/systemd with or without
        // system/ (sd_booted), a logind.conf without RemoveIPC (systemd's default: yes), and user 1000 (it applies)
        const logind = ns.sh('ls /usr/lib/systemd/systemd-logind /lib/systemd/systemd-logind 2>/dev/null | head -n 1').out.trim();
        if (!logind) ns.sh('mkdir -p /usr/lib/systemd && mount -t tmpfs fake /usr/lib/systemd && touch /usr/lib/systemd/systemd-logind');
        ns.sh('mount -t tmpfs fake /run/systemd 2>/dev/null || (mkdir -p /run/systemd && mount -t tmpfs fake /run/systemd)');
        ns.sh('f=$(mktemp); printf "[Login]\\n" > $f; mount --bind $f /etc/systemd/logind.conf 2>/dev/null || true; rm -f $f');
        const doctor = (): {
          status: number | null;
          out: string;
          removeIpc: { enabled: boolean; source: string; affectsUser: boolean };
        } => {
          const r = ns.run([...USER1000, BIN, 'doctor', '--json']);
          const d = JSON.parse(r.out) as { environment: { removeIpc: { enabled: boolean; source: string; affectsUser: boolean } } };
          return { status: r.status, out: r.out, removeIpc: d.environment.removeIpc };
        };
        const idle = doctor();
        // no logind process in this PID view is checked too: only where none runs
        if (ns.run(['pgrep', '-x', 'systemd-logind']).status !== 0) {
          expect(idle.removeIpc).toEqual({
            enabled: false,
            source: 'systemd-logind is installed but does not run here: systemd is not the init system',
            affectsUser: false,
          });
          expect(idle.out).not.toContain('remove_ipc');
        }
        ns.sh('mkdir /run/systemd/system');
        const booted = doctor();
        expect(booted.removeIpc.affectsUser).toBe(booted.removeIpc.enabled);
        if (booted.removeIpc.enabled) {
          expect(booted.out).toContain('"limit": "remove_ipc"');
          expect(booted.status).toBe(1);
        }
      },
      true,
      { mount: true },
    ));

  test('doctor --json is complete; --need says 0 or 1; a small /dev/shm is a problem with its fix', () =>
    withNamespace(
      (ns) => {
        const doc = ns.cli(['doctor', '--json']);
        const d = JSON.parse(doc.out) as { environment: Record<string, unknown>; problems: unknown[]; ok: boolean };
        expect(Object.keys(d.environment).sort()).toEqual(
          [
            'cgroup',
            'commit',
            'container',
            'containerEvidence',
            'devShm',
            'hugepages',
            'memAvailable',
            'memlock',
            'pageSize',
            'pagesUsed',
            'removeIpc',
            'segments',
            'shmall',
            'shmmax',
            'shmmni',
            'uid',
          ].sort(),
        );
        const limits = ns
          .run(['sh', '-c', 'cat /proc/sys/kernel/shmmax /proc/sys/kernel/shmall /proc/sys/kernel/shmmni'])
          .out.trim()
          .split('\n');
        // 64-bit limits exactly, as JSON numbers
        expect(doc.out).toContain(`"shmmax": ${limits[0]},`);
        expect(doc.out).toContain(`"shmall": ${limits[1]},`);
        expect(d.environment.shmmni).toBe(Number(limits[2]));
        expect(d.environment.devShm).toEqual({ path: '/dev/shm', size: 512 * 2 ** 20, free: 512 * 2 ** 20 });
        expect(doc.status).toBe(d.ok ? 0 : 1);
        expect(ns.cli(['doctor', '--need', '1M']).status).toBe(d.ok ? 0 : 1);
        const tooBig = ns.cli(['doctor', '--need', '1G']);
        expect(tooBig.status).toBe(1);
        expect(tooBig.out).toMatch(/a POSIX object of 1073741824 bytes:\nSTOPS  dev_shm /);
        ns.sh('umount /dev/shm; mount -t tmpfs -o size=64m,mode=1777 small /dev/shm');
        const small = ns.cli(['doctor']);
        expect(small.status).toBe(1);
        expect(small.stderr).toBe('shmctl-ts: doctor: something stands in the way of shared memory here (see above)\n');
        expect(small.out).toMatch(
          /problems:\nSTOPS  dev_shm +\/dev\/shm is only 64 MiB \(Docker's default is 64 MiB\)\n {7}fix: mount -o remount,size=1024M \/dev\/shm\n {7}fix: docker run --shm-size=1024m/,
        );
      },
      true,
      inNs,
    ));
});
