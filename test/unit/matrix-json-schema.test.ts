import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrixJsonSchema } from '../../src/matrix/json-schema.js';

describe('docs/matrix.schema.json', () => {
  it('is the JSON Schema generated from the zod schema (regenerate it when the schema changes)', () => {
    const file = path.resolve(import.meta.dirname, '../../docs/matrix.schema.json');
    const committed = JSON.parse(readFileSync(file, 'utf8'));
    expect(committed).toEqual(matrixJsonSchema());
  });

  it('describes the fields a matrix needs', () => {
    const s = matrixJsonSchema() as { required?: string[]; properties?: Record<string, unknown> };
    expect(s.required).toEqual(expect.arrayContaining(['concurrency', 'configs', 'workloads']));
    expect(Object.keys(s.properties ?? {})).toEqual(expect.arrayContaining(['duration', 'gates', 'auth']));
  });
});
