import { describe, expect, it } from 'vitest';
import {
  renderPgbouncerIni,
  renderProxyCommand,
  renderProxyFiles,
  renderTemplate,
  renderUserlist,
} from '../../src/stack/render.js';
import { configRoles } from '../../src/stack/roles.js';

const values = {
  port: 6500,
  host: '127.0.0.1',
  upstream_host: '127.0.0.1',
  upstream_port: 5500,
  database: 'bench',
  user: 'bench_pgpool',
  workdir: '/tmp/w',
  matrix_dir: '/m',
};

describe('templates', () => {
  it('fills known placeholders and leaves other braces alone', () => {
    expect(
      renderTemplate('port = {port}\nbackend = {upstream_host}:{upstream_port} {unknown} {}', values),
    ).toBe('port = 6500\nbackend = 127.0.0.1:5500 {unknown} {}');
  });

  it('splits a string command on whitespace and renders each word', () => {
    expect(
      renderProxyCommand('socat TCP-LISTEN:{port},fork  TCP:{upstream_host}:{upstream_port}', values),
    ).toEqual(['socat', 'TCP-LISTEN:6500,fork', 'TCP:127.0.0.1:5500']);
  });

  it('renders inline and file templates of a proxy', () => {
    const read = (p: string) => (p === 'pgpool/pgpool.conf' ? "port = {port}\nlogdir = '{workdir}'\n" : 'x');
    expect(
      renderProxyFiles(
        { 'pgpool.conf': { path: 'pgpool/pgpool.conf' }, 'pcp.conf': { text: '# {user}\n' } },
        values,
        read,
      ),
    ).toEqual([
      { name: 'pgpool.conf', content: "port = 6500\nlogdir = '/tmp/w'\n" },
      { name: 'pcp.conf', content: '# bench_pgpool\n' },
    ]);
  });
});

describe('pgbouncer files', () => {
  it('lists the admin user and the config role in the auth file, quoting quotes', () => {
    expect(
      renderUserlist([
        ['bench', 'SCRAM-SHA-256$4096:a$b:c'],
        ['bench_x"y', 'v'],
      ]),
    ).toBe('"bench" "SCRAM-SHA-256$4096:a$b:c"\n"bench_x""y" "v"\n');
  });

  it('renders pgbouncer.ini with the harness-owned settings and the hop settings', () => {
    const ini = renderPgbouncerIni({
      hop: { pool_mode: 'transaction', default_pool_size: 5, settings: { server_reset_query: '' } },
      listenPort: 6400,
      upstreamHost: '127.0.0.1',
      upstreamPort: 5400,
      database: 'bench',
      user: 'bench',
      authFile: '/w/userlist.txt',
      authType: 'scram-sha-256',
      socketDir: '/w',
      maxClientConn: 2100,
      listenBacklog: 2000,
    });
    expect(ini).toContain('bench = host=127.0.0.1 port=5400 dbname=bench\n');
    expect(ini).toContain('listen_addr = 127.0.0.1\n');
    expect(ini).toContain('listen_port = 6400\n');
    expect(ini).toContain('pool_mode = transaction\n');
    expect(ini).toContain('default_pool_size = 5\n');
    expect(ini).toContain('max_client_conn = 2100\n');
    expect(ini).toContain('listen_backlog = 2000\n');
    expect(ini).toContain('server_reset_query = \n');
    // No user= in [databases]: PgBouncer logs in as the client's user, so attribution by role holds.
    expect(ini).not.toMatch(/dbname=bench .*user=/);
  });
});

describe('configRoles', () => {
  it('derives a valid role per config and keeps them distinct', () => {
    const roles = configRoles([{ name: 'pgbouncer-tx' }, { name: 'pgbouncer_tx' }, { name: 'Direct.1' }]);
    expect([...roles.entries()]).toEqual([
      ['pgbouncer-tx', 'bench_pgbouncer_tx'],
      ['pgbouncer_tx', 'bench_pgbouncer_tx_1'],
      ['Direct.1', 'bench_direct_1'],
    ]);
  });

  it('stays within 63 bytes', () => {
    const long = 'x'.repeat(80);
    const role = configRoles([{ name: long }]).get(long) ?? '';
    expect(role.length).toBeLessThanOrEqual(63);
    expect(role.startsWith('bench_x')).toBe(true);
  });
});
