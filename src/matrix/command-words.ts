/**
 * A string `command:` split into words as a POSIX shell splits them (quotes and backslashes), but
 * never run by a shell: what a shell would expand or interpret (`$`, backquotes, `|`, `;`, `>`,
 * globs, `~`, `#`) is refused rather than passed on literally, so a command that needs a shell
 * says so with `["sh", "-c", "..."]` instead of failing far from the cause.
 */
export type CommandWords = { ok: true; words: string[] } | { ok: false; error: string };

/** Unquoted, a shell would treat these as operators, expansions or patterns. */
const SHELL_SYNTAX = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`', '*', '?', '[']);
/** Only at the start of a word: a comment, a home directory. */
const WORD_START_SYNTAX = new Set(['#', '~']);
/** Inside double quotes a backslash escapes only these; before any other it stays. */
const DOUBLE_QUOTE_ESCAPES = new Set(['$', '`', '"', '\\', '\n']);
const WHITESPACE = /[ \t\n]/;

const HINT = 'quote it, or give the command as a list (a shell, if it needs one: ["sh", "-c", "..."])';

interface Scan {
  words: string[];
  /** The word being built, or undefined between words ('' is an empty quoted word). */
  word: string | undefined;
}

export function splitCommandWords(text: string): CommandWords {
  const s: Scan = { words: [], word: undefined };
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (WHITESPACE.test(c)) {
      if (s.word !== undefined) s.words.push(s.word);
      s.word = undefined;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return fail(`an unterminated single quote at character ${i + 1}`);
      s.word = (s.word ?? '') + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      const r = doubleQuoted(text, i);
      if (!r.ok) return r;
      s.word = (s.word ?? '') + r.text;
      i = r.next;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return fail('a backslash at the end with nothing to escape');
      // Backslash-newline is a line continuation: both go.
      if (text.charAt(i + 1) !== '\n') s.word = (s.word ?? '') + text.charAt(i + 1);
      i += 2;
    } else if (SHELL_SYNTAX.has(c) || (s.word === undefined && WORD_START_SYNTAX.has(c))) {
      return fail(`"${c}" at character ${i + 1} is shell syntax, and no shell runs the command: ${HINT}`);
    } else {
      s.word = (s.word ?? '') + c;
      i++;
    }
  }
  if (s.word !== undefined) s.words.push(s.word);
  if (s.words.length === 0) return fail('no words');
  return { ok: true, words: s.words };
}

/** The text of a "..." starting at `open`, and the index after its closing quote. */
function doubleQuoted(
  text: string,
  open: number,
): { ok: true; text: string; next: number } | { ok: false; error: string } {
  let out = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') return { ok: true, text: out, next: i + 1 };
    if (c === '\\' && DOUBLE_QUOTE_ESCAPES.has(text.charAt(i + 1))) {
      if (text.charAt(i + 1) !== '\n') out += text.charAt(i + 1);
      i++;
    } else if (c === '$' || c === '`') {
      return fail(
        `"${c}" at character ${i + 1} is a shell expansion inside double quotes, and no shell runs the command: ${HINT}`,
      );
    } else {
      out += c;
    }
  }
  return fail(`an unterminated double quote at character ${open + 1}`);
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
