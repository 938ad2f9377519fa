/**
 * Would this succeed here? A request (segments or objects of a size, how
 * many, huge pages, locked in memory) judged against the environment, limit by
 * limit in the order the kernel meets them; each finding says what the limit
 * is, whether it stops the request, and the exact fix. Nothing is changed.
 */
import { humanBytes as human, type Commit, type Environment, type Finding, type ShmRequest } from '../model/environment.js';

export type { Finding, ShmRequest };

/** How docker, compose and Kubernetes size /dev/shm, and the host's remount. */
function devShmFixes(bytes: number): string[] {
  const mib = Math.ceil(bytes / 2 ** 20);
  return [
    `mount -o remount,size=${mib}M /dev/shm`,
    `docker run --shm-size=${mib}m ...`,
    `compose: shm_size: '${mib}m'`,
    `kubernetes: volumes: [{name: dshm, emptyDir: {medium: Memory, sizeLimit: ${mib}Mi}}], mounted at /dev/shm`,
  ];
}

const sysctl = (name: string, value: bigint | number): string[] => [
  `sysctl -w ${name}=${value}`,
  `echo '${name} = ${value}' > /etc/sysctl.d/90-shm.conf   # to keep it`,
  ...(name.startsWith('kernel.shm') ? [`docker run --sysctl ${name}=${value} ...   # in a container (per IPC namespace)`] : []),
];

/** Every limit that applies to `req`, in the order the kernel meets them. */
export function checkRequest(env: Environment, req: ShmRequest): Finding[] {
  const total = req.size * req.count;
  return [
    ...(req.posix ? [devShmFinding(env.devShm, total)] : segmentFindings(env, req)),
    ...(env.cgroup ? [cgroupFinding(env.cgroup, total)] : []),
    ...(req.lockMemory ? [memlockFinding(env, total)] : []),
  ];
}

/** shmget's own limits: shmmax, shmall, the commit accounting (not for huge pages), shmmni; then huge pages. */
function segmentFindings(env: Environment, req: ShmRequest): Finding[] {
  return [
    shmmaxFinding(env, req),
    shmallFinding(env, req),
    ...(req.hugetlb ? [] : [commitFinding(env.commit, req, env.pageSize)]),
    shmmniFinding(env, req),
    ...(req.hugetlb ? hugePageFindings(env, req) : []),
  ];
}

function shmmaxFinding(env: Environment, req: ShmRequest): Finding {
  return {
    limit: 'shmmax',
    blocks: BigInt(req.size) > env.shmmax,
    message: `kernel.shmmax allows segments of ${env.shmmax} bytes (${human(env.shmmax)}); asked ${req.size} (${human(req.size)})`,
    fix: sysctl('kernel.shmmax', req.size),
  };
}

/** kernel.shmall counts pages of every segment, in pages of the segment's size (huge ones for SHM_HUGETLB). */
function shmallFinding(env: Environment, req: ShmRequest): Finding {
  const page = BigInt(req.hugetlb ? env.hugepages.size || env.pageSize : env.pageSize);
  const pages = ((BigInt(req.size) + page - 1n) / page) * (page / BigInt(env.pageSize)) * BigInt(req.count);
  const needPages = env.pagesUsed + pages;
  return {
    limit: 'shmall',
    blocks: needPages > env.shmall,
    message: `kernel.shmall allows ${env.shmall} pages (${human(env.shmall * BigInt(env.pageSize))}) in all; ${env.pagesUsed} in use, ${pages} more makes ${needPages}`,
    fix: sysctl('kernel.shmall', needPages),
  };
}

function shmmniFinding(env: Environment, req: ShmRequest): Finding {
  const after = BigInt(env.segments + req.count);
  return {
    limit: 'shmmni',
    blocks: after > env.shmmni,
    message: `kernel.shmmni allows ${env.shmmni} segments; ${env.segments} exist, ${req.count} more makes ${after}`,
    fix: sysctl('kernel.shmmni', after > 32768n ? 32768n : after),
  };
}

/** SHM_HUGETLB: free huge pages enough, and the right to use them. */
function hugePageFindings(env: Environment, req: ShmRequest): Finding[] {
  const perSegment = env.hugepages.size ? Math.ceil(req.size / env.hugepages.size) : Infinity;
  const need = perSegment * req.count;
  const allowed = env.uid === 0 || env.memlock.capIpcLock || process.getgroups?.().includes(env.hugepages.shmGroup) === true;
  return [
    {
      limit: 'hugepages',
      blocks: need > env.hugepages.free,
      message: `${env.hugepages.free} of ${env.hugepages.total} huge pages of ${human(env.hugepages.size)} are free; ${need} needed`,
      fix: sysctl('vm.nr_hugepages', env.hugepages.total - env.hugepages.free + (Number.isFinite(need) ? need : 0)),
    },
    {
      limit: 'hugetlb_shm_group',
      blocks: !allowed,
      message: `huge-page segments need CAP_IPC_LOCK or the group vm.hugetlb_shm_group = ${env.hugepages.shmGroup}`,
      fix: [`sysctl -w vm.hugetlb_shm_group=<a group of yours>`, 'or run with CAP_IPC_LOCK'],
    },
  ];
}

/** A POSIX object is a file in /dev/shm: its free space. */
function devShmFinding(dev: Environment['devShm'], total: number): Finding {
  return {
    limit: 'dev_shm',
    blocks: dev === null || total > dev.free,
    message:
      dev === null
        ? 'there is no /dev/shm'
        : `${dev.path} has ${dev.free} bytes (${human(dev.free)}) free of ${human(dev.size)}; asked ${total} (${human(total)})`,
    fix: devShmFixes((dev ? dev.size - dev.free : 0) + total),
  };
}

/** Shared memory is charged to the cgroup of whoever touches it: what is left of its limit. */
function cgroupFinding(cgroup: NonNullable<Environment['cgroup']>, total: number): Finding {
  const room = cgroup.limit === null ? null : cgroup.limit - (cgroup.usage ?? 0);
  return {
    limit: 'cgroup',
    blocks: room !== null && total > room,
    message:
      room === null
        ? `the cgroup ${cgroup.path} sets no memory limit`
        : `the cgroup ${cgroup.path} may use ${human(cgroup.limit!)}, ${human(cgroup.usage ?? 0)} in use: shared memory is charged to it as it is touched (beyond it: the OOM killer, or SIGBUS)`,
    fix: [
      `docker run --memory=${Math.ceil(((cgroup.usage ?? 0) + total) / 2 ** 20)}m ...`,
      'kubernetes: resources.limits.memory',
      'systemd: MemoryMax= on the unit',
    ],
  };
}

/** Locking pages in memory (SHM_LOCK) meets RLIMIT_MEMLOCK, unless root or CAP_IPC_LOCK lift it. */
function memlockFinding(env: Environment, total: number): Finding {
  const soft = env.memlock.soft;
  const lifted = env.uid === 0 || env.memlock.capIpcLock;
  const kib = Math.ceil(total / 1024);
  return {
    limit: 'memlock',
    blocks: !lifted && soft !== null && total > soft,
    message: `RLIMIT_MEMLOCK is ${soft === null ? 'unlimited' : `${soft} bytes (${human(soft)})`}${lifted ? ' (not binding: root or CAP_IPC_LOCK)' : ''}; locking ${total} bytes`,
    fix: [
      `ulimit -l ${kib}`,
      `/etc/security/limits.conf: <user> - memlock ${kib}`,
      `systemd: LimitMEMLOCK=${total}`,
      `docker run --ulimit memlock=${total}:${total} ...`,
    ],
  };
}

/**
 * shmget's charge to the commit accounting (ENOMEM), as __vm_enough_memory
 * judges it: nothing for SHM_NORESERVE (unless mode 2), nothing in mode 1;
 * mode 0 refuses one request larger than RAM + swap; mode 2 refuses what
 * would take Committed_AS to CommitLimit less the reserves (admin's without
 * CAP_SYS_ADMIN, and the creating process's share of the user reserve —
 * counted whole: its size is not known here). Each segment is one request.
 */
function commitFinding(c: Commit, req: ShmRequest, pageSize: number): Finding {
  const one = Math.ceil(req.size / pageSize) * pageSize;
  const total = one * req.count;
  const fix = [
    'create it with --noreserve (SHM_NORESERVE; pages are then found when touched, or SIGBUS)',
    ...sysctl('vm.overcommit_memory', 1),
  ];
  const setting = `vm.overcommit_memory = ${c.mode}`;
  if (c.mode === 1) return { limit: 'commit', blocks: false, message: `${setting}: the kernel commits a segment of any size`, fix };
  if (req.noreserve && c.mode !== 2)
    return {
      limit: 'commit',
      blocks: false,
      message: `${setting}: a segment with SHM_NORESERVE is not charged to the commit accounting`,
      fix,
    };
  if (c.mode !== 2)
    return {
      limit: 'commit',
      blocks: one > c.ram + c.swap,
      message: `${setting} refuses a segment larger than RAM + swap (${c.ram + c.swap} bytes, ${human(c.ram + c.swap)}); asked ${req.size} (${human(req.size)})`,
      fix,
    };
  const allowed = c.limit - (c.capSysAdmin ? 0 : c.adminReserve) - c.userReserve;
  return {
    limit: 'commit',
    blocks: c.committed + total >= allowed,
    message:
      `${setting}: CommitLimit ${human(c.limit)} less reserves leaves ${human(allowed)}, ` +
      `${human(c.committed)} committed (Committed_AS), ${human(total)} more`,
    // (SHM_NORESERVE is not honoured in this mode)
    fix: [
      'sysctl -w vm.overcommit_ratio=<a larger share of RAM>   # or vm.overcommit_kbytes, or more swap',
      ...sysctl('vm.overcommit_memory', 0),
    ],
  };
}

/** The first finding that stops the request, if any. */
export const firstBlocker = (findings: Finding[]): Finding | null => findings.find((f) => f.blocks) ?? null;

/** What doctor calls a problem without a request: limits nearly used up, Docker's small /dev/shm, RemoveIPC for this user. */
export function standingProblems(env: Environment): Finding[] {
  const out: Finding[] = [];
  if (env.shmmni > 0n && BigInt(env.segments) * 10n >= env.shmmni * 9n)
    out.push({
      limit: 'shmmni',
      blocks: true,
      message: `${env.segments} of kernel.shmmni = ${env.shmmni} segments in use`,
      fix: sysctl('kernel.shmmni', env.shmmni * 2n > 32768n ? 32768n : env.shmmni * 2n),
    });
  if (env.shmall > 0n && env.pagesUsed * 10n >= env.shmall * 9n)
    out.push({
      limit: 'shmall',
      blocks: true,
      message: `${env.pagesUsed} of kernel.shmall = ${env.shmall} pages in use`,
      fix: sysctl('kernel.shmall', env.shmall * 2n),
    });
  const dev = env.devShm;
  if (dev && dev.size <= 64 * 2 ** 20)
    out.push({
      limit: 'dev_shm',
      blocks: true,
      message: `${dev.path} is only ${human(dev.size)} (Docker's default is 64 MiB)`,
      fix: devShmFixes(1024 * 2 ** 20),
    });
  else if (dev && dev.free * 10 < dev.size)
    out.push({
      limit: 'dev_shm',
      blocks: true,
      message: `${dev.path} is ${Math.round((100 * (dev.size - dev.free)) / dev.size)}% full (${human(dev.free)} free)`,
      fix: devShmFixes(dev.size * 2),
    });
  if (env.removeIpc.affectsUser)
    out.push({
      limit: 'remove_ipc',
      blocks: true,
      message: `systemd-logind's RemoveIPC=yes (${env.removeIpc.source}) removes uid ${env.uid}'s segments and /dev/shm files at its last logout`,
      fix: [
        '/etc/systemd/logind.conf: RemoveIPC=no, then: systemctl restart systemd-logind',
        'or run the service as a system user (uid < 1000)',
      ],
    });
  return out;
}
