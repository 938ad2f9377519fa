/**
 * A real PostgreSQL (Debian's package) killed with SIGKILL: gc removes its
 * segment only with its dynamic shared memory objects, which nothing else would
 * ever remove once the segment is gone; the restarted server starts clean.
 * In a private IPC, mount and PID namespace, with the server run as postgres.
 */
import { until, withNamespace, type Namespace } from '../helpers/ns.js';

const inNs = { pid: true, posix: true };

/** The newest installed server's bin directory. */
function pgBin(ns: Namespace): string {
  const dir = ns.sh('ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1').out.trim();
  expect(dir).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin$/);
  return dir;
}

test("gc --creator-dead after a postmaster's SIGKILL takes its DSM objects with its segment (or keeps both, saying why); the server restarts", () =>
  withNamespace(
    async (ns) => {
      const bin = pgBin(ns);
      const dir = ns.run(['mktemp', '-d']).out.trim();
      ns.run(['chown', 'postgres', dir]);
      const asPg = (cmd: string[]) => ns.run(['runuser', '-u', 'postgres', '--', ...cmd]);
      // the postmaster in the foreground, under runuser, which reaps it when it is killed (this namespace's first
      // process reaps nothing: a zombie postmaster would stop the restart); ready when its pid file says so
      const pidFile = (): string => ns.run(['cat', `${dir}/data/postmaster.pid`]).out;
      const start = async (): Promise<void> => {
        const before = pidFile().split('\n')[0];
        ns.start([
          'runuser',
          '-u',
          'postgres',
          '--',
          `${bin}/postgres`,
          '-D',
          `${dir}/data`,
          '-k',
          dir,
          '-c',
          'listen_addresses=',
          '-c',
          'dynamic_shared_memory_type=posix',
        ]);
        await until(() => pidFile().split('\n')[0] !== before && /\nready *\n/.test(pidFile()), 'the server ready');
      };
      try {
        expect(asPg([`${bin}/initdb`, '-D', `${dir}/data`]).status).toBe(0);
        await start();
        const dsm = ns.objects();
        expect(dsm.length).toBeGreaterThanOrEqual(1);
        for (const o of dsm) expect(o).toMatch(/^PostgreSQL\.\d+$/);
        const postmaster = ns.run(['head', '-n', '1', `${dir}/data/postmaster.pid`]).out.trim();
        ns.run(['kill', '-9', postmaster]);
        // its other processes notice and go; then nothing is attached
        await ns.until((s) => s.length === 1 && s[0]!.nattch === 0, 'the backends gone');
        const [seg] = ns.segments();

        // processes outside this test's PID namespace could hold the objects: the segment stays with them, and why is said
        const careful = ns.cli(['gc', '--creator-dead', '--min-age', '0', '--yes']);
        expect(careful).toMatchObject({ status: 0, out: '' });
        expect(careful.stderr).toMatch(
          new RegExp(
            `^shmctl-ts: gc: kept id ${seg!.id} \\(key .*\\): its PostgreSQL dynamic shared memory /PostgreSQL\\.\\d+ must stay: `,
          ),
        );
        expect(ns.objects()).toEqual(dsm);

        // a dry run reads no segment (an attach would set its times): it says what --yes will look at
        const [unread] = ns.segments();
        const dry = ns.cli(['gc', '--creator-dead', '--min-age', '0', '--ignore-unreadable', '--json']);
        expect(JSON.parse(dry.out).gc[0]).toMatchObject({ id: seg!.id, action: 'would remove' });
        expect(dry.stderr).toContain(`id ${seg!.id} (key `);
        expect(dry.stderr).toContain(
          "may be a crashed PostgreSQL's (there are /PostgreSQL.* objects): with --yes its header is read first",
        );
        expect(ns.segments()).toEqual([unread]);

        const yes = ns.cli(['gc', '--creator-dead', '--min-age', '0', '--ignore-unreadable', '--yes']);
        expect(yes.status).toBe(0);
        expect(yes.out.split('\n').filter(Boolean).sort()).toEqual(
          [`removing shared memory segment id \`${seg!.id}'`, ...dsm.map((o) => `removing POSIX shared memory \`/${o}'`)].sort(),
        );
        expect(yes.stderr).toMatch(/is a crashed PostgreSQL's: its dynamic shared memory goes with it: \/PostgreSQL\./);
        expect([ns.segments(), ns.objects()]).toEqual([[], []]);

        // the server starts again, with new memory of its own, and leaves nothing when stopped
        await start();
        expect(ns.segments()).toHaveLength(1);
        expect(asPg([`${bin}/pg_ctl`, '-D', `${dir}/data`, 'stop', '-m', 'fast', '-w']).status).toBe(0);
        expect([ns.segments(), ns.objects()]).toEqual([[], []]);
      } finally {
        asPg([`${bin}/pg_ctl`, '-D', `${dir}/data`, 'stop', '-m', 'immediate']);
        ns.run(['rm', '-rf', dir]);
      }
    },
    true,
    inNs,
  ));
