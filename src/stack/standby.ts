import type { Endpoint } from '../pgbench/types.js';
import { withClient } from './ready.js';
import { scramVerifier } from './scram.js';

/**
 * A config's streaming standby (`standby: true`): a second PostgreSQL made from a base backup of
 * the run's primary, streaming from it through a physical replication slot of its own. What every
 * provider shares is here: the replication role, the slot's name, pg_basebackup's arguments, the
 * libpq password file line, and the SQL that waits for streaming, promotes and proves writes.
 */

/**
 * The role the standby replicates as: REPLICATION, not a superuser, so the standby's password file
 * holds no superuser credential. A hyphen keeps it apart from every config role (`bench_<name>`,
 * src/stack/roles.ts, only [a-z0-9_]).
 */
export const REPLICATION_USER = 'bench-replication';

/** Slot names take [a-z0-9_] only, at most 63 bytes (NAMEDATALEN - 1). */
const MAX_SLOT = 63;

/** The physical slot of a config's standby, from the config's role (already [a-z0-9_]). Pure. */
export function standbySlot(role: string): string {
  const base = role.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const suffix = '_standby';
  return `${base.slice(0, MAX_SLOT - suffix.length)}${suffix}`;
}

/**
 * pg_basebackup's arguments: WAL streamed alongside (-X stream) so the copy is consistent on its own,
 * the slot created by the backup (-C -S) so the primary keeps the WAL the standby has not yet
 * received, `-R` writing standby.signal and primary_conninfo (with `passfile`, never a password),
 * a fast checkpoint (the default spread one can take minutes), no fsync of a throwaway copy. Pure.
 */
export function basebackupArgs(o: { host: string; port: number; dataDir: string; slot: string }): string[] {
  return [
    '-h',
    o.host,
    '-p',
    String(o.port),
    '-U',
    REPLICATION_USER,
    '-D',
    o.dataDir,
    '-X',
    'stream',
    '-C',
    '-S',
    o.slot,
    '-R',
    '--checkpoint=fast',
    '--no-sync',
  ];
}

/** One libpq password file line for the replication role at host:port (`:` and `\` escaped). Pure. */
export function replicationPgpass(host: string, port: number, password: string): string {
  const esc = (s: string) => s.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
  return `${esc(host)}:${port}:*:${esc(REPLICATION_USER)}:${esc(password)}\n`;
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/**
 * The statement that gives the replication role `password`, as a SCRAM verifier computed here: the
 * clear password never reaches the server (nor its log, were log_statement on). Pure but for the salt.
 */
export function replicationRoleSql(password: string, exists: boolean): string {
  const verb = exists ? 'ALTER' : 'CREATE';
  // A literal: CREATE/ALTER ROLE take no parameters; a verifier is base64 and `$`, without quotes.
  return `${verb} ROLE ${ident(REPLICATION_USER)} LOGIN REPLICATION NOSUPERUSER PASSWORD '${scramVerifier(password)}'`;
}

/**
 * Creates the replication role on the primary with its own password (`password`, generated for the
 * run and known to no other role), or gives an existing one that password. `superuser` is the
 * harness's superuser endpoint.
 */
export async function createReplicationRole(superuser: Endpoint, password: string): Promise<void> {
  await withClient(superuser, async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [REPLICATION_USER]);
    await c.query(replicationRoleSql(password, exists.rowCount !== 0));
  });
}

/**
 * Drops a config's slot on the primary when no walsender holds it: before a new base backup (a
 * standby stopped without its stop, or a primary brought back after a failover, still has it) and
 * after the standby stopped, so the primary does not keep WAL for a standby that is gone.
 */
export async function dropSlot(primary: Endpoint, slot: string): Promise<void> {
  await withClient(primary, (c) =>
    c.query(
      'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
      [slot],
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true or `timeoutMs` passes; the last error or state is thrown. */
async function pollUntil(
  what: string,
  timeoutMs: number,
  probe: () => Promise<{ ok: boolean; state: string }>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  for (;;) {
    try {
      const r = await probe();
      if (r.ok) return;
      last = r.state;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`${what} after ${timeoutMs} ms (last: ${last})`);
    await sleep(100);
  }
}

/** Waits until the standby's WAL receiver streams from the primary (a hot standby answering is not enough). */
export function waitForStreaming(standby: Endpoint, timeoutMs: number): Promise<void> {
  return pollUntil('the standby is not streaming', timeoutMs, () =>
    withClient(standby, async (c) => {
      const r = await c.query<{ status: string | null }>('SELECT status FROM pg_stat_wal_receiver');
      const status = r.rows[0]?.status ?? 'no wal receiver';
      return { ok: status === 'streaming', state: status };
    }),
  );
}

/**
 * Promotes the standby with pg_promote() (a query, so it works the same on a process and in a
 * container) and waits until it has left recovery.
 */
export async function promote(standby: Endpoint, timeoutS: number): Promise<void> {
  await withClient(standby, async (c) => {
    const r = await c.query<{ promoted: boolean }>('SELECT pg_promote(true, $1) AS promoted', [timeoutS]);
    if (r.rows[0]?.promoted !== true) throw new Error(`pg_promote() did not finish within ${timeoutS} s`);
  });
}

/**
 * Waits until the promoted server accepts a write: txid_current() assigns a transaction id, which a
 * server in recovery refuses ("cannot assign TransactionIds during recovery").
 */
export function waitForWrites(server: Endpoint, timeoutMs: number): Promise<void> {
  return pollUntil('the promoted server does not accept writes', timeoutMs, () =>
    withClient(server, async (c) => {
      await c.query('SELECT txid_current()');
      return { ok: true, state: 'writable' };
    }),
  );
}
