import { postmasterStart, waitForNewPostmaster } from './postgres-restart.js';
import { waitForQuery } from './ready.js';
import type { Endpoint, PostgresOps } from './types.js';

/** The postmaster's PID inside the container, written by the supervising script. */
const PIDFILE = '/tmp/bench-postmaster.pid';
/** While this file exists, the supervising script starts the postmaster again when it exits. */
const RESTART_FLAG = '/tmp/bench-postgres-restart';
/** While this file exists, the supervising script keeps the container up with no postmaster (a failover's primary). */
const HOLD_FLAG = '/tmp/bench-postgres-hold';
/** How long a restart or a crash recovery may take. */
const RESTART_MS = 60_000;

const shq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The `sh -c` script of a bare PostgreSQL image whose server must survive restarts (a matrix with
 * postgres events): initdb, then a supervising loop as the container's main process, so stopping
 * the postmaster does not end the container. The loop forwards docker stop's signals (INT, TERM:
 * fast shutdown; QUIT: immediate) and exits with the server; it starts the server again only
 * while the restart flag exists (bench sets it around a restart), and while the hold flag exists
 * it waits with no server (a failover's primary, down until the next cell). `postgresArgs` are
 * quoted here.
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
    `  while [ -e ${HOLD_FLAG} ] && [ "$stop" != 1 ]; do sleep 0.1; done`,
    '  [ "$stop" = 1 ] && exit "$code"',
    `  [ -e ${RESTART_FLAG} ] || exit "$code"`,
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
  const cycle = async (sig: 'INT' | 'QUIT' | 'KILL') => {
    const before = await postmasterStart(superuser);
    const sent = await exec(['sh', '-c', `touch ${RESTART_FLAG} && kill -${sig} "$(cat ${PIDFILE})"`]);
    if (sent.exitCode !== 0)
      throw new Error(`signalling postgres in its container failed: ${sent.output.trim()}`);
    try {
      await waitForNewPostmaster(superuser, before, RESTART_MS, alive);
    } finally {
      await exec(['rm', '-f', RESTART_FLAG]);
    }
    if (!alive()) throw new Error('the PostgreSQL container exited during the restart');
  };
  let stoppedAt: string | undefined;
  let held = false;
  return {
    restart: (mode) => cycle(mode === 'fast' ? 'INT' : 'QUIT'),
    crash: () => cycle('KILL'),
    async stop(how) {
      stoppedAt = await postmasterStart(superuser);
      // Held: the loop waits instead of exiting (and so ending the container) or restarting.
      const sig = how === 'kill' ? 'KILL' : 'INT';
      const gone = `p="$(cat ${PIDFILE})"; kill -${sig} "$p" && while kill -0 "$p" 2>/dev/null; do sleep 0.05; done`;
      const sent = await exec(['sh', '-c', `touch ${HOLD_FLAG} && ${gone}`]);
      if (sent.exitCode !== 0)
        throw new Error(`stopping postgres in its container failed: ${sent.output.trim()}`);
      held = true;
    },
    async start(timeoutMs) {
      if (!held) return;
      held = false;
      const sent = await exec(['sh', '-c', `touch ${RESTART_FLAG} && rm -f ${HOLD_FLAG}`]);
      if (sent.exitCode !== 0)
        throw new Error(`starting postgres in its container failed: ${sent.output.trim()}`);
      try {
        await waitForNewPostmaster(superuser, stoppedAt, timeoutMs, alive);
      } finally {
        await exec(['rm', '-f', RESTART_FLAG]);
      }
    },
    ready: (timeoutMs) => waitForQuery(superuser, timeoutMs, alive),
  };
}
