import { z } from 'zod';
import { matrixSchema } from './schema.js';

/**
 * The matrix file format as JSON Schema, generated from the zod schema that validates it, so
 * editors (yaml-language-server) can complete and check matrices. docs/matrix.schema.json is this,
 * kept in sync by a test; regenerate with `node dist/src/matrix/json-schema.js > docs/matrix.schema.json`.
 */
export function matrixJsonSchema(): Record<string, unknown> {
  // Durations are transformed (10s -> 10000 ms): describe what a file may contain, the input side.
  return z.toJSONSchema(matrixSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

if (process.argv[1]?.endsWith('json-schema.js')) {
  process.stdout.write(`${JSON.stringify(matrixJsonSchema(), null, 2)}\n`);
}
