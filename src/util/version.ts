/**
 * The version in a tool's `--version` output or a server's `server_version`, from its first line:
 * `postgres (PostgreSQL) 15.18 (Debian ...)` -> `15.18`, `PgBouncer 1.18.0` -> `1.18.0`,
 * `17.2 (Debian 17.2-1.pgdg120+1)` -> `17.2`. A first line without one is returned trimmed.
 */
export function parseVersion(text: string): string {
  const first = text.split('\n')[0] ?? '';
  return /(\d+\.\d+(?:\.\d+)?)/.exec(first)?.[1] ?? first.trim();
}

/** `1.24.1` >= [1, 23]; an unparsable version is not. */
export function versionAtLeast(version: string, min: number[]): boolean {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  for (const [i, m] of min.entries()) {
    const v = parts[i];
    if (v === undefined || Number.isNaN(v)) return false;
    if (v !== m) return v > m;
  }
  return true;
}
