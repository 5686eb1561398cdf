import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import { imagesToCheck } from '../../src/stack/image-preflight.js';
import { bouncerVersionKey } from '../../src/stack/testcontainers.js';

const run = { postgres: 'local/pgstack:bookworm', pgbouncer: 'local/pgstack:bookworm' };

function configs(text: string) {
  return parseMatrix(`name: m\nconcurrency: [2]\nworkloads: [readonly]\nconfigs:\n${text}`, 'm.yaml').spec
    .configs;
}

describe('imagesToCheck: every image the run starts, before anything starts', () => {
  it("lists each config's own images and the run's, each once, named by its first config", () => {
    const c = configs(`  - { name: a, kind: direct }
  - { name: b, kind: pgbouncer, pool_mode: transaction, images: { postgres: local/nope:1, pgbouncer: local/pgstack:trixie } }
  - { name: c, kind: pgbouncer, pool_mode: session }
`);
    expect(imagesToCheck(c, run)).toEqual([
      { image: 'local/pgstack:bookworm', where: "config a: the run's postgres image" },
      { image: 'local/nope:1', where: 'config b: images.postgres' },
      { image: 'local/pgstack:trixie', where: 'config b: images.pgbouncer' },
    ]);
  });

  it("names the run's pgbouncer image when no config before used the image", () => {
    const c = configs(`  - { name: p, kind: pgbouncer, pool_mode: session, images: { postgres: x } }
`);
    expect(imagesToCheck(c, { postgres: 'pg', pgbouncer: 'bouncer' })).toEqual([
      { image: 'x', where: 'config p: images.postgres' },
      { image: 'bouncer', where: "config p: the run's pgbouncer image" },
    ]);
  });
});

describe("bouncerVersionKey: run.json's pgbouncer is the run's image only", () => {
  it("records a config's own image under pgbouncer:<config>, the run's as pgbouncer", () => {
    const images = { pgbouncer: {}, 'pgbouncer:old': {} };
    expect(bouncerVersionKey(images, 'old')).toBe('pgbouncer:old');
    expect(bouncerVersionKey(images, 'new')).toBe('pgbouncer');
  });
});
