import { describe, expect, it } from 'vitest';
import { fmtConfidence } from '../../summarize/model/format.js';

describe('fmtConfidence', () => {
  it('states the level with the fewest decimals that are exact', () => {
    expect(fmtConfidence(0.05)).toBe('95%');
    expect(fmtConfidence(0.001)).toBe('99.9%');
    expect(fmtConfidence(0.1)).toBe('90%');
  });
  it('never rounds a level below 100% up to "100%" (Bonferroni alphas)', () => {
    expect(fmtConfidence(0.0018)).toBe('99.82%');
    expect(fmtConfidence(0.00001)).toBe('99.999%');
    expect(fmtConfidence(1 / 3)).toBe('66.6667%');
  });
});
