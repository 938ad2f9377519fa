/**
 * audit: each rule planted in a private namespace (IPC, mount, PID: its own
 * /proc, so that only the test's processes are seen), and its fixed
 * counterpart, which must not be reported; SARIF checked against the
 * published SARIF 2.1.0 schema; exit statuses, --fail-on, --ignore and an
 * ignore file; run as another user.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBeValidSarifLog } from '@microsoft/jest-sarif';
import { lockKeyFor } from '../../src/sysv/lock-set.js';
import { BIN, NOBODY, PYTHON, until, USER1000, withNamespace, type Namespace } from '../helpers/ns.js';

expect.extend({ toBeValidSarifLog });
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeValidSarifLog(): R;
    }
  }
}

interface Finding {
  rule: string;
  severity: string;
  subject: string;
  found: string;
  raised: string | null;
  fix: string;
  namespace: number | null;
}
interface Report {
  findings: Finding[];
  notes: string[];
  ignored: number;
  ok: boolean;
}

const audit = (ns: Namespace, args: string[] = [], who: string[] = []): { report: Report; status: number | null; stderr: string } => {
  const r = ns.run([...who, BIN, 'audit', '--json', ...args]);
  expect(r.stderr).toMatch(/^(shmctl-ts: audit: \d+ findings? at \w+ or above\n)?$/);
  return { report: JSON.parse(r.out) as Report, status: r.status, stderr: r.stderr };
};

const about = (report: Report, subject: string): Record<string, string> =>
  Object.fromEntries(report.findings.filter((f) => f.subject === subject).map((f) => [f.rule, f.severity]));

/** A process that prints "ready" once it holds what it holds, kept until the namespace closes. */
async function holding(ns: Namespace, cmd: string[]): Promise<ChildProcess> {
  const child = ns.start(cmd);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${cmd.join(' ')} exited (${code}) before it was ready`)));
  });
  return child;
}

const mapper = (path: string): string[] => [
  PYTHON,
  '-c',
  `import mmap, os, time\nfd = os.open(${JSON.stringify(path)}, os.O_RDWR)\nm = mmap.mmap(fd, 4096)\nprint("ready", flush=True)\ntime.sleep(1e9)`,
];

const attacher = (id: number, who: string[] = []): string[] => [
  ...who,
  PYTHON,
  '-c',
  `import ctypes, time\nlibc = ctypes.CDLL(None)\nlibc.shmat.restype = ctypes.c_void_p\nassert libc.shmat(${id}, None, 0) not in (None, 2**64 - 1)\nprint("ready", flush=True)\ntime.sleep(1e9)`,
];

const ALL = { posix: true, pid: true } as const;

/** Removes every segment and ends the processes holding any: gone once the last detaches. */
async function release(ns: Namespace): Promise<void> {
  ns.run(['ipcrm', '--all=shm']);
  ns.run(['pkill', '-f', 'time.sleep']);
  await ns.until((segments) => segments.length === 0, 'the segments gone');
}

describe('audit', () => {
  test('permissions: world and group, raised for a privileged owner and for a live channel between users; 0600 is not reported', () =>
    withNamespace(
      async (ns) => {
        const make = (key: string, mode: string, who: string[] = []): number =>
          Number(ns.run([...who, BIN, 'create', '--key', key, '--size', '4096', '--mode', mode]).out);
        make('0x11', '0666');
        make('0x12', '0644');
        make('0x13', '0620');
        make('0x14', '0640');
        make('0x15', '0600');
        const shared = make('0x16', '0666', USER1000);
        make('0x17', '0644', USER1000);
        ns.cli(['create', '/pub', '--size', '4096', '--mode', '0666']);
        ns.cli(['create', '/mine', '--size', '4096', '--mode', '0600']);
        // the audit changes nothing: modes, owners, times (attach, detach, change, access), sets
        const state = (): string =>
          ns.run(['sh', '-c', "ipcs -m -t; ipcs -m -p; ipcs -m; ipcs -s; stat -c '%n %a %U %s %x %y %z' /dev/shm/*"]).out;
        const before = state();
        let { report, status } = audit(ns);
        expect(state()).toBe(before);
        expect(status).toBe(1);
        expect(about(report, 'segment key 0x00000011')).toEqual({ 'shm-world-writable': 'critical' });
        expect(report.findings.find((f) => f.subject === 'segment key 0x00000011')).toMatchObject({
          found: 'mode 0666: writable by every user',
          raised: 'owned by root',
          fix: expect.stringMatching(/^shmctl-ts set \d+ --mode 0660 /),
        });
        expect(about(report, 'segment key 0x00000012')).toEqual({ 'shm-world-readable': 'high' });
        expect(about(report, 'segment key 0x00000013')).toEqual({ 'shm-group-writable': 'medium' });
        expect(about(report, 'segment key 0x00000014')).toEqual({ 'shm-group-readable': 'low' });
        expect(about(report, 'segment key 0x00000015')).toEqual({});
        expect(about(report, 'segment key 0x00000016')).toEqual({ 'shm-world-writable': 'high' }); // an ordinary user's, unused
        expect(about(report, 'segment key 0x00000017')).toEqual({ 'shm-world-readable': 'medium' });
        expect(about(report, 'object /pub')).toEqual({ 'shm-world-writable': 'critical' });
        expect(about(report, 'object /mine')).toEqual({});
        // the user's 0666 segment attached by two users: a live channel between them
        await holding(ns, attacher(shared, USER1000));
        await holding(ns, attacher(shared, NOBODY));
        ({ report } = audit(ns));
        expect(about(report, 'segment key 0x00000016')).toEqual({ 'shm-world-writable': 'critical', 'shm-owner-not-holder': 'medium' });
        expect(report.findings.find((f) => f.rule === 'shm-world-writable' && f.subject === 'segment key 0x00000016')!.raised).toBe(
          'attached or mapped by processes of 2 users: a live channel between them',
        );
        // fixed: set --mode takes them all away
        for (const s of ns.segments()) ns.cli(['set', String(s.id), '--mode', '0600']);
        ns.cli(['set', '/pub', '--mode', '0600']);
        ({ report } = audit(ns));
        expect(report.findings.filter((f) => f.rule.startsWith('shm-') && f.rule.includes('able'))).toEqual([]);
        await release(ns);
        ns.cli(['rm', '/pub', '/mine']);
      },
      true,
      ALL,
    ));

  test("an object owned by another user than its holders (high when a root process uses an ordinary user's), a fixed name of a root program, an untrusted lock set", () =>
    withNamespace(
      async (ns) => {
        // nobody makes the name first; a root process then opens and maps it
        ns.run([...NOBODY, BIN, 'create', '/squat', '--size', '4096', '--mode', '0600']);
        ns.cli(['create', '/own', '--size', '4096', '--mode', '0600']);
        await holding(ns, mapper('/dev/shm/squat'));
        await holding(ns, mapper('/dev/shm/own'));
        const kept = Number(ns.cli(['create', '--key', '0x21', '--size', '4096', '--mode', '0600']).out);
        const priv = Number(ns.cli(['create', '--private', '--size', '4096', '--mode', '0600']).out);
        await holding(ns, attacher(kept));
        await holding(ns, attacher(priv));
        const locked = Number(ns.cli(['create', '--key', '0x22', '--size', '8', '--mode', '0600']).out);
        const semid = Number(
          ns.run([...NOBODY, PYTHON, '-c', `import ctypes; print(ctypes.CDLL(None).semget(${lockKeyFor(locked)}, 1, 0o1666))`]).out,
        );
        expect(semid).toBeGreaterThanOrEqual(0);
        const { report } = audit(ns);
        expect(about(report, 'object /squat')).toEqual({ 'shm-owner-not-holder': 'high' });
        expect(report.findings.find((f) => f.subject === 'object /squat')).toMatchObject({
          found: 'owned by uid 65534, used by processes of uid 0',
          raised: 'a privileged process (uid 0) uses what an ordinary user owns',
        });
        expect(about(report, 'object /own')).toEqual({ 'shm-squattable-name': 'low' });
        expect(about(report, 'segment key 0x00000021')).toEqual({ 'shm-squattable-name': 'low' });
        expect(about(report, `segment id ${priv}`)).toEqual({}); // IPC_PRIVATE: nobody can make it first
        expect(about(report, 'segment key 0x00000022')).toEqual({ 'untrusted-lock-set': 'medium' });
        ns.run(['ipcrm', '-s', String(semid)]);
        expect(about(audit(ns).report, 'segment key 0x00000022')).toEqual({});
        await release(ns);
        ns.cli(['rm', '/squat', '/own']);
      },
      true,
      ALL,
    ));

  test('/dev/shm without nodev, nosuid, noexec, and kernel.shm_rmid_forced; remounted and set, nothing', () =>
    withNamespace(
      (ns) => {
        let { report } = audit(ns);
        expect(about(report, 'mount /dev/shm')).toEqual({ 'devshm-nodev': 'medium', 'devshm-nosuid': 'medium', 'devshm-noexec': 'low' });
        expect(report.findings.find((f) => f.rule === 'devshm-noexec')!.fix).toMatch(/^mount -o remount,noexec \/dev\/shm;/);
        ns.run(['sysctl', '-qw', 'kernel.shm_rmid_forced=0']);
        expect(about(audit(ns).report, 'sysctl kernel.shm_rmid_forced')).toEqual({ 'sysctl-shm-rmid-forced': 'info' });
        expect(ns.run(['mount', '-o', 'remount,nodev,nosuid,noexec', '/dev/shm']).status).toBe(0);
        expect(ns.run(['sysctl', '-qw', 'kernel.shm_rmid_forced=1']).status).toBe(0);
        ({ report } = audit(ns));
        expect(about(report, 'mount /dev/shm')).toEqual({});
        expect(about(report, 'sysctl kernel.shm_rmid_forced')).toEqual({});
        // vm.memfd_noexec is the PID namespace's (this test has its own, which may raise it, never lower it)
        const memfd = ns.run(['cat', '/proc/sys/vm/memfd_noexec']);
        if (memfd.status === 0) {
          const found = about(report, 'sysctl vm.memfd_noexec');
          expect(found).toEqual(memfd.out.trim() === '0' ? { 'sysctl-memfd-noexec': 'low' } : {});
          expect(ns.run(['sysctl', '-qw', 'vm.memfd_noexec=1']).status).toBe(0);
          expect(about(audit(ns).report, 'sysctl vm.memfd_noexec')).toEqual({});
        } else expect(audit(ns).report.notes.join('\n')).toMatch(/vm\.memfd_noexec is not there/);
      },
      true,
      ALL,
    ));

  test('a process running from a memfd or from /dev/shm is named (high); one running from a file on disk is not', () =>
    withNamespace(
      async (ns) => {
        const fromMemfd = [
          PYTHON,
          '-c',
          'import os, sys\n' +
            'try: fd = os.memfd_create("payload", 0x10)\nexcept OSError: fd = os.memfd_create("payload", 0)\n' +
            'os.write(fd, open("/bin/sleep", "rb").read())\nprint("ready", flush=True)\n' +
            'os.execv(f"/proc/self/fd/{fd}", ["payload", "infinity"])',
        ];
        ns.start(fromMemfd);
        ns.run(['cp', '/bin/sleep', '/dev/shm/runme']);
        ns.start(['/dev/shm/runme', 'infinity']);
        ns.start(['sleep', 'infinity']);
        // and one that maps a /dev/shm file executable (its program is python's own, on disk)
        ns.run(['sh', '-c', 'head -c 4096 /dev/zero > /dev/shm/code']);
        await holding(ns, [
          PYTHON,
          '-c',
          'import mmap, os, time\nfd = os.open("/dev/shm/code", os.O_RDONLY)\n' +
            'm = mmap.mmap(fd, 4096, prot=mmap.PROT_READ | mmap.PROT_EXEC)\nprint("ready", flush=True)\ntime.sleep(1e9)',
        ]);
        const exe = (): string[] =>
          ns
            .run(['sh', '-c', 'for p in /proc/[0-9]*; do readlink $p/exe; done'])
            .out.split('\n')
            .filter((l) => /memfd:payload|\/dev\/shm\/runme/.test(l));
        await ns.until(() => exe().length === 2, 'both running');
        const { report } = audit(ns);
        const code = report.findings.filter((f) => f.rule === 'exec-from-shared-memory');
        // (the memfd's program is named by its descriptor: fexecve of /proc/self/fd/N makes its comm "N")
        const mapped = report.findings.find(
          (f) => f.rule === 'exec-from-shared-memory' && f.found.endsWith('maps /dev/shm/code executable'),
        );
        expect(mapped).toMatchObject({
          severity: 'medium',
          raised: 'an executable mapping, not its program: some JIT compilers do this too',
        });
        expect(
          code
            .filter((f) => f !== mapped)
            .map((f) => [f.severity, f.found.replace(/^pid \d+ \([^,]*, /, 'pid N (…, ')])
            .sort(),
        ).toEqual([
          ['high', 'pid N (…, uid 0) runs /dev/shm/runme'],
          ['high', 'pid N (…, uid 0) runs /memfd:payload (deleted)'],
        ]);
        expect(code.some((f) => f.found.includes('sleep'))).toBe(false);
        // (by their own command lines: the namespace's first process is a sleep too)
        ns.run(['pkill', '-f', '^(payload|/dev/shm/runme) infinity$']);
        ns.run(['pkill', '-f', 'PROT_EXEC']);
        await ns.until(() => exe().length === 0, 'both gone');
        ns.run(['rm', '/dev/shm/runme', '/dev/shm/code']);
      },
      true,
      ALL,
    ));

  test('SARIF 2.1.0 valid against the published schema; --fail-on, --ignore and an ignore file decide the exit status', () =>
    withNamespace(
      (ns) => {
        ns.cli(['create', '--key', '0x31', '--size', '4096', '--mode', '0666']);
        ns.cli(['create', '/pub', '--size', '4096', '--mode', '0644']);
        const sarif = ns.run([BIN, 'audit', '--sarif']);
        expect(sarif.status).toBe(1);
        const log = JSON.parse(sarif.out);
        expect(log).toBeValidSarifLog();
        // the check can fail: a log without its version is not SARIF
        expect(() => expect({ ...log, version: undefined }).toBeValidSarifLog()).toThrow();
        const run = log.runs[0];
        const ids = run.tool.driver.rules.map((r: { id: string }) => r.id) as string[];
        expect(ids).toContain('shm-world-writable');
        // --help names every rule (the refusal of an unknown one sends the reader there)
        const help = ns.run([BIN, 'audit', '--help']).out.replace(/\s+/g, ' ');
        expect(ids.filter((id) => !help.includes(id))).toEqual([]);
        const result = run.results.find((r: { ruleId: string }) => r.ruleId === 'shm-world-writable');
        expect(result).toMatchObject({ level: 'error', locations: [{ logicalLocations: [{ name: 'segment key 0x00000031' }] }] });
        expect(run.tool.driver.rules[result.ruleIndex].id).toBe('shm-world-writable');
        // exit status: 1 at or above high by default; 0 with the high ones ignored or accepted
        expect(audit(ns).status).toBe(1);
        expect(audit(ns, ['--fail-on', 'critical', '--ignore', 'shm-world-writable'])).toMatchObject({ status: 0, report: { ok: true } });
        const dir = mkdtempSync(join(tmpdir(), 'shmctl-ts-audit-'));
        try {
          const file = join(dir, 'accepted');
          writeFileSync(
            file,
            '# accepted after review\nshm-world-writable segment key 0x00000031\nshm-world-readable object /pub  # a test\n',
          );
          const accepted = audit(ns, ['--ignore-file', file]);
          expect(accepted.report.findings.filter((f) => f.rule.startsWith('shm-world'))).toEqual([]);
          expect(accepted.report.ignored).toBe(2);
          expect(accepted.status).toBe(0);
          // a FIFO in its place is refused at once, a missing file is one line
          const fifo = join(dir, 'fifo');
          expect(ns.run(['mkfifo', fifo]).status).toBe(0);
          expect(ns.run([BIN, 'audit', '--ignore-file', fifo])).toMatchObject({
            status: 2,
            out: '',
            stderr: `shmctl-ts: audit: ${fifo}: not a regular file (an ignore file is a list of rules)\n`,
          });
          expect(ns.run([BIN, 'audit', '--ignore-file', join(dir, 'none')])).toMatchObject({ status: 1, out: '' });
          writeFileSync(file, 'shm-world-writeable\n');
          expect(ns.run([BIN, 'audit', '--ignore-file', file])).toMatchObject({
            status: 2,
            out: '',
            stderr: `shmctl-ts: audit: ${file}:1: no rule 'shm-world-writeable' (shmctl-ts audit --help lists them)\n`,
          });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        expect(ns.run([BIN, 'audit', '--fail-on', 'severe'])).toMatchObject({ status: 2, out: '' });
        expect(ns.run([BIN, 'audit', '--json', '--sarif'])).toMatchObject({
          status: 2,
          out: '',
          stderr: 'shmctl-ts: audit: --json and --sarif: give one\n',
        });
        ns.run(['ipcrm', '--all=shm']);
        ns.cli(['rm', '/pub']);
      },
      true,
      ALL,
    ));

  test('as another user: what it may not read is said, never taken as nothing there', () =>
    withNamespace(
      async (ns) => {
        ns.cli(['create', '/held', '--size', '4096', '--mode', '0644']);
        await holding(ns, mapper('/dev/shm/held'));
        const { report } = audit(ns, [], NOBODY);
        expect(report.notes.join('\n')).toMatch(/processes? could not be read .*: what they hold is not known \(run as root\)/);
        expect(report.notes.join('\n')).toMatch(/: the code they run was not checked \(run as root\)/);
        expect(about(report, 'object /held')).toEqual({ 'shm-world-readable': 'high' });
        ns.run(['pkill', '-f', 'mmap']);
        ns.cli(['rm', '/held']);
      },
      true,
      ALL,
    ));

  test("--ns PID audits a container's segments, objects and /dev/shm mount; --all-namespaces each namespace, the host's too", () =>
    withNamespace(
      async (ns) => {
        ns.run(['mount', '-o', 'remount,nodev,nosuid,noexec', '/dev/shm']);
        ns.cli(['create', '--key', '0x42', '--size', '4096', '--mode', '0666']);
        // the container: its own IPC namespace and /dev/shm, without nodev, nosuid, noexec, holding a 0666 segment and object
        const script = [
          'mount -t tmpfs -o size=4m,mode=1777 inner /dev/shm',
          // (left at 0: with 1 the kernel would remove the segment as soon as its maker exits)
          `${PYTHON} -c "import ctypes; ctypes.CDLL(None).shmget(0x41, 4096, 0o1666)"`,
          'printf x > /dev/shm/open && chmod 666 /dev/shm/open',
          'echo "ready $$"',
          'exec sleep infinity',
        ].join('; ');
        const proc = ns.start(['unshare', '--ipc', '--mount', '--propagation', 'private', 'sh', '-c', script]);
        let said = '';
        proc.stdout!.on('data', (d: Buffer) => (said += d.toString()));
        await until(() => /^ready \d+\n/.test(said), 'the container set up');
        const pid = Number(/^ready (\d+)/.exec(said)![1]);
        // ("ready" comes just before the exec: wait for its sleep itself)
        const command = (): string =>
          ns
            .run(['cat', `/proc/${pid}/cmdline`])
            .stdout.toString()
            .replace(/\0/g, ' ');
        await until(() => command() === 'sleep infinity ', 'the container settled');
        // and an IPC namespace of its own that shares our /dev/shm (unshare --ipc alone), holding a 0666 segment
        const shared = ns.start([
          'unshare',
          '--ipc',
          PYTHON,
          '-c',
          'import ctypes,os,time; ctypes.CDLL(None).shmget(0x43, 4096, 0o1666); print("ready", os.getpid(), flush=True); time.sleep(60)',
        ]);
        let sharedSaid = '';
        shared.stdout!.on('data', (d: Buffer) => (sharedSaid += d.toString()));
        await until(() => /^ready \d+\n/.test(sharedSaid), 'the namespace that shares /dev/shm');
        const sharedPid = Number(/^ready (\d+)/.exec(sharedSaid)![1]);
        const inContainer = audit(ns, ['--ns', String(pid)]).report;
        expect(about(inContainer, 'segment key 0x00000041')).toEqual({ 'shm-world-writable': 'critical' });
        expect(about(inContainer, 'object /open')).toEqual({ 'shm-world-writable': 'critical' });
        expect(about(inContainer, `mount /dev/shm of pid ${pid}`)).toEqual({
          'devshm-nodev': 'medium',
          'devshm-nosuid': 'medium',
          'devshm-noexec': 'low',
        });
        // ours, audited as it is: none of the container's
        expect(audit(ns).report.findings.filter((f) => /0x00000041|\/open|of pid/.test(f.subject))).toEqual([]);
        const everywhere = ns.run([BIN, 'audit', '--all-namespaces', '--json']);
        expect(everywhere.status).toBe(1); // findings at high or above: not 2 (a namespace without a /dev/shm of its own)
        const report = JSON.parse(everywhere.out) as Report;
        // each namespace's findings, as "rule subject", by a process in it
        const findingsIn = (proc: number | 'self'): string[] => {
          const inode = Number(/\[(\d+)\]/.exec(ns.run(['readlink', `/proc/${proc}/ns/ipc`]).out)![1]);
          return report.findings
            .filter((f) => f.namespace === inode)
            .map((f) => `${f.rule} ${f.subject}`)
            .sort();
        };
        // the namespace that shares our /dev/shm: its segment, and no object or mount twice
        expect(findingsIn(sharedPid)).toEqual([
          'shm-world-writable segment key 0x00000043',
          'sysctl-shm-rmid-forced sysctl kernel.shm_rmid_forced',
        ]);
        expect(findingsIn(pid)).toEqual(
          [
            'shm-world-writable segment key 0x00000041',
            'shm-world-writable object /open',
            'sysctl-shm-rmid-forced sysctl kernel.shm_rmid_forced',
            `devshm-nodev mount /dev/shm of pid ${pid}`,
            `devshm-nosuid mount /dev/shm of pid ${pid}`,
            `devshm-noexec mount /dev/shm of pid ${pid}`,
          ].sort(),
        );
        // the test's own namespace is audited too (as the host's would be), and the machine-wide checks come once
        expect(findingsIn('self')).toEqual([
          'shm-world-writable segment key 0x00000042',
          'sysctl-shm-rmid-forced sysctl kernel.shm_rmid_forced',
        ]);
        expect(report.findings.filter((f) => f.rule === 'sysctl-memfd-noexec').length).toBeLessThanOrEqual(1);
        expect(ns.run([BIN, 'audit', '--all-namespaces', '--ns', String(pid)])).toMatchObject({ status: 2, out: '' });
        proc.kill('SIGKILL');
        shared.kill('SIGKILL');
        ns.run(['kill', String(pid)]);
        ns.run(['ipcrm', '-M', '0x42']);
      },
      true,
      ALL,
    ));

  test('on a terminal: a table, most severe first, severities in colour (none with NO_COLOR); piped: plain lines', () =>
    withNamespace(
      (ns) => {
        ns.cli(['create', '--key', '0x51', '--size', '4096', '--mode', '0666']);
        // a name planted to command a terminal: shown escaped, never raw
        ns.run([PYTHON, '-c', "import os; os.close(os.open(b'/dev/shm/t\\x1b]0;owned\\x07\\x1b[2J', os.O_CREAT | os.O_WRONLY, 0o666))"]);
        ns.run(['sh', '-c', 'chmod 666 /dev/shm/t*']);
        const onTTY = (env: NodeJS.ProcessEnv = {}): string =>
          ns.run(['script', '-qec', `${BIN} audit --ignore exec-from-shared-memory`, '/dev/null'], { env }).out.replace(/\r\n/g, '\n');
        const table = onTTY();
        expect(table).toMatch(/^┌/);
        expect(table).toMatch(/│ 1 │ critical │ shm-world-writable +│ segment key 0x00000051 +│ mode 0666: writable by every user +│/);
        expect(table).toMatch(/^1\. \x1b\[31m\x1b\[1mcritical\x1b\[22m\x1b\[39m \(owned by root\): any local user can change/m);
        expect(table).toMatch(/^ {3}fix: shmctl-ts set \d+ --mode 0660 /m);
        expect(onTTY({ NO_COLOR: '1' })).not.toContain('\x1b');
        expect(table.replace(/\x1b\[[0-9;]*m/g, '')).not.toContain('\x1b'); // nothing but our own colours
        expect(table).toContain('object /t\\x1b]0;owned\\x07\\x1b[2J');
        const piped = ns.run([BIN, 'audit', '--ignore', 'exec-from-shared-memory']).out;
        expect(piped).not.toContain('│');
        expect(piped).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
        expect(piped).toContain('shm-world-writable: object /t\\x1b]0;owned\\x07\\x1b[2J\n');
        expect(piped).toMatch(/^critical shm-world-writable: segment key 0x00000051\n {9}found: mode 0666: writable by every user\n/m);
        ns.run(['ipcrm', '-M', '0x51']);
        ns.run(['sh', '-c', 'rm /dev/shm/t*']);
      },
      true,
      ALL,
    ));
});
