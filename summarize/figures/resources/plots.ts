import { plotFile } from '../../../src/results/paths.js';
import type { Row } from '../../model/row.js';
import { facetSpec, finite, lineSpec, type Panel } from '../../plots/specs.js';
import type { PlotJob } from '../figure.js';

/**
 * Memory per component: peak PSS of each process tree (the memory it really uses) and PostgreSQL
 * PSS per server backend. Runs without any PSS (an older bench) get the RSS sum instead, titled as
 * such. Components whose PSS was not read are named in the subtitle.
 */
export function memoryPlot(w: string, rs: readonly Row[]): PlotJob | undefined {
  const comps = rs.flatMap((r) => (r.sampling?.components ?? []).map((c) => ({ r, c })));
  const havePss = comps.some(({ c }) => finite(c.pssPeakBytes));
  const data: Panel[] = comps.flatMap(({ r, c }) => {
    const bytes = havePss ? c.pssPeakBytes : c.rssPeakBytes;
    const panel = havePss ? `${c.role}: PSS (peak)` : `${c.role}: RSS sum (peak)`;
    return finite(bytes) ? [{ panel, series: r.config, clients: r.concurrency, value: bytes / 1048576 }] : [];
  });
  if (data.length === 0) return undefined;
  const perBackend = 'postgres: PSS per server backend (mean)';
  if (havePss) {
    for (const r of rs) {
      const v = r.sampling?.pssPerBackendBytes;
      if (finite(v))
        data.push({ panel: perBackend, series: r.config, clients: r.concurrency, value: v / 1048576 });
    }
  }
  const order = ['postgres', 'pgbouncer', 'proxy'];
  const rank = (p: string) => (p === perBackend ? 0.5 : (order.indexOf(p.split(':')[0] ?? '') + 100) % 100);
  const panels = [...new Set(data.map((d) => d.panel))].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  const notRead = [...new Set(comps.filter(({ c }) => c.pssMissing).map(({ c }) => c.name))];
  const subtitle = [
    havePss
      ? 'peak PSS of each process tree over reps (shared pages divided among sharers); own y scale per panel'
      : 'no PSS in these runs: RSS summed over each tree, shared pages counted once per process; own y scale per panel',
    ...(notRead.length > 0 ? [`PSS not read for ${notRead.join(', ')} (see the warnings)`] : []),
  ];
  return {
    name: plotFile('memory', w),
    title: `${w}: memory per component`,
    spec: facetSpec(`${w}: memory per component`, subtitle.join('; '), 'MiB', data, panels),
  };
}

/** Per workload: server backends against clients, memory and CPU per component. */
export function resourcePlots(rows: readonly Row[], workloads: readonly string[]): PlotJob[] {
  return workloads.flatMap((w) => {
    const rs = rows.filter((r) => r.workload === w && r.repsCompleted > 0);
    const jobs: PlotJob[] = [];
    const backends = rs.flatMap((r) =>
      finite(r.sampling?.serverBackendsPeak)
        ? [{ series: r.config, clients: r.concurrency, value: r.sampling.serverBackendsPeak }]
        : [],
    );
    if (backends.length > 0) {
      const clients = [...new Set(rs.map((r) => r.concurrency))].map((c) => ({ clients: c, value: c }));
      jobs.push({
        name: plotFile('backends', w),
        title: `${w}: server backends vs clients`,
        spec: lineSpec(
          `${w}: server backends (pg_stat_activity)`,
          'peak over reps; grey dashed line: one backend per client',
          'server backends (peak)',
          backends,
          'config',
          clients,
        ),
        workload: w,
      });
    }
    const memory = memoryPlot(w, rs);
    if (memory) jobs.push({ ...memory, workload: w });
    const cpu = rs.flatMap((r) =>
      (r.sampling?.components ?? []).flatMap((c) =>
        finite(c.cpuCoresMean)
          ? [{ series: `${r.config}: ${c.role}`, clients: r.concurrency, value: c.cpuCoresMean }]
          : [],
      ),
    );
    if (cpu.length > 0) {
      jobs.push({
        name: plotFile('cpu', w),
        title: `${w}: CPU per component`,
        spec: lineSpec(
          `${w}: CPU per component`,
          'mean over the run, averaged over reps; 1 = one core busy',
          'CPU (cores)',
          cpu,
          'config: component',
        ),
        workload: w,
      });
    }
    return jobs;
  });
}
