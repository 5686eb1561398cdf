import path from 'node:path';

/** The layout of a run directory; the one place that knows file names. */
export function runPaths(dir: string) {
  return {
    dir,
    runJson: path.join(dir, 'run.json'),
    cellsJsonl: path.join(dir, 'cells.jsonl'),
    cellsDir: path.join(dir, 'cells'),
    cellDir: (id: string) => path.join(dir, 'cells', id),
    summaryCsv: path.join(dir, 'summary.csv'),
    summaryJson: path.join(dir, 'summary.json'),
    summaryMd: path.join(dir, 'summary.md'),
    findings: path.join(dir, 'FINDINGS.md'),
    plotsDir: path.join(dir, 'plots'),
  };
}
