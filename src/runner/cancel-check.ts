import pg from 'pg';
import type { CancelCheckRecord } from '../results/types.js';
import { SAMPLER_APPLICATION_NAME } from '../sampling/pg-conn.js';
import { ignoreIdleError } from '../stack/ready.js';
import type { Endpoint } from '../stack/types.js';
import { CANCEL_CHECK, type ProbeOutcome, tallyProbes } from './cancel-outcome.js';
import { probe } from './cancel-probe.js';

/**
 * The cancel check (`cancel_check: true`, docs/workers.md): while the cell's pgbench runs, a second
 * client opens a connection through the pooler, starts `SELECT pg_sleep(...)`, waits until
 * PostgreSQL shows that statement running, and sends a CancelRequest on a new connection to the
 * pooler's port, as libpq does. With several so_reuseport workers the kernel may give that
 * connection to another worker than the client's: unpeered, that worker does not know the key
 * and the query runs on. One probe at a time, one after the other, until the cell ends. The
 * probe is in cancel-probe.ts, how each probe is judged and tallied in cancel-outcome.ts.
 */
export interface CancelCheckSession {
  /** Stops probing at once; resolves, once the probe in flight has finished, with the tally. */
  stop(): Promise<CancelCheckRecord>;
}

/**
 * The check's direct connection to PostgreSQL (it watches the probes' statements and ends them).
 * It is named like the samplers' connections, which the pg_stat_activity sampler leaves out: it
 * belongs to the harness, not to a config, so it must not count as a foreign backend.
 */
export function cancelCheckAdminConfig(postgres: Endpoint): pg.ClientConfig {
  return { ...postgres, application_name: SAMPLER_APPLICATION_NAME };
}

/**
 * Starts probing `pooler` (the config's endpoint, as its role) with `postgres` (the harness's
 * direct connection, to see and clean up the probes' backends); `stop()` lets the probe in flight
 * finish and returns the tally.
 */
export function startCancelCheck(pooler: Endpoint, postgres: Endpoint): CancelCheckSession {
  const outcomes: ProbeOutcome[] = [];
  let stopping = false;
  const direct = new pg.Client(cancelCheckAdminConfig(postgres));
  direct.on('error', ignoreIdleError);
  const loop = (async () => {
    try {
      await direct.connect();
    } catch (e) {
      outcomes.push({ kind: 'failed', error: `the direct connection failed: ${(e as Error).message}` });
      return;
    }
    for (let n = 1; !stopping; n++) {
      outcomes.push(await probe(pooler, direct, n));
      await new Promise<void>((r) => setTimeout(r, CANCEL_CHECK.pauseMs));
    }
  })();
  return {
    async stop() {
      stopping = true;
      try {
        await loop;
      } finally {
        await direct.end().catch(() => undefined);
      }
      return tallyProbes(outcomes, CANCEL_CHECK);
    },
  };
}
