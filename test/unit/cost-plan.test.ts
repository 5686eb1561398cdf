import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { costArgv, planCostCells, uncountedConfigs } from '../../src/runner/cost-plan.js';
import { costProviderRefusal } from '../../src/runner/cost-preflight.js';
import { wrapCommand } from '../../src/stack/count-wrap.js';

const matrix = (cost: string, extra = '') => `
configs:
  - { name: direct, kind: direct }
  - { name: tx, kind: pgbouncer }
  - { name: relay, kind: proxy, command: ["relay", "--listen", "{host}:{port}"], via_pgbouncer: {} }
workloads: [readonly, readonly-short, tpcb]
concurrency: [1]
${extra}
cost:
${cost}
`;

function err(text: string): string {
  try {
    parseMatrix(text, 'm.yaml');
  } catch (e) {
    if (e instanceof ConfigurationError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('the cost: block', () => {
  it('fills its defaults', () => {
    const m = parseMatrix(matrix('  transactions: [2000, 6000]'), 'm.yaml');
    expect(m.spec.cost).toEqual({
      clients: 1,
      transactions: [2000, 6000],
      repeats: 3,
      components: ['proxy', 'pgbouncer'],
      methods: ['valgrind', 'perf'],
      ready_timeout: 120_000,
    });
  });

  it('refuses fewer than two distinct counts, with the field path', () => {
    expect(err(matrix('  transactions: [500]'))).toMatch(
      /^m\.yaml: cost\.transactions: expected at least two distinct/,
    );
    expect(err(matrix('  transactions: [600, 600]'))).toMatch(
      /cost\.transactions: expected at least two distinct/,
    );
  });

  it('refuses counts too small for the clients, or not a multiple of them', () => {
    expect(err(matrix('  clients: 4\n  transactions: [200, 4000]'))).toMatch(
      /cost\.transactions\[0\]: expected at least 400 transactions \(100 per client x 4 clients\), got 200/,
    );
    expect(err(matrix('  clients: 4\n  transactions: [402, 4000]'))).toMatch(
      /cost\.transactions\[0\]: expected a multiple of clients/,
    );
  });

  it('refuses postgres as a counted component and says why', () => {
    expect(err(matrix('  transactions: [200, 600]\n  components: [postgres]'))).toMatch(
      /cost\.components\[0\]: expected components without "postgres": counting PostgreSQL backends/,
    );
  });

  it('refuses an unknown method or key', () => {
    expect(err(matrix('  transactions: [200, 600]\n  methods: [strace]'))).toMatch(
      /cost\.methods\[0\]: expected one of valgrind, perf/,
    );
    expect(err(matrix('  transactions: [200, 600]\n  count: 3'))).toMatch(/cost: expected no key "count"/);
  });
});

describe('planCostCells', () => {
  const m = parseMatrix(matrix('  transactions: [200, 600]\n  repeats: 2'), 'm.yaml');
  const cells = planCostCells(m, 7);

  it('has one cell per (config with something to count, workload, count, method, repeat)', () => {
    // direct counts nothing; tx and relay x 3 workloads x 2 counts x 2 methods x 2 repeats.
    expect(cells).toHaveLength(2 * 3 * 2 * 2 * 2);
    expect(new Set(cells.map((c) => c.id)).size).toBe(cells.length);
    expect(uncountedConfigs(m)).toEqual(['direct']);
    expect(cells.map((c) => c.index)).toEqual(cells.map((_, i) => i));
  });

  it('runs repeats outermost, each repeat shuffled, reproducibly from the seed', () => {
    const reps = cells.map((c) => c.repeat);
    expect(reps).toEqual([...reps].sort());
    const order = (r: number) =>
      cells.filter((c) => c.repeat === r).map((c) => c.id.replace(/__r\d__/, '__'));
    expect(order(1)).not.toEqual(order(2));
    expect(planCostCells(m, 7)).toEqual(cells);
    expect(planCostCells(m, 8)).not.toEqual(cells);
  });

  it('counts the proxy and the PgBouncer behind it, marks -C workloads reconnect, splits -t per client', () => {
    const c = cells.find((x) => x.id === 'cost__relay__readonly-short__t600__r1__perf');
    expect(c).toMatchObject({
      roles: ['proxy', 'pgbouncer'],
      reconnect: true,
      perClient: 600,
      transactions: 600,
    });
    expect(cells.find((x) => x.config === 'tx')?.roles).toEqual(['pgbouncer']);
  });

  it('has no cells without a cost block', () => {
    const plain = parseMatrix(matrix('  transactions: [200, 600]').replace(/cost:[\s\S]*$/, ''), 'm.yaml');
    expect(planCostCells(plain, 1)).toEqual([]);
  });

  it('runs pgbench with -t and the workload flags, never -T', () => {
    const w = m.workloads.find((x) => x.name === 'readonly-short');
    if (!w) throw new Error('no workload');
    const argv = costArgv(
      { host: '127.0.0.1', port: 6000, database: 'bench', user: 'u', password: 'p' },
      w,
      { clients: 2, perClient: 300 },
      'simple',
    );
    expect(argv).toEqual([
      '-h',
      '127.0.0.1',
      '-p',
      '6000',
      '-U',
      'u',
      '-n',
      '-c',
      '2',
      '-j',
      '1',
      '-t',
      '300',
      '-M',
      'simple',
      '-S',
      '-C',
      '--failures-detailed',
      'bench',
    ]);
    expect(argv).not.toContain('-T');
  });
});

describe('wrapCommand', () => {
  it('runs valgrind cachegrind as the component user, children traced, one file per process', () => {
    expect(wrapCommand('valgrind', ['pgbouncer', 'x.ini'], '/o', { uid: 5, gid: 6 })).toEqual({
      argv: [
        'valgrind',
        '--tool=cachegrind',
        '--cache-sim=no',
        '--trace-children=yes',
        '--cachegrind-out-file=/o/cg.%p',
        'pgbouncer',
        'x.ini',
      ],
      spawnAs: 'component',
      signal: 'process',
    });
  });

  it('runs perf stat as bench, dropping to the component user for the command, and signals the child', () => {
    const w = wrapCommand('perf', ['pgbouncer', 'x.ini'], '/o', { uid: 5, gid: 6 });
    expect(w.argv).toEqual([
      'perf',
      'stat',
      '-x,',
      '-o',
      '/o/perf.csv',
      '-e',
      'raw_syscalls:sys_enter,context-switches,task-clock,page-faults',
      '--',
      'setpriv',
      '--reuid=5',
      '--regid=6',
      '--init-groups',
      '--',
      'pgbouncer',
      'x.ini',
    ]);
    expect(w.signal).toBe('child');
    expect(wrapCommand('perf', ['relay'], '/o', undefined).argv.slice(-2)).toEqual(['--', 'relay']);
  });
});

describe('costProviderRefusal', () => {
  it('runs cost cells on the native provider only, and says why elsewhere', () => {
    expect(costProviderRefusal('native')).toBeUndefined();
    expect(costProviderRefusal('testcontainers')).toMatch(
      /native provider only: .*valgrind and perf are not installed/,
    );
    expect(costProviderRefusal('external')).toMatch(/processes bench starts itself/);
  });
});
