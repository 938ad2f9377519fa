// `npm run bench`, sections "copies" and "hex": moving bytes between files, pipes and shared memory, against cat on
// the same memory; every side checked once to deliver the very bytes (cksum) before it is timed.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { enter, memory, output, pair, peakAnon, quick } from './lib.mjs';

const cksum = (cmd) => output(`( ${cmd} ) | cksum`).trim();

export async function copies({ BIN, ref, work, createSegment, removeSegment, createPosix }) {
  const size = quick ? 64 << 20 : 1 << 30;
  const label = quick ? '64 MiB' : '1 GiB';
  const file = join(work, 'payload');
  const copyOut = join(work, 'copy-out');
  const asNobody = 'setpriv --reuid=65534 --regid=65534 --clear-groups';
  const asUser = (cmd) => `${asNobody} sh -c '${cmd}'`;
  if (!enter('copies')) return hex({ BIN, work, createSegment, removeSegment });
  execFileSync('sh', ['-c', `head -c ${size} /dev/urandom > ${file}`]);
  const expected = cksum(`cat ${file}`);
  const same = (got, what) => {
    if (got !== expected) throw new Error(`${what}: cksum ${got}, expected ${expected} (the source's)`);
    return 'the source bytes (cksum)';
  };
  /** A side that reads: `out` prints what it delivers. */
  const delivers = (side) => same(cksum(side.out), side.label);
  /** A side that writes: the target emptied first, then the command, then the target's bytes (`content`). */
  const fills = (zero, content) => (side) => {
    output(zero(side));
    output(side.cmd);
    return same(cksum(content(side)), side.label);
  };

  // Memory freed a while ago may have been handed back to the host (a virtual machine's free page reporting, as on
  // this Firecracker VM): touching it again costs a fault in the host, ~10 µs a page. The kernel hands out recently
  // freed memory first, so each timed write of the conditioned rows starts with the same pool of it, larger than any
  // side needs: what is measured is the copy, not which side drew the pages the host took back. The row "as a user
  // does it" has no such conditioning.
  const warmPool = () => {
    const pool = join(work, 'warm-pool');
    execFileSync('sh', ['-c', `head -c ${size + (256 << 20)} /dev/zero > ${pool}; rm -f ${pool}`]);
  };
  const shmTarget = join(work, 'copy');
  const beforeWrite = (ours) => (c) => {
    if (c.label.startsWith('cat')) rmSync(shmTarget, { force: true });
    else ours();
    warmPool();
  };

  // a fresh segment for every write
  let segment = null;
  const fresh = (mode = 0o600) => {
    if (segment !== null) removeSegment(segment);
    segment = createSegment({ key: 0, size, mode }).id;
  };
  const freshFills = (side) => same(cksum(side.label.startsWith('cat') ? `cat ${shmTarget}` : `${BIN} read ${segment}`), side.label);
  const writeFresh = (side) => (output(side.cmd), freshFills(side));
  const writers = [{ label: 'cat > /dev/shm', cmd: `cat ${file} > ${shmTarget}` }];
  if (ref)
    writers.unshift({
      label: 'C shmget+read()',
      get cmd() {
        return `${ref} write ${segment} < ${file}`;
      },
    });
  const ourWrite = {
    label: 'shmctl-ts write',
    get cmd() {
      return `${BIN} write ${segment} --file ${file}`;
    },
  };
  pair(`write ${label} file → fresh segment, on a pool of freed memory`, ourWrite, writers, {
    runs: quick ? 3 : 11,
    setup: beforeWrite(fresh),
    target: { peer: 'cat > /dev/shm', op: '≥', value: 1.0 },
    kind: 'throughput',
    check: writeFresh,
  });
  // As a user does it, from nothing to nothing: three commands against cat and rm, no pool made ahead.
  const userWay = `i=$(${BIN} create --private --size ${size}) && ${BIN} write "$i" --file ${file} && ${BIN} rm "$i"`;
  pair(
    `create, write ${label} file, rm: as a user does it`,
    {
      label: 'shmctl-ts create; write --file; rm',
      cmd: userWay,
      out: `i=$(${BIN} create --private --size ${size}) && ${BIN} write "$i" --file ${file} && ${BIN} read "$i" && ${BIN} rm "$i"`,
    },
    [
      {
        label: 'cat > /dev/shm/x; rm',
        cmd: `cat ${file} > ${shmTarget} && rm ${shmTarget}`,
        out: `cat ${file} > ${shmTarget} && cat ${shmTarget} && rm ${shmTarget}`,
      },
    ],
    { runs: quick ? 3 : 11, target: { op: '≤', value: 1.0 }, check: delivers },
  );
  execFileSync('chmod', ['755', work]);
  execFileSync('chmod', ['644', file]);
  const nobodyTarget = '/dev/shm/bench-nobody-copy';
  pair(
    `write ${label} file → fresh segment, as an unprivileged user`,
    {
      label: 'shmctl-ts write',
      get cmd() {
        return `${asNobody} ${BIN} write ${segment} --file ${file}`;
      },
    },
    [{ label: 'cat > /dev/shm', cmd: `${asNobody} sh -c 'cat ${file} > ${nobodyTarget}'` }],
    {
      runs: quick ? 3 : 7,
      setup: (c) => {
        if (c.label.startsWith('cat')) rmSync(nobodyTarget, { force: true });
        else fresh(0o666);
        warmPool();
      },
      kind: 'throughput',
      check: (side) => (
        output(side.cmd),
        same(cksum(side.label.startsWith('cat') ? `cat ${nobodyTarget}` : `${BIN} read ${segment}`), side.label)
      ),
    },
  );
  rmSync(nobodyTarget, { force: true });

  // Segment copies against cat of the same memory: the segment's own file, reached through /proc/PID/map_files of an
  // attachment another process holds (as root: it needs CAP_SYS_ADMIN), with `1<>` (read-write, no truncation) so
  // that a write goes into the segment's existing pages, as ours does.
  fresh(0o666);
  output(`${BIN} write ${segment} --file ${file}`);
  const holder = spawn(BIN, ['attach', String(segment), '-q'], { stdio: 'ignore' });
  const segmentFile = await mapFileOf(holder.pid, segment);
  const copyRuns = { runs: quick ? 3 : 7, kind: 'throughput' };
  const zeroSegment = () => `head -c ${size} /dev/zero | ${BIN} write ${segment}`;
  const segmentBytes = () => `${BIN} read ${segment}`;
  const catSeg = "cat segment's file";
  pair(
    `read ${label} segment → /dev/null (not a copy: /dev/null never touches what it is handed)`,
    { label: 'shmctl-ts read', cmd: `${BIN} read ${segment} > /dev/null`, out: `${BIN} read ${segment}` },
    [
      { label: catSeg, cmd: `cat ${segmentFile} > /dev/null`, out: `cat ${segmentFile}` },
      ...(ref ? [{ label: 'C shmat+write()', cmd: `${ref} read ${segment} > /dev/null`, out: `${ref} read ${segment}` }] : []),
    ],
    { ...copyRuns, check: delivers },
  );
  const beforeCopyOut = () => {
    rmSync(copyOut, { force: true });
    warmPool();
  };
  pair(
    `read ${label} segment → pipe`,
    { label: 'shmctl-ts read | cat', cmd: `${BIN} read ${segment} | cat > /dev/null`, out: `${BIN} read ${segment} | cat` },
    [{ label: `${catSeg} | cat`, cmd: `cat ${segmentFile} | cat > /dev/null`, out: `cat ${segmentFile} | cat` }],
    { ...copyRuns, target: { op: '≥', value: 1.0 }, check: delivers },
  );
  pair(
    `read ${label} segment → file on tmpfs`,
    {
      label: 'shmctl-ts read > file',
      cmd: `${BIN} read ${segment} > ${copyOut}`,
      out: `${BIN} read ${segment} > ${copyOut} && cat ${copyOut}`,
    },
    [{ label: `${catSeg} > file`, cmd: `cat ${segmentFile} > ${copyOut}`, out: `cat ${segmentFile} > ${copyOut} && cat ${copyOut}` }],
    { ...copyRuns, setup: beforeCopyOut, target: { op: '≥', value: 1.0 }, check: delivers },
  );
  pair(
    `write ${label} pipe → existing segment`,
    { label: 'cat | shmctl-ts write', cmd: `cat ${file} | ${BIN} write ${segment}` },
    [{ label: `cat | cat 1<> segment's file`, cmd: `cat ${file} | cat 1<> ${segmentFile}` }],
    { ...copyRuns, target: { op: '≥', value: 1.0 }, check: fills(zeroSegment, segmentBytes) },
  );
  pair(
    `write ${label} file → existing segment`,
    { label: 'shmctl-ts write --file', cmd: `${BIN} write ${segment} --file ${file}` },
    [{ label: `cat file 1<> segment's file`, cmd: `cat ${file} 1<> ${segmentFile}` }],
    { ...copyRuns, target: { op: '≥', value: 1.0 }, check: fills(zeroSegment, segmentBytes) },
  );
  holder.kill('SIGTERM');
  await new Promise((resolve) => holder.once('exit', resolve));

  // The same as a user without CAP_SYS_ADMIN: no way to the segment's file, for us or for cat. For scale, cat as the
  // same user of a tmpfs file with the same bytes (no target: not the same memory).
  const userCopy = join(work, 'user-copy');
  output(`cat ${file} > ${userCopy}; chmod 666 ${userCopy}; touch ${copyOut}; chmod 666 ${copyOut}`);
  const userRuns = { runs: quick ? 3 : 5, kind: 'throughput' };
  const userFile = () => `cat ${userCopy}`;
  const zeroUser = () => `head -c ${size} /dev/zero | ${BIN} write ${segment}; head -c ${size} /dev/zero 1<> ${userCopy}`;
  const bySide = (side) => (side.label.includes('shmctl') ? segmentBytes() : userFile());
  pair(
    `read ${label} segment → pipe, as an unprivileged user`,
    { label: 'shmctl-ts read | cat', cmd: asUser(`${BIN} read ${segment} | cat > /dev/null`), out: asUser(`${BIN} read ${segment} | cat`) },
    [{ label: 'cat tmpfs file | cat', cmd: asUser(`cat ${userCopy} | cat > /dev/null`), out: asUser(`cat ${userCopy} | cat`) }],
    { ...userRuns, check: delivers },
  );
  pair(
    `read ${label} segment → file on tmpfs, as an unprivileged user`,
    {
      label: 'shmctl-ts read > file',
      cmd: asUser(`${BIN} read ${segment} 1<> ${copyOut}`),
      out: `${asUser(`${BIN} read ${segment} 1<> ${copyOut}`)} && cat ${copyOut}`,
    },
    [
      {
        label: 'cat tmpfs file > file',
        cmd: asUser(`cat ${userCopy} 1<> ${copyOut}`),
        out: `${asUser(`cat ${userCopy} 1<> ${copyOut}`)} && cat ${copyOut}`,
      },
    ],
    { ...userRuns, check: delivers },
  );
  pair(
    `write ${label} pipe → existing segment, as an unprivileged user`,
    { label: 'cat | shmctl-ts write', cmd: asUser(`cat ${file} | ${BIN} write ${segment}`) },
    [{ label: 'cat | cat 1<> tmpfs file', cmd: asUser(`cat ${file} | cat 1<> ${userCopy}`) }],
    { ...userRuns, check: fills(zeroUser, bySide) },
  );
  pair(
    `write ${label} file → existing segment, as an unprivileged user`,
    { label: 'shmctl-ts write --file', cmd: asUser(`${BIN} write ${segment} --file ${file}`) },
    [{ label: 'cat file 1<> tmpfs file', cmd: asUser(`cat ${file} 1<> ${userCopy}`) }],
    { ...userRuns, check: fills(zeroUser, bySide) },
  );
  rmSync(userCopy, { force: true });
  rmSync(copyOut, { force: true });

  // POSIX objects: through the descriptor, against cat of the same object
  const obj = '/dev/shm/bench-object';
  const freshObject = () => {
    rmSync(obj, { force: true });
    createPosix({ name: '/bench-object', size, mode: 0o600 });
  };
  pair(
    `write ${label} file → fresh POSIX object, on a pool of freed memory`,
    { label: 'shmctl-ts write /obj', cmd: `${BIN} write /bench-object --file ${file}` },
    [{ label: 'cat > /dev/shm', cmd: `cat ${file} > ${shmTarget}` }],
    {
      runs: quick ? 3 : 11,
      setup: beforeWrite(freshObject),
      target: { peer: 'cat > /dev/shm', op: '≥', value: 1.0 },
      kind: 'throughput',
      check: (side) => (output(side.cmd), same(cksum(`cat ${side.label.startsWith('cat') ? shmTarget : obj}`), side.label)),
    },
  );
  const objRuns = { runs: quick ? 3 : 9, kind: 'throughput' };
  pair(
    `read ${label} POSIX object → /dev/null (not a copy: /dev/null never touches what it is handed)`,
    { label: 'shmctl-ts read /obj', cmd: `${BIN} read /bench-object > /dev/null`, out: `${BIN} read /bench-object` },
    [{ label: 'cat /dev/shm/obj', cmd: `cat ${obj} > /dev/null`, out: `cat ${obj}` }],
    { ...objRuns, check: delivers },
  );
  pair(
    `read ${label} POSIX object → pipe`,
    { label: 'shmctl-ts read /obj | cat', cmd: `${BIN} read /bench-object | cat > /dev/null`, out: `${BIN} read /bench-object | cat` },
    [{ label: 'cat /dev/shm/obj | cat', cmd: `cat ${obj} | cat > /dev/null`, out: `cat ${obj} | cat` }],
    { ...objRuns, target: { op: '≥', value: 1.0 }, check: delivers },
  );
  pair(
    `read ${label} POSIX object → file on tmpfs`,
    {
      label: 'shmctl-ts read /obj > file',
      cmd: `${BIN} read /bench-object > ${copyOut}`,
      out: `${BIN} read /bench-object > ${copyOut} && cat ${copyOut}`,
    },
    [{ label: 'cat /dev/shm/obj > file', cmd: `cat ${obj} > ${copyOut}`, out: `cat ${obj} > ${copyOut} && cat ${copyOut}` }],
    { ...objRuns, setup: beforeCopyOut, target: { op: '≥', value: 1.0 }, check: delivers },
  );
  pair(
    `write ${label} pipe → existing POSIX object`,
    { label: 'cat | shmctl-ts write /obj', cmd: `cat ${file} | ${BIN} write /bench-object` },
    [{ label: 'cat | cat 1<> /dev/shm/obj', cmd: `cat ${file} | cat 1<> ${obj}` }],
    {
      runs: quick ? 3 : 7,
      target: { op: '≥', value: 1.0 },
      kind: 'throughput',
      check: fills(
        () => `head -c ${size} /dev/zero 1<> ${obj}`,
        () => `cat ${obj}`,
      ),
    },
  );
  rmSync(obj, { force: true });
  rmSync(copyOut, { force: true });

  // peak private memory of the copies (constant whatever the size)
  fresh();
  memory.push({
    name: `peak private memory, write ${label}`,
    bytes: await peakAnon(`${BIN} write ${segment} --file ${file}`),
    limit: 64 << 20,
  });
  memory.push({
    name: `peak private memory, read ${label}`,
    bytes: await peakAnon(`${BIN} read ${segment} --format raw > /dev/null`),
    limit: 64 << 20,
  });
  removeSegment(segment);
  await hex({ BIN, work, createSegment, removeSegment, file });
}

/** The segment's own file as another process's attachment shows it (/proc/PID/map_files/…). */
function mapFileOf(pid, id) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 20000;
    const look = () => {
      try {
        const line = readFileSync(`/proc/${pid}/maps`, 'latin1')
          .split('\n')
          .find((l) => l.includes('/SYSV') && l.split(/\s+/)[4] === String(id));
        if (line) return resolve(`/proc/${pid}/map_files/${line.split(' ')[0]}`);
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) return reject(new Error('the holder never attached'));
      setTimeout(look, 10);
    };
    look();
  });
}

async function hex({ BIN, work, createSegment, removeSegment, file }) {
  if (!enter('hex')) return;
  const hexSize = quick ? 4 << 20 : 16 << 20;
  const hexId = createSegment({ key: 0, size: hexSize, mode: 0o600 }).id;
  const hexFile = join(work, 'hex-source');
  output(`head -c ${hexSize} ${file ?? '/dev/urandom'} > ${hexFile}; ${BIN} write ${hexId} --file ${hexFile}`);
  const dump = cksum(`hexdump -C ${hexFile}`);
  pair(
    `read ${hexSize >> 20} MiB segment --format hex`,
    { label: 'shmctl-ts read --format hex', cmd: `${BIN} read ${hexId} --format hex > /dev/null` },
    [{ label: 'hexdump -C', cmd: `hexdump -C ${hexFile} > /dev/null` }],
    {
      runs: quick ? 3 : 5,
      target: { peer: 'hexdump -C', op: '≤', value: 1.0 },
      check: (side) => {
        const got = cksum(side.cmd.replace(/ > \/dev\/null$/, ''));
        if (got !== dump) throw new Error(`${side.label}: not hexdump -C's output`);
        return "hexdump -C's very output (cksum)";
      },
    },
  );
  memory.push({
    name: `peak private memory, read ${hexSize >> 20} MiB --format hex`,
    bytes: await peakAnon(`${BIN} read ${hexId} --format hex > /dev/null`),
    limit: 64 << 20,
  });
  memory.push({
    name: `peak private memory, read ${hexSize >> 20} MiB --format string`,
    bytes: await peakAnon(`${BIN} read ${hexId} --format string > /dev/null`),
    limit: 64 << 20,
  });
  removeSegment(hexId);
}
