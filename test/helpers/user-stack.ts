import { type ChildProcess, spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { pickPort } from '../../src/stack/ports.js';

/**
 * A PostgreSQL and a PgBouncer started the way a user's own stack would be, outside bench: initdb,
 * postgres and pgbouncer as local processes on loopback ports, stopped by PID. Root runs them as
 * the `postgres` user (they refuse root).
 */
export interface UserStack {
  pgPort: number;
  bouncerPort: number;
  pgPid: number;
  bouncerPid: number;
  /** The application user's password (scram-sha-256 on TCP). */
  password: string;
  /** A superuser connection, for the test's own checks. */
  superuser(database: string): pg.ClientConfig;
  stop(): Promise<void>;
}

const BIN = '/usr/lib/postgresql/15/bin';

/** Root runs the servers as `postgres`; anyone else as themselves. */
function ids(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const p = line?.split(':') ?? [];
  return { uid: Number(p[2]), gid: Number(p[3]) };
}

async function ready(cfg: pg.ClientConfig, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
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
  throw new Error('not ready');
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(child.pid as number, signal);
  });
}

export async function startUserStack(password: string): Promise<UserStack> {
  const own = ids();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-userstack-'));
  if (own.uid !== undefined) chownSync(dir, own.uid, own.gid as number);
  const data = path.join(dir, 'data');
  const pw = path.join(dir, 'pw');
  writeFileSync(pw, 'superpw\n');
  if (own.uid !== undefined) chownSync(pw, own.uid, own.gid as number);
  await execa(
    `${BIN}/initdb`,
    [
      '-D',
      data,
      '-U',
      'owner',
      `--pwfile=${pw}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '--no-sync',
    ],
    { ...own, cwd: dir },
  );
  const pgPort = await pickPort();
  const pgChild = spawn(
    `${BIN}/postgres`,
    [
      '-D',
      data,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `port=${pgPort}`,
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'fsync=off',
    ],
    { ...own, cwd: dir, stdio: 'ignore' },
  );
  const superuser = (database: string): pg.ClientConfig => ({
    host: '127.0.0.1',
    port: pgPort,
    user: 'owner',
    password: 'superpw',
    database,
  });
  await ready(superuser('postgres'), pgChild);
  const c = new pg.Client(superuser('postgres'));
  await c.connect();
  await c.query(`CREATE ROLE app LOGIN PASSWORD '${password}'`);
  // What a monitoring user of a real stack would hold: every backend's row, and CHECKPOINT.
  await c.query('GRANT pg_monitor, pg_checkpoint TO app');
  await c.query('CREATE DATABASE benchdb OWNER app');
  await c.query('CREATE DATABASE appdb OWNER app');
  const verifier = (await c.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")).rows[0]
    .rolpassword as string;
  await c.end();
  const a = new pg.Client({ ...superuser('appdb'), user: 'app', password });
  await a.connect();
  await a.query('CREATE TABLE customers (id int PRIMARY KEY, name text)');
  await a.query("INSERT INTO customers VALUES (1, 'kept')");
  await a.end();

  const bouncerPort = await pickPort();
  const bdir = path.join(dir, 'bouncer');
  mkdirSync(bdir);
  writeFileSync(path.join(bdir, 'userlist.txt'), `"app" "${verifier}"\n`);
  writeFileSync(
    path.join(bdir, 'pgbouncer.ini'),
    `[databases]\nbenchdb = host=127.0.0.1 port=${pgPort} dbname=benchdb\nappdb = host=127.0.0.1 port=${pgPort} dbname=appdb\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = ${bouncerPort}\nunix_socket_dir =\nauth_type = scram-sha-256\nauth_file = ${bdir}/userlist.txt\nadmin_users = app\npool_mode = transaction\ndefault_pool_size = 4\nignore_startup_parameters = extra_float_digits\n`,
  );
  if (own.uid !== undefined) {
    for (const f of ['', 'userlist.txt', 'pgbouncer.ini'])
      chownSync(path.join(bdir, f), own.uid, own.gid as number);
  }
  const bChild = spawn('/usr/sbin/pgbouncer', [path.join(bdir, 'pgbouncer.ini')], {
    ...own,
    cwd: bdir,
    stdio: 'ignore',
  });
  await ready({ host: '127.0.0.1', port: bouncerPort, user: 'app', password, database: 'benchdb' }, bChild);
  return {
    pgPort,
    bouncerPort,
    pgPid: pgChild.pid as number,
    bouncerPid: bChild.pid as number,
    password,
    superuser,
    async stop() {
      await stopChild(bChild, 'SIGTERM');
      await stopChild(pgChild, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
