import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bench, onlyRunDir, tempResults, writeMatrix } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

describe('secrets', () => {
  it('a password in the matrix (proxy env, a DSN) and the TLS private keys appear in no results file and not on the terminal', async () => {
    const dir = tempDir('bench-secrets-');
    const matrix = writeMatrix(
      dir,
      'secret.yaml',
      `duration: 1s
settle: 0s
scale: 1
concurrency: [2]
configs:
  - name: relay
    kind: proxy
    description: "forwards to postgres://bench:hunter2@127.0.0.1/bench"
    # Quoted as a shell would: split on blanks, this string ran "'exec" (issue 19).
    command: "sh -c 'exec socat TCP-LISTEN:{port},bind={host},reuseaddr,fork TCP:{upstream_host}:{upstream_port}'"
    env: { RELAY_PASSWORD: hunter2 }
  - name: direct-tls
    kind: direct
    tls: { client: require }
workloads: [readonly]
`,
    );
    const results = tempResults();
    const r = await bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    expect(r.exitCode, String(r.all)).toBe(0);
    expect(String(r.all)).not.toContain('hunter2');
    const files = allFiles(onlyRunDir(results));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toContain('hunter2');
      // The generated role's SCRAM verifier (PgBouncer's auth_file) never leaves the scratch dir.
      expect(text, f).not.toContain('SCRAM-SHA-256$');
      // The run's throwaway CA and server keys (and certificates) stay in the scratch dir.
      expect(text, f).not.toMatch(/-----BEGIN|PRIVATE KEY/);
    }
    expect(String(r.all)).not.toMatch(/-----BEGIN|PRIVATE KEY/);
    expect(readFileSync(path.join(onlyRunDir(results), 'run.json'), 'utf8')).toContain(
      'postgres://bench:***@',
    );
  }, 120_000);
});
