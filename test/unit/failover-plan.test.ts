import { describe, expect, it } from 'vitest';
import type { ConfigSpec } from '../../src/matrix/schema.js';
import { failoverPlan, onFailoverOf } from '../../src/runner/event-failover.js';
import { mergeIniChange } from '../../src/stack/pgbouncer-rewrite.js';

describe('what a failover does with the pooler', () => {
  it('promotes only, for a stranded pool', () => {
    expect(failoverPlan('none')).toEqual(['promote']);
  });

  it('re-points after the promotion for reload', () => {
    expect(failoverPlan('reload')).toEqual(['promote', 'reload']);
  });

  it('pauses before the promotion and resumes after the reload for pause-reload-resume', () => {
    expect(failoverPlan('pause-reload-resume')).toEqual(['pause', 'promote', 'reload', 'resume']);
  });

  it('defaults to none, and a direct config has no pooler to act on', () => {
    const bouncer = { name: 'b', kind: 'pgbouncer', standby: true } as ConfigSpec;
    expect(onFailoverOf(bouncer)).toBe('none');
    expect(onFailoverOf({ ...bouncer, on_failover: 'reload' } as ConfigSpec)).toBe('reload');
    expect(onFailoverOf({ name: 'd', kind: 'direct', standby: true } as ConfigSpec)).toBe('none');
  });
});

describe('changes to a running pgbouncer.ini', () => {
  it('keeps earlier settings when a failover re-points the upstream', () => {
    const merged = mergeIniChange(
      { settings: { default_pool_size: 5 } },
      { upstream: { host: '127.0.0.1', port: 25433 } },
    );
    expect(merged).toEqual({
      settings: { default_pool_size: 5 },
      upstream: { host: '127.0.0.1', port: 25433 },
    });
  });

  it('lets a later setting and a later upstream win', () => {
    const merged = mergeIniChange(
      { settings: { default_pool_size: 5 }, upstream: { host: '127.0.0.1', port: 1 } },
      { settings: { default_pool_size: 8 }, upstream: { host: '127.0.0.1', port: 2 } },
    );
    expect(merged).toEqual({ settings: { default_pool_size: 8 }, upstream: { host: '127.0.0.1', port: 2 } });
  });
});
