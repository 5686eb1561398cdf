import type { CompareResult } from '../compare/compare.js';
import type { RenderOptions } from '../model/report-options.js';
import type { Row } from '../model/row.js';
import { compareJson } from './compare-json.js';
import { type CompareRenderOptions, compareMarkdown } from './compare-markdown.js';
import { compareTerminal } from './compare-terminal.js';
import { csv } from './csv.js';
import { json } from './json.js';
import { markdown } from './markdown.js';
import { terminal } from './terminal.js';

export type Reporter = (rows: readonly Row[], options: RenderOptions) => string;

/** Every output format of `bench summarize`, each built from the same rows. */
export const reporters = { csv, json, markdown, terminal } satisfies Record<string, Reporter>;

export type CompareReporter = (result: CompareResult, options: CompareRenderOptions) => string;

/** The output formats of `bench compare`. */
export const compareReporters = {
  json: compareJson,
  markdown: compareMarkdown,
  terminal: compareTerminal,
} satisfies Record<string, CompareReporter>;
