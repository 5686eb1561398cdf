/**
 * A number quoted in FINDINGS.md, with where it lives in summary.json (a JSON pointer), its exact
 * value and the text printed. A test resolves every pointer and checks the value: no number in the
 * prose can drift from the data.
 */
export interface NumberRef {
  pointer: string;
  value: number;
  text: string;
  /** The printed text is value × scale (100 for percentages). */
  scale?: number;
}
