import {
  fixed,
  fmtCores,
  fmtInt,
  fmtMiB,
  fmtMs,
  fmtPct,
  fmtRatio,
  fmtTps,
  isNum,
  ratioDecimals,
} from '../model/format.js';
import type { Row } from '../model/row.js';
import { clientRefs } from './client-refs.js';
import type { NumberRef } from './number-ref.js';

export type { NumberRef } from './number-ref.js';

export interface Sentence {
  kind:
    | 'overhead'
    | 'pooling-gain'
    | 'saturation'
    | 'backends'
    | 'memory'
    | 'cpu'
    | 'anomaly'
    | 'noise'
    | 'isolation'
    | 'cost'
    | 'question'
    | 'clients'
    | 'sweep'
    | 'outage'
    | 'cancel'
    | 'pools';
  text: string;
  numbers: NumberRef[];
}

/** `{n} client(s)`: a clients placeholder with its noun. */
export const clients = (n: number) => `{${n}} client${n === 1 ? '' : 's'}`;

/**
 * The clients a row's sentence speaks of: a mix row's own (a group's, or all its groups' on the
 * total), whose concurrency is only a factor on them (docs/tenants.md); any other row's concurrency.
 */
export const clientCount = (r: Row): number => r.groupClients ?? r.concurrency;

/** What a row measured: its workload, and a mix's group row names its group (`web (group batch)`). */
export const subject = (r: Row) => `${r.workload}${r.group === undefined ? '' : ` (group ${r.group})`}`;

export const where = (r: Row) => {
  const n = clientCount(r);
  return `${subject(r)} at ${n} client${n === 1 ? '' : 's'}`;
};

/** Builds NumberRefs for one row, by its index in summary.json's rows. */
export function refs(rows: readonly Row[]) {
  return (r: Row) => {
    const i = rows.indexOf(r);
    const at = (path: string, value: number, text: string, scale?: number): NumberRef => ({
      pointer: `/rows/${i}/${path}`,
      value,
      text,
      ...(scale ? { scale } : {}),
    });
    return {
      /** clientCount: a mix row's clients (`groupClients`), else the concurrency. */
      clients: () =>
        r.groupClients === undefined
          ? at('concurrency', r.concurrency, String(r.concurrency))
          : at('groupClients', r.groupClients, fmtInt(r.groupClients)),
      tps: () => at('tps/mean', r.tps.mean, fmtTps(r.tps.mean)),
      ratio: () =>
        at('vsBaseline/tpsRatio', r.vsBaseline?.tpsRatio ?? Number.NaN, fmtRatio(r.vsBaseline?.tpsRatio)),
      ratioErr: () => {
        const v = r.vsBaseline;
        const d = ratioDecimals(v?.tpsRatio ?? 0);
        return at('vsBaseline/tpsRatioError', v?.tpsRatioError ?? Number.NaN, fixed(v?.tpsRatioError, d));
      },
      p99: () => at('latency/p99Ms', r.latency?.p99Ms ?? Number.NaN, fmtMs(r.latency?.p99Ms)),
      conn: () => at('connectionMs/mean', r.connectionMs?.mean ?? Number.NaN, fmtMs(r.connectionMs?.mean)),
      cv: () => at('tps/cv', r.tps.cv, fmtPct(r.tps.cv), 100),
      backends: () =>
        at(
          'sampling/serverBackendsPeak',
          r.sampling?.serverBackendsPeak ?? Number.NaN,
          fmtInt(r.sampling?.serverBackendsPeak),
        ),
      pss: (j: number) => {
        const c = r.sampling?.components[j];
        return at(
          `sampling/components/${j}/pssPeakBytes`,
          c?.pssPeakBytes ?? Number.NaN,
          fmtMiB(c?.pssPeakBytes),
          MIB,
        );
      },
      perBackendSlope: () =>
        at(
          'sampling/pssPerBackendSlope/bytes',
          r.sampling?.pssPerBackendSlope?.bytes ?? Number.NaN,
          fmtMiB(r.sampling?.pssPerBackendSlope?.bytes),
          MIB,
        ),
      foreign: () =>
        at(
          'sampling/foreignBackendsPeak',
          r.sampling?.foreignBackendsPeak ?? Number.NaN,
          fmtInt(r.sampling?.foreignBackendsPeak),
        ),
      cpu: (j: number) => {
        const c = r.sampling?.components[j];
        return at(
          `sampling/components/${j}/cpuCoresMean`,
          c?.cpuCoresMean ?? Number.NaN,
          fmtCores(c?.cpuCoresMean),
        );
      },
      failedTx: () => at('failedTransactions', r.failedTransactions, fmtInt(r.failedTransactions)),
      aborted: () => at('abortedClients', r.abortedClients ?? Number.NaN, fmtInt(r.abortedClients)),
      reps: () => at('repsCompleted', r.repsCompleted, fmtInt(r.repsCompleted)),
      ciLow: () =>
        at(
          'vsBaseline/tpsRatioCi95/low',
          r.vsBaseline?.tpsRatioCi95?.low ?? Number.NaN,
          fmtRatio(r.vsBaseline?.tpsRatioCi95?.low),
        ),
      ciHigh: () =>
        at(
          'vsBaseline/tpsRatioCi95/high',
          r.vsBaseline?.tpsRatioCi95?.high ?? Number.NaN,
          fmtRatio(r.vsBaseline?.tpsRatioCi95?.high),
        ),
      ...clientRefs(r, at),
      pairs: () =>
        at(
          'vsBaseline/tpsRatioCi95/pairs',
          r.vsBaseline?.tpsRatioCi95?.pairs ?? Number.NaN,
          fmtInt(r.vsBaseline?.tpsRatioCi95?.pairs),
        ),
    };
  };
}

/** NumberRef scale for bytes printed in MiB. */
const MIB = 1 / 1048576;

/** Fills `{0}`, `{1}`... with the numbers' texts; a sentence with any missing number is dropped. */
export function sentence(
  kind: Sentence['kind'],
  template: string,
  numbers: NumberRef[],
): Sentence | undefined {
  if (numbers.some((n) => !isNum(n.value))) return undefined;
  const text = template
    .replace(/\{(\d+)\}/g, (_m, k: string) => numbers[Number(k)]?.text ?? '?')
    .replace(/(^|[^\d.,])1 clients\b/g, '$11 client');
  return { kind, text, numbers };
}

/** Index of the postgres component in a row's sampling figures, -1 when it was not sampled. */
export function pgIndex(r: Row): number {
  return r.sampling?.components.findIndex((c) => c.role === 'postgres') ?? -1;
}
