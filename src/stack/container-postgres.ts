import { postmasterStart, waitForNewPostmaster } from './postgres-restart.js';
import { waitForQuery } from './ready.js';
import type { Endpoint, PostgresOps } from './types.js';

/** The postmaster's PID inside the container, written by the supervising script. */
const PIDFILE = '/tmp/bench-postmaster.pid';
/** While this file exists, the supervising script starts the postmaster again when it exits. */
const RESTART_FLAG = '/tmp/bench-postgres-restart';
/** While this file exists, the supervising script waits before starting it again (a stopped primary). */
const HOLD_FLAG = '/tmp/bench-postgres-hold';
/** How long a restart or a crash recovery may take. */
const RESTART_MS = 60_000;

const shq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The `sh -c` script of a bare PostgreSQL image whose server must survive restarts (a matrix with
 * postgres events): initdb, then a supervising loop as the container's main process, so stopping
 * the postmaster does not end the container. The loop forwards docker stop's signals (INT, TERM:
 * fast shutdown; QUIT: immediate) and exits with the server; it starts the server again only
 * while the restart flag exists (bench sets it around a restart), once the hold flag is gone (a
 * primary a failover stopped stays down until bench starts it). `postgresArgs` are quoted here.
 */
export function restartableInitScript(initdb: string[], dataDir: string, postgresArgs: string[]): string {
  const postgres = ['postgres', '-D', dataDir, ...postgresArgs].map(shq).join(' ');
  return [
    `${initdb.map(shq).join(' ')} || exit 1`,
    'pid=0; stop=0',
    `trap 'stop=1; kill -INT "$pid" 2>/dev/null' INT TERM`,
    `trap 'stop=1; kill -QUIT "$pid" 2>/dev/null' QUIT`,
    'while :; do',
    `  ${postgres} &`,
    `  pid=$!; echo "$pid" > ${PIDFILE}`,
    '  while :; do wait "$pid"; code=$?; kill -0 "$pid" 2>/dev/null || break; done',
    '  [ "$stop" = 1 ] && exit "$code"',
    `  [ -e ${RESTART_FLAG} ] || exit "$code"`,
    `  while [ -e ${HOLD_FLAG} ] && [ "$stop" = 0 ]; do sleep 0.2; done`,
    '  [ "$stop" = 1 ] && exit 0',
    '  sleep 0.2',
    'done',
  ].join('\n');
}

type Exec = (cmd: string[]) => Promise<{ exitCode: number; output: string }>;

/**
 * Restart and crash of a container's PostgreSQL run by restartableInitScript: the flag set, the
 * postmaster signalled inside the container as pg_ctl would (fast: SIGINT, immediate: SIGQUIT,
 * crash: SIGKILL), the supervising loop starts it again (after a crash, until the old backends
 * have let go of the shared memory), and bench waits for the new postmaster before clearing the flag.
 */
export function containerPostgresOps(exec: Exec, superuser: Endpoint, alive: () => boolean): PostgresOps {
  const run = async (script: string) => {
    const r = await exec(['sh', '-c', script]);
    if (r.exitCode !== 0) throw new Error(`in the PostgreSQL container: ${script}: ${r.output.trim()}`);
  };
  const signalOf = { fast: 'INT', immediate: 'QUIT', crash: 'KILL', kill: 'KILL' } as const;
  const kill = (sig: string, flags: string) => run(`touch ${flags} && kill -${sig} "$(cat ${PIDFILE})"`);
  const gone = async () => {
    const deadline = Date.now() + RESTART_MS;
    while (Date.now() < deadline) {
      if ((await exec(['sh', '-c', `kill -0 "$(cat ${PIDFILE})"`])).exitCode !== 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`postgres did not exit within ${RESTART_MS} ms`);
  };
  const back = async (before: string | undefined, timeoutMs = RESTART_MS) => {
    try {
      await waitForNewPostmaster(superuser, before, timeoutMs, alive);
    } finally {
      await exec(['rm', '-f', RESTART_FLAG]);
    }
    if (!alive()) throw new Error('the PostgreSQL container exited during the restart');
  };
  /** The start time of the postmaster a stop left down, for start to wait for a new one. */
  let stopped: { before: string | undefined } | undefined;
  return {
    async restart(mode) {
      const before = await postmasterStart(superuser);
      await kill(signalOf[mode], RESTART_FLAG);
      await back(before);
    },
    async crash() {
      const before = await postmasterStart(superuser);
      await kill(signalOf.crash, RESTART_FLAG);
      await back(before);
    },
    async stop(how) {
      const before = await postmasterStart(superuser);
      // Recorded before the kill: a stop that throws (the postmaster did not exit in time) may still
      // have set the hold flag, which start must then clear.
      stopped = { before };
      await kill(signalOf[how], `${RESTART_FLAG} ${HOLD_FLAG}`);
      await gone();
    },
    async start(timeoutMs) {
      // Always: a hold flag left by any stop keeps the supervising loop from starting the server.
      await run(`rm -f ${HOLD_FLAG}`);
      const was = stopped;
      stopped = undefined;
      if (was) await back(was.before, timeoutMs);
      else await waitForQuery(superuser, timeoutMs, alive);
    },
    ready: (timeoutMs) => waitForQuery(superuser, timeoutMs, alive),
  };
}
