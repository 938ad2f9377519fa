/**
 * On a terminal (a pseudo-terminal from script(1)) ls and stat draw their
 * coloured views; NO_COLOR turns the colour off; a pipe gets the ipcs bytes.
 */
import { BIN, withNamespace, type Namespace } from '../helpers/ns.js';

const ESC = '\x1b[';

function onTTY(ns: Namespace, command: string, env: NodeJS.ProcessEnv = {}): string {
  const r = ns.run(['script', '-qec', command, '/dev/null'], { env });
  expect(r.status).toBe(0);
  return r.out.replace(/\r\n/g, '\n');
}

test('ls on a terminal is a table with dest in colour; NO_COLOR and pipes have none', () =>
  withNamespace(async (ns) => {
    const kept = ns.cli(['create', '--key', '0x77', '--size', '4096']).out.trim();
    const doomed = ns.cli(['create', '--private', '--size', '100000']).out.trim();
    const holder = ns.start([BIN, 'attach', doomed, '-q']);
    await ns.until((s) => s.some((x) => String(x.id) === doomed && x.nattch === 1), 'attach');
    ns.cli(['rm', doomed]);

    const table = onTTY(ns, `${BIN} ls`);
    expect(table).toContain('┌');
    expect(table).toMatch(/│ \S*key\S* +│/);
    expect(table).toContain('0x00000077');
    expect(table).toContain(`${ESC}31m${ESC}1mdest`); // red, bold
    expect(table).toMatch(/2 segments/);

    const plain = onTTY(ns, `${BIN} ls`, { NO_COLOR: '1' });
    expect(plain).toContain('┌');
    expect(plain).not.toContain(ESC);

    expect(ns.cli(['ls']).out).not.toContain(ESC);
    expect(ns.cli(['ls']).out).toBe(ns.run(['ipcs', '-m']).out);

    // every view and the lsipc columns get the same treatment
    const times = onTTY(ns, `${BIN} ls -t`);
    expect(times).toMatch(/attached.*detached.*changed/);
    expect(times).toContain('Not set');
    const creators = onTTY(ns, `${BIN} ls -c`, { NO_COLOR: '1' });
    expect(creators).toMatch(/│ shmid │ perms │ cuid +│ cgid +│ uid +│ gid +│/);
    const columns = onTTY(ns, `${BIN} ls -o KEY,SIZE,STATUS -b`, { NO_COLOR: '1' });
    expect(columns).toMatch(/│ KEY +│ +SIZE │ STATUS │/);
    expect(columns).toMatch(/│ 0x00000000 │ 100000 │ dest +│/);
    expect(onTTY(ns, `${BIN} ls -l`, { NO_COLOR: '1' })).toMatch(/max number of segments \(shmmni\) +│ +4096 │/);
    // the count under a table names what it counts
    ns.cli(['create', '/counted', '--size', '10']);
    expect(onTTY(ns, `${BIN} ls --posix`, { NO_COLOR: '1' })).toMatch(/┘\n1 object\n$/);
    expect(onTTY(ns, `${BIN} ls --all`, { NO_COLOR: '1' })).toMatch(/┘\n2 segments, 1 object\n$/);
    ns.cli(['rm', '/counted']);

    const stat = onTTY(ns, `${BIN} stat ${doomed}`);
    expect(stat).toContain(`${ESC}1mstatus:`);
    expect(stat).toMatch(/dest/);
    expect(onTTY(ns, `${BIN} stat ${kept}`, { NO_COLOR: 'yes' })).not.toContain(ESC);

    const exited = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGTERM');
    await exited;
    ns.cli(['rm', kept]);
  }));
