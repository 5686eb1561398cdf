import { type ChildProcess, spawn } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { locateTool } from '../../src/stack/binaries.js';
import { pickPort } from '../../src/stack/ports.js';
import { generateTlsCerts, TLS_FILES } from '../../src/stack/tls-certs.js';
import { tempDir } from './tmp.js';

/**
 * A PostgreSQL and a PgBouncer started the way a user's own stack would be, outside bench: initdb,
 * postgres and pgbouncer as local processes on loopback ports, stopped by PID. Root runs them as
 * the `postgres` user (they refuse root). The application user `app` (SCRAM) owns two databases:
 * `benchdb`, empty, and `appdb`, which holds a `customers` table with one row.
 */
export interface UserStack {
  pgPort: number;
  bouncerPort: number;
  pgPid: number;
  bouncerPid: number;
  /** With `tls`: the CA that signed PostgreSQL's certificate (for a client's verify-full). */
  caFile?: string;
  /** A superuser connection, for the test's own checks. */
  superuser(database: string): pg.ClientConfig;
  stop(): Promise<void>;
}

type Ids = { uid?: number; gid?: number };

/** Root runs the servers as `postgres`; anyone else as themselves. */
function ids(): Ids {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const p = line?.split(':') ?? [];
  return { uid: Number(p[2]), gid: Number(p[3]) };
}

function own(file: string, ids: Ids): void {
  if (ids.uid !== undefined && ids.gid !== undefined) chownSync(file, ids.uid, ids.gid);
}

function tool(name: 'initdb' | 'postgres' | 'pgbouncer'): string {
  const p = locateTool(name);
  if (!p) throw new Error(`${name} not found`);
  return p;
}

async function ready(cfg: pg.ClientConfig, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    const c = new pg.Client(cfg);
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      await c.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('not ready after 30 s');
}

function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(child.pid as number, signal);
  });
}

const SUPERUSER_PASSWORD = 'superpw';

/**
 * A stack whose PostgreSQL insists on TLS for `app` (pg_hba: hostnossl rejected), as a cloud
 * database does; PgBouncer then reaches it with server_tls_sslmode=require.
 */
async function requireTls(dir: string, data: string, u: Ids): Promise<string[]> {
  const owner = u.uid !== undefined && u.gid !== undefined ? { uid: u.uid, gid: u.gid } : undefined;
  const certs = await generateTlsCerts(path.join(dir, 'tls'), 'ec-p256', owner);
  const hba = path.join(data, 'pg_hba.conf');
  writeFileSync(hba, `hostnossl all app 127.0.0.1/32 reject\n${readFileSync(hba, 'utf8')}`);
  return ['ssl=on', `ssl_cert_file=${certs.file('serverCert')}`, `ssl_key_file=${certs.file('serverKey')}`];
}

async function startPostgres(dir: string, u: Ids, started: ChildProcess[], tls: boolean): Promise<number> {
  const pw = path.join(dir, 'pw');
  writeFileSync(pw, `${SUPERUSER_PASSWORD}\n`);
  own(pw, u);
  const data = path.join(dir, 'data');
  const initArgs = [
    '-D',
    data,
    '-U',
    'owner',
    `--pwfile=${pw}`,
    '--auth-host=scram-sha-256',
    '--auth-local=trust',
  ];
  await execa(tool('initdb'), [...initArgs, '--no-sync'], { ...u, cwd: dir });
  const port = await pickPort();
  const settings = [
    'listen_addresses=127.0.0.1',
    `port=${port}`,
    `unix_socket_directories=${dir}`,
    'fsync=off',
    ...(tls ? await requireTls(dir, data, u) : []),
  ];
  const child = spawn(tool('postgres'), ['-D', data, ...settings.flatMap((s) => ['-c', s])], {
    ...u,
    cwd: dir,
    stdio: 'ignore',
  });
  started.push(child);
  return port;
}

/** The application's role and data; returns app's SCRAM verifier for PgBouncer's auth_file. */
async function createAppData(su: (db: string) => pg.ClientConfig, password: string): Promise<string> {
  const c = new pg.Client(su('postgres'));
  await c.connect();
  await c.query(`CREATE ROLE app LOGIN PASSWORD '${password}'`);
  // What a monitoring user of a real stack would hold: every backend's row, and CHECKPOINT.
  await c.query('GRANT pg_monitor, pg_checkpoint TO app');
  await c.query('CREATE DATABASE benchdb OWNER app');
  await c.query('CREATE DATABASE appdb OWNER app');
  const v = (await c.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")).rows[0].rolpassword;
  await c.end();
  const a = new pg.Client({ ...su('appdb'), user: 'app', password });
  await a.connect();
  await a.query('CREATE TABLE customers (id int PRIMARY KEY, name text)');
  await a.query("INSERT INTO customers VALUES (1, 'kept')");
  await a.end();
  return v as string;
}

async function startBouncer(
  dir: string,
  u: Ids,
  pg: { port: number; tls: boolean },
  verifier: string,
  started: ChildProcess[],
) {
  const pgPort = pg.port;
  const port = await pickPort();
  const bdir = path.join(dir, 'bouncer');
  mkdirSync(bdir);
  const db = (name: string) => `${name} = host=127.0.0.1 port=${pgPort} dbname=${name}`;
  const ini = [
    '[databases]',
    db('benchdb'),
    db('appdb'),
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${bdir}/userlist.txt`,
    'admin_users = app',
    'pool_mode = transaction',
    'default_pool_size = 4',
    ...(pg.tls ? ['server_tls_sslmode = require'] : []),
  ];
  writeFileSync(path.join(bdir, 'userlist.txt'), `"app" "${verifier}"\n`);
  writeFileSync(path.join(bdir, 'pgbouncer.ini'), `${ini.join('\n')}\n`);
  for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) own(path.join(bdir, f), u);
  const child = spawn(tool('pgbouncer'), [path.join(bdir, 'pgbouncer.ini')], {
    ...u,
    cwd: bdir,
    stdio: 'ignore',
  });
  started.push(child);
  return { port, child };
}

export async function startUserStack(password: string, opts: { tls?: boolean } = {}): Promise<UserStack> {
  const tls = opts.tls === true;
  const u = ids();
  const dir = tempDir('bench-userstack-');
  own(dir, u);
  const started: ChildProcess[] = [];
  const stop = async () => {
    // Client side first, then PostgreSQL (SIGINT: its fast shutdown); each by its PID.
    const [pgChild, bouncer] = started;
    await stopChild(bouncer, 'SIGTERM');
    await stopChild(pgChild, 'SIGINT');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pgPort = await startPostgres(dir, u, started, tls);
    const superuser = (database: string): pg.ClientConfig => ({
      host: '127.0.0.1',
      port: pgPort,
      user: 'owner',
      password: SUPERUSER_PASSWORD,
      database,
      ...(tls ? { ssl: { rejectUnauthorized: false } } : {}),
    });
    await ready(superuser('postgres'), started[0] as ChildProcess);
    const verifier = await createAppData(superuser, password);
    const b = await startBouncer(dir, u, { port: pgPort, tls }, verifier, started);
    await ready({ host: '127.0.0.1', port: b.port, user: 'app', password, database: 'benchdb' }, b.child);
    return {
      pgPort,
      bouncerPort: b.port,
      pgPid: (started[0] as ChildProcess).pid as number,
      bouncerPid: b.child.pid as number,
      ...(tls ? { caFile: path.join(dir, 'tls', TLS_FILES.caCert) } : {}),
      superuser,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
