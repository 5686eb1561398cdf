/**
 * Clients pgbench gave up on: pgbench 15 prints "client N aborted in command ..." or "client N
 * aborted while establishing connection" once per client and never reconnects it, so a client
 * lost to a stopped pooler process stays lost for the rest of the cell. When the server answered
 * the command with an error (PgBouncer >= 1.23 closing a client at shutdown: `FATAL: server
 * shutting down`) the line is "client N script S aborted in command C query Q: ...".
 */
export function countAbortedClients(stderr: string): number {
  const ids = new Set<string>();
  for (const m of stderr.matchAll(/client (\d+) (?:script \d+ )?aborted/g))
    if (m[1] !== undefined) ids.add(m[1]);
  return ids.size;
}
