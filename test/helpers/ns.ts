/**
 * A private IPC namespace per test: `unshare --ipc sleep infinity` holds it
 * open, and every command runs in it through `nsenter`. Closing checks that
 * the test left no segment behind, then ends the namespace (and with it
 * anything still in it).
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseProcShm } from '../../src/kernel/proc-shm.js';
import type { SegmentRecord } from '../../src/model/record.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/shmctl-ts`;

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** stdout as text */
  out: string;
}

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.NODE_OPTIONS;
  return env;
};

function toResult(r: SpawnSyncReturns<Buffer>): RunResult {
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString(), out: r.stdout.toString() };
}

export class Namespace {
  /** Commands started with start(): killed when the namespace closes. */
  private readonly started: ChildProcess[] = [];
  /** Has a private /dev/shm, checked empty at close. */
  private posix = false;

  private constructor(
    readonly pid: number,
    private readonly holder: ChildProcess,
    private readonly mount: boolean,
    private readonly pidNs: boolean,
  ) {}

  /**
   * With `mount`, the namespace has its own mounts too, so a test may bind a
   * file of its own over /etc/passwd (names that no real user has). With
   * `pid`, a PID namespace and its own /proc too: only its processes are
   * seen (and pids can be chosen through ns_last_pid).
   */
  static async create(opts: { mount?: boolean; posix?: boolean; pid?: boolean } = {}): Promise<Namespace> {
    const pidNs = opts.pid ?? false;
    const mount = (opts.mount ?? false) || (opts.posix ?? false) || pidNs;
    const flags = mount ? ['--ipc', '--mount', '--propagation', 'private'] : ['--ipc'];
    const holder = spawn(
      'unshare',
      [...flags, ...(pidNs ? ['--pid', '--fork', '--mount-proc', '--kill-child'] : []), 'sleep', 'infinity'],
      {
        stdio: 'ignore',
      },
    );
    const mine = readlinkSync('/proc/self/ns/ipc');
    for (let i = 0; i < 500; i++) {
      try {
        // with --fork, the namespace's first process is unshare's child
        const pid = pidNs
          ? Number(readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'latin1').trim().split(' ')[0])
          : holder.pid!;
        if (pid > 0 && readlinkSync(`/proc/${pid}/ns/ipc`) !== mine) {
          const ns = new Namespace(pid, holder, mount, pidNs);
          // POSIX objects live in /dev/shm: a private tmpfs there keeps the host's untouched.
          if (opts.posix) {
            const r = ns.run(['mount', '-t', 'tmpfs', '-o', 'mode=1777,size=512m', 'shmctl-ts-test', '/dev/shm']);
            if (r.status !== 0) throw new Error(`cannot mount a private /dev/shm: ${r.stderr}`);
            ns.posix = true;
          }
          return ns;
        }
      } catch {
        /* not there yet */
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    holder.kill('SIGKILL');
    throw new Error('unshare --ipc did not make a namespace');
  }

  private enter(cmd: string[]): string[] {
    return ['--target', String(this.pid), '--ipc', ...(this.mount ? ['--mount'] : []), ...(this.pidNs ? ['--pid'] : []), '--', ...cmd];
  }

  /** Run a command in the namespace and wait for it. */
  run(cmd: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): RunResult {
    return toResult(
      spawnSync('nsenter', this.enter(cmd), {
        input: opts.input,
        env: { ...baseEnv(), ...opts.env },
        maxBuffer: 1 << 30,
        timeout: 120_000,
      }),
    );
  }

  /** Our binary, in the namespace. */
  cli(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): RunResult {
    return this.run([BIN, ...args], opts);
  }

  /** A bash script, in the namespace. */
  sh(script: string, opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): RunResult {
    return this.run(['bash', '-c', script], opts);
  }

  /** Start a command in the namespace without waiting. */
  start(cmd: string[]): ChildProcess {
    const child = spawn('nsenter', this.enter(cmd), { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.started.push(child);
    return child;
  }

  /** The kernel's own list for this namespace. */
  segments(): SegmentRecord[] {
    const r = this.run(['cat', '/proc/sysvipc/shm']);
    return parseProcShm(r.out);
  }

  /** What the namespace's /dev/shm holds, by the real ls. */
  objects(): string[] {
    return this.run(['ls', '-A', '/dev/shm']).out.split('\n').filter(Boolean);
  }

  /** Wait until `test` holds for the segment list (attachers are asynchronous). */
  async until(test: (segments: SegmentRecord[]) => boolean, what: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if (test(this.segments())) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for: ${what}`);
  }

  /** Create with the real ipcmk; returns the id. */
  ipcmk(size: number | string, mode = '0644'): number {
    const r = this.run(['ipcmk', '-M', String(size), '-p', mode]);
    const m = /Shared memory id: (\d+)/.exec(r.out);
    if (!m) throw new Error(`ipcmk failed: ${r.stderr}`);
    return Number(m[1]);
  }

  /**
   * End the namespace. With `expectEmpty` (the default) first check that the
   * test removed everything it made.
   */
  async close(expectEmpty = true): Promise<void> {
    // A test that failed half-way may leave its background commands running.
    for (const child of this.started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const left = expectEmpty ? this.segments() : [];
    const objects = expectEmpty && this.posix ? this.objects() : [];
    this.holder.kill('SIGKILL');
    await new Promise((r) => (this.holder.exitCode !== null ? r(null) : this.holder.once('exit', r)));
    if (left.length) throw new Error(`segments left behind: ${left.map((s) => s.id).join(', ')}`);
    if (objects.length) throw new Error(`POSIX objects left behind: ${objects.join(', ')}`);
  }
}

/** Run `body` with a fresh namespace, closed (and checked empty) afterwards. */
export async function withNamespace<T>(
  body: (ns: Namespace) => Promise<T> | T,
  expectEmpty = true,
  opts: { mount?: boolean; posix?: boolean; pid?: boolean } = {},
): Promise<T> {
  const ns = await Namespace.create(opts);
  let result: T;
  try {
    result = await body(ns);
  } catch (e) {
    await ns.close(false);
    throw e;
  }
  await ns.close(expectEmpty);
  return result;
}

/** The exit status as a shell reports it: 128+N for a process that signal N ended. */
export function exited(child: ChildProcess): Promise<number | null> {
  const status = (code: number | null, signal: NodeJS.Signals | null): number | null =>
    code ?? (signal ? 128 + constants.signals[signal] : null);
  return new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null
      ? r(status(child.exitCode, child.signalCode))
      : child.once('exit', (code, signal) => r(status(code, signal))),
  );
}

/** Run a command as nobody (65534) or as user 1000, with no supplementary groups. */
export const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
export const USER1000 = ['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups'];

/** The system's python3 (a per-user install may not be open to nobody). */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Wait until `test` holds (20 ms steps, 6 s at most). */
export async function until(test: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/**
 * A python process that creates a segment with `key` and sleeps, its command
 * line ending in `arg`: a creator whose COMMAND the views show. Kill it when done.
 */
export async function pythonCreator(ns: Namespace, key: number, arg: string): Promise<ChildProcess> {
  const holder = ns.start([PYTHON, '-c', `import ctypes, time; ctypes.CDLL(None).shmget(${key}, 64, 0o1644); time.sleep(30)`, arg]);
  await ns.until((s) => s.some((x) => x.key === key), 'the python creator');
  return holder;
}

/**
 * Shell functions for scripts that must wait for a state, never for a time
 * (50 ms steps, 60 s at most, then status 1):
 * - `written PATTERN BYTES`: a process whose command line matches PATTERN
 *   has written at least BYTES (/proc/PID/io wchar);
 * - `mapped PATH`: some process maps PATH (/proc/PID/maps);
 * - `allocated PATH BLOCKS`: the file has at least BLOCKS 512-byte blocks;
 * - `exists PATH`: the file is there.
 */
export const WAIT_FOR = [
  'poll() { i=0; while [ $i -lt 1200 ]; do "$@" && return 0; i=$((i + 1)); sleep 0.05; done; echo "timed out: $*" >&2; return 1; }',
  'wrote() { for p in $(pgrep -f "$1"); do [ "$(awk \'/^wchar/ {print $2}\' /proc/$p/io 2>/dev/null || echo 0)" -ge "$2" ] && return 0; done; return 1; }',
  'written() { poll wrote "$@"; }',
  'maps() { grep -qs " $1\\$" /proc/[0-9]*/maps; }',
  'mapped() { poll maps "$1"; }',
  'blocks() { [ "$(stat -c %b "$1")" -ge "$2" ]; }',
  'allocated() { poll blocks "$@"; }',
  'exists() { poll test -e "$1"; }',
  '',
].join('\n');
