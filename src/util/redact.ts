const known = new Set<string>();
/** Secrets too short to hide as substrings (they would mangle words): hidden as whole tokens. */
const shortKnown = new Set<string>();

/** Below this length a secret is hidden only where it stands alone, not inside a longer word. */
const SUBSTRING_MIN = 6;

function tokenPattern(secret: string): RegExp {
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g');
}

/**
 * Registers a secret the harness generated or read (the run's password, the SCRAM verifier):
 * redact() then hides it wherever it appears, whatever the surrounding text looks like.
 */
export function registerSecret(secret: string): void {
  if (secret.length >= SUBSTRING_MIN) known.add(secret);
  else if (secret.length > 0) shortKnown.add(secret);
}

/**
 * Hides secrets in text that is logged or stored: the password of a URL
 * (`postgres://u:secret@h` -> `postgres://u:***@h`), `password=...` / `PGPASSWORD=...` key-value
 * pairs (libpq DSNs, env assignments, ini lines) and YAML/JSON `password: ...` fields.
 */
export function redact(text: string): string {
  let out = text;
  for (const s of known) out = out.replaceAll(s, '***');
  for (const s of shortKnown) out = out.replace(tokenPattern(s), '***');
  return out
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)([^@/\s]+)@/gi, '$1***@')
    .replace(/SCRAM-SHA-256\$[^\s"']+/g, 'SCRAM-SHA-256$***')
    .replace(
      /\b(\w*(?:password|passwd|pwd|secret|token))(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&}]+)/gi,
      '$1$2***',
    );
}

/** Redacts every string inside a JSON-like value. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        /password|secret|token/i.test(k) && typeof v === 'string' ? '***' : redactDeep(v),
      ]),
    ) as T;
  }
  return value;
}
