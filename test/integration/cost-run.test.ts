import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CostCellRecord, CostComponent } from '../../src/results/cost-types.js';
import {
  bench,
  onlyRunDir,
  processesMentioning,
  ROOT,
  readCells,
  tempResults,
  writeMatrix,
} from '../helpers/cli.js';

/**
 * Cost cells on real components (native provider): PgBouncer in transaction mode, the exact-cost
 * relay twice with the same settings (an A/A pair), and the relay behind a wrapper that refuses to
 * run under valgrind (a component that exits under valgrind: its valgrind cells fail, the rest goes
 * on). Small counts, two repeats, short throughput cells before them.
 */
const COUNTS = [200, 600];

function matrix(
  relay: string,
  cost = `cost:\n  transactions: [${COUNTS.join(', ')}]\n  repeats: 2\n`,
): string {
  const relayCmd = (loops: number) =>
    `["${relay}", "--listen", "{host}:{port}", "--upstream", "{upstream_host}:{upstream_port}", "--loops", "${loops}"]`;
  return `
name: cost-test
provider: native
auth: trust
duration: 1s
settle: 100ms
reps: 1
scale: 1
concurrency: [1]
configs:
  - { name: pgb, kind: pgbouncer, pool_mode: transaction, default_pool_size: 2 }
  - { name: relay-a, kind: proxy, command: ${relayCmd(50)} }
  - { name: relay-b, kind: proxy, command: ${relayCmd(50)} }
  - name: no-valgrind
    kind: proxy
    # Exits when valgrind's preload is in its environment: a component that cannot run under valgrind.
    command: ["sh", "-c", "case \\"$LD_PRELOAD\\" in *vgpreload*) echo 'refusing valgrind' >&2; exit 3;; esac; exec \\"$0\\" \\"$@\\"", "${relay}", "--listen", "{host}:{port}", "--upstream", "{upstream_host}:{upstream_port}"]
workloads: [readonly]
${cost}`;
}

function component(r: CostCellRecord, name: string): CostComponent {
  const c = r.components.find((x) => x.component === name);
  if (!c) throw new Error(`${r.id}: no ${name} component`);
  return c;
}

describe('cost cells (native provider, real PgBouncer and relay)', () => {
  let relay: string;
  let dir: string;
  let runDir: string;
  let exitCode: number | undefined;
  let output: string;
  let cost: CostCellRecord[];
  // Removed after the file, so no bench-* directory stays in the temp dir.
  const made: string[] = [];
  const results = () => {
    const d = tempResults();
    made.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  beforeAll(async () => {
    relay = (await execa('bash', [path.join(ROOT, 'tools/cost-relay/build.sh')])).stdout.trim();
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cost-'));
    made.push(dir);
    const file = writeMatrix(dir, 'cost.yaml', matrix(relay));
    const out = results();
    const r = await bench(['run', file, '--results-dir', out, '--no-summarize'], { timeout: 150_000 });
    exitCode = r.exitCode;
    output = String(r.all);
    runDir = onlyRunDir(out);
    cost = readFileSync(path.join(runDir, 'cost.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as CostCellRecord);
  }, 150_000);

  it('records one cost cell per (config, workload, count, method, repeat), in cost.jsonl only', () => {
    const ids = cost.map((r) => r.id).sort();
    const expected = ['pgb', 'relay-a', 'relay-b', 'no-valgrind'].flatMap((c) =>
      COUNTS.flatMap((t) =>
        [1, 2].flatMap((r) => ['valgrind', 'perf'].map((m) => `cost__${c}__readonly__t${t}__r${r}__${m}`)),
      ),
    );
    expect(ids, output).toEqual(expected.sort());
    const cells = readCells(runDir);
    expect(cells.map((c) => c.config).sort()).toEqual(['no-valgrind', 'pgb', 'relay-a', 'relay-b']);
    expect(cells.every((c) => c.state === 'completed')).toBe(true);
    expect(readFileSync(path.join(runDir, 'cells.jsonl'), 'utf8')).not.toContain('"kind":"cost"');
    const ran = cost.filter((r) => r.state === 'completed');
    expect(ran.every((r) => r.argv.includes('-t') && !r.argv.includes('-T'))).toBe(true);
  });

  it('fails only the valgrind cells of the component that cannot run under valgrind, with the reason; exit 1', () => {
    const failed = cost.filter((r) => r.state !== 'completed');
    expect(failed.map((r) => r.id).sort()).toEqual(
      cost
        .filter((r) => r.config === 'no-valgrind' && r.method === 'valgrind')
        .map((r) => r.id)
        .sort(),
    );
    expect(failed[0]?.reason).toMatch(/proxy did not start under valgrind: .*(exited|refusing valgrind)/);
    expect(exitCode, output).toBe(1);
    const perfOk = cost.filter((r) => r.config === 'no-valgrind' && r.method === 'perf');
    expect(perfOk.every((r) => r.state === 'completed' && (component(r, 'proxy').syscalls ?? 0) > 0)).toBe(
      true,
    );
  });

  it("counts PgBouncer's instructions and syscalls, more at the larger count", () => {
    const at = (t: number, m: string, key: 'instructions' | 'syscalls') =>
      cost
        .filter((r) => r.config === 'pgb' && r.transactions === t && r.method === m)
        .map((r) => component(r, 'pgbouncer')[key] ?? 0);
    for (const [m, key] of [
      ['valgrind', 'instructions'],
      ['perf', 'syscalls'],
    ] as const) {
      const small = at(200, m, key);
      const large = at(600, m, key);
      expect(small.length).toBe(2);
      expect(Math.min(...small)).toBeGreaterThan(0);
      expect(Math.min(...large)).toBeGreaterThan(Math.max(...small));
    }
    const v = cost.find((r) => r.config === 'pgb' && r.method === 'valgrind');
    expect(v?.processed).toBe(v?.transactions);
    expect(component(v as CostCellRecord, 'pgbouncer').functions?.length).toBeGreaterThan(0);
  });

  it('gives two identical relay configs the same instructions per transaction (within 0.1 %)', () => {
    const slope = (config: string, repeat: number) => {
      const ir = (t: number) => {
        const r = cost.find(
          (x) =>
            x.config === config && x.method === 'valgrind' && x.repeat === repeat && x.transactions === t,
        );
        if (r?.state !== 'completed') throw new Error(`${config} r${repeat} t${t}: not completed`);
        return {
          ir: component(r, 'proxy').instructions ?? 0,
          tx: r.processed,
          processes: component(r, 'proxy').processes,
        };
      };
      const a = ir(COUNTS[0] as number);
      const b = ir(COUNTS[1] as number);
      expect(a.processes).toBeGreaterThan(1);
      return (b.ir - a.ir) / (b.tx - a.tx);
    };
    const slopes = ['relay-a', 'relay-b'].flatMap((c) => [1, 2].map((r) => slope(c, r)));
    expect(Math.min(...slopes)).toBeGreaterThan(100);
    const spread = (Math.max(...slopes) - Math.min(...slopes)) / Math.min(...slopes);
    expect(spread, `slopes ${slopes.join(', ')}`).toBeLessThanOrEqual(0.001);
  });

  it('leaves no counted process running', () => {
    expect(processesMentioning(relay).filter((pid) => pid !== process.pid)).toEqual([]);
  });

  it('refuses a single transaction count before anything starts (exit 2, the field path)', async () => {
    const file = writeMatrix(dir, 'bad.yaml', matrix(relay, 'cost:\n  transactions: [500]\n'));
    const out = results();
    const r = await bench(['run', file, '--results-dir', out]);
    expect(r.exitCode).toBe(2);
    expect(String(r.all)).toMatch(/cost\.transactions: expected at least two distinct transaction counts/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
