/**
 * Clients pgbench gave up on: pgbench 15 prints "client N script S aborted in command ..." (an
 * error inside a transaction), "client N aborted in command ..." or "client N aborted while
 * establishing connection" once per client and never reconnects it, so a client
 * lost to a stopped pooler process stays lost for the rest of the cell.
 */
export function countAbortedClients(stderr: string): number {
  const ids = new Set<string>();
  for (const m of stderr.matchAll(/client (\d+) (?:script \d+ )?aborted/g))
    if (m[1] !== undefined) ids.add(m[1]);
  return ids.size;
}
