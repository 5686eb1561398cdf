import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The browser builds of Vega and Vega-Lite, inlined into report.html so it opens without a network. */
export interface ReportAssets {
  vega: string;
  vegaLite: string;
}

/**
 * Reads the UMD builds shipped in the vega and vega-lite packages (the dependencies summarize
 * already renders SVG with, so the browser draws with the same versions). Their package exports
 * hide build/, so the path is found from the resolved entry point, which lives in build/ too.
 */
export function readReportAssets(): ReportAssets {
  const require = createRequire(import.meta.url);
  const build = (pkg: string, file: string) =>
    readFileSync(path.join(path.dirname(require.resolve(pkg)), file), 'utf8');
  return { vega: build('vega', 'vega.min.js'), vegaLite: build('vega-lite', 'vega-lite.min.js') };
}
