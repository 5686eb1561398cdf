/**
 * Feeds a stream's text to `onLine` one complete line at a time (a line cut across chunks is
 * carried over), and keeps the whole text when `keep` is set. Returns a function giving the text.
 */
export function splitLines(
  stream: NodeJS.ReadableStream | null | undefined,
  onLine?: (line: string) => void,
  opts: { keep?: boolean; onChunk?: (chunk: string) => void } = {},
): () => string {
  let all = '';
  let buf = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    opts.onChunk?.(chunk);
    if (opts.keep) all += chunk;
    if (!onLine) return;
    buf += chunk;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
  });
  return () => all;
}
