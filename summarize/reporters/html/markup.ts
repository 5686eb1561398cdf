/** HTML text escaping, for element content and double-quoted attributes. */
export function esc(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * The inline markdown FINDINGS.md's bullet lines use (`code`, **bold**), as HTML; anything else
 * stays literal text. The lines come from summarize itself, so this small subset is enough.
 */
export function inlineMarkdown(s: string): string {
  return esc(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/** `- a` bullet lines as a list; other lines as paragraphs. */
export function markdownLines(lines: readonly string[]): string {
  const items = lines.filter((l) => l.trim() !== '');
  const bullets = items.filter((l) => l.startsWith('- '));
  if (bullets.length === items.length)
    return `<ul>${bullets.map((l) => `<li>${inlineMarkdown(l.slice(2))}</li>`).join('')}</ul>`;
  return items.map((l) => `<p>${inlineMarkdown(l.replace(/^- /, ''))}</p>`).join('');
}

/**
 * JSON for a `<script type="application/json">` element: `<` is escaped so no `</script>` or
 * `<!--` inside a string can end the element early; JSON.parse reads \u003c back as `<`.
 * NaN and infinities become null, as in summary.json.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(
    /</g,
    '\\u003c',
  );
}

/** A script's text made safe to inline: `</script` cannot occur in it (in JS, `<\/` equals `</`). */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}
