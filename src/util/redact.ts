/**
 * Hides secrets in text that is logged or stored: the password of a URL
 * (`postgres://u:secret@h` -> `postgres://u:***@h`), `password=...` / `PGPASSWORD=...` key-value
 * pairs (libpq DSNs, env assignments, ini lines) and YAML/JSON `password: ...` fields.
 */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)([^@/\s]+)@/gi, '$1***@')
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
