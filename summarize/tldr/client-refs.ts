import { fixed, fmtInt, fmtMs, fmtRatio } from '../model/format.js';
import type { Row } from '../model/row.js';
import type { NumberRef } from './number-ref.js';

type At = (path: string, value: number, text: string, scale?: number) => NumberRef;

/** NumberRefs of a row's per-client figures, PgBouncer waiting and contrasts (see refs). */
export function clientRefs(r: Row, at: At) {
  return {
    starved: () =>
      at('clients/starvedMax', r.clients?.starvedMax ?? Number.NaN, fmtInt(r.clients?.starvedMax)),
    served: () => at('clients/servedMin', r.clients?.servedMin ?? Number.NaN, fmtInt(r.clients?.servedMin)),
    cellClients: () => at('clients/clients', r.clients?.clients ?? Number.NaN, fmtInt(r.clients?.clients)),
    jainMin: () => at('clients/jainMin', r.clients?.jainMin ?? Number.NaN, fixed(r.clients?.jainMin, 2)),
    clWaiting: () =>
      at(
        'sampling/clWaitingPeak',
        r.sampling?.clWaitingPeak ?? Number.NaN,
        fmtInt(r.sampling?.clWaitingPeak),
      ),
    maxwait: () =>
      at('sampling/maxwaitMsPeak', r.sampling?.maxwaitMsPeak ?? Number.NaN, fmtMs(r.sampling?.maxwaitMsPeak)),
    /** The k-th of the row's contrasts (Row.contrasts): ratio, interval and pairs. */
    contrast: (k: number) => {
      const v = r.contrasts?.[k];
      const ci = v?.tpsRatioCi95;
      return {
        ratio: () => at(`contrasts/${k}/tpsRatio`, v?.tpsRatio ?? Number.NaN, fmtRatio(v?.tpsRatio)),
        low: () => at(`contrasts/${k}/tpsRatioCi95/low`, ci?.low ?? Number.NaN, fmtRatio(ci?.low)),
        high: () => at(`contrasts/${k}/tpsRatioCi95/high`, ci?.high ?? Number.NaN, fmtRatio(ci?.high)),
        pairs: () => at(`contrasts/${k}/tpsRatioCi95/pairs`, ci?.pairs ?? Number.NaN, fmtInt(ci?.pairs)),
      };
    },
  };
}
