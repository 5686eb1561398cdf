/**
 * The safety rules for the pgbench tables of an external database, pure: bench runs `pgbench -i`
 * (which drops and recreates the pgbench_* tables) only when the matrix says `init: true`, and
 * even then never in a database that holds any other table, so no user data is ever dropped.
 */
export const PGBENCH_TABLES = ['pgbench_accounts', 'pgbench_branches', 'pgbench_history', 'pgbench_tellers'];

/** Every relation a user could own, with whether it lies in the schema pgbench -i would use. */
export const TABLES_SQL = `SELECT n.nspname AS schema, c.relname AS name, n.nspname = current_schema() AS current
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
 ORDER BY 1, 2`;

export interface TableRow {
  schema: string;
  name: string;
  current: boolean;
}

export interface TableCensus {
  /** pgbench's tables present in the current schema (partitions of pgbench_accounts included). */
  pgbench: string[];
  /** Every other relation, as schema.name. */
  foreign: string[];
  /** pgbench tables that do not exist. */
  missing: string[];
}

function isPgbench(r: TableRow): boolean {
  return r.current && (PGBENCH_TABLES.includes(r.name) || /^pgbench_accounts_\d+$/.test(r.name));
}

export function tableCensus(rows: readonly TableRow[]): TableCensus {
  const pgbench = rows.filter(isPgbench).map((r) => r.name);
  const foreign = rows.filter((r) => !isPgbench(r)).map((r) => `${r.schema}.${r.name}`);
  return { pgbench, foreign, missing: PGBENCH_TABLES.filter((t) => !pgbench.includes(t)) };
}

const MAX_LISTED = 8;

function list(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).join(', ');
  return names.length > MAX_LISTED ? `${shown} and ${names.length - MAX_LISTED} more` : shown;
}

/**
 * What bench may do with one database: `init` (run pgbench -i), `use` (the tables are there), or
 * refuse with one message naming the config and the `init` field. `where` names the config and
 * the database (`configs[0] "staging": app@db:5432/bench`).
 */
export function dataDecision(
  init: boolean,
  census: TableCensus,
  where: string,
): { action: 'init' | 'use' } | { action: 'refuse'; message: string } {
  if (init && census.foreign.length > 0) {
    return {
      action: 'refuse',
      message:
        `${where}: init: true, but the database holds tables other than pgbench's (${list(census.foreign)}); ` +
        'bench never runs pgbench -i there (it drops and recreates pgbench_* tables): give the benchmark a database of its own',
    };
  }
  if (init) return { action: 'init' };
  if (census.missing.length > 0) {
    return {
      action: 'refuse',
      message:
        `${where}: the database has no pgbench tables (${list(census.missing)} missing), and bench runs pgbench -i ` +
        'on an external stack only when the matrix says init: true (at the top level of the matrix)',
    };
  }
  return { action: 'use' };
}
