import { describe, expect, it } from 'vitest';
import type { ConfigSpec } from '../../src/matrix/schema.js';
import { failoverPlan, onFailoverOf } from '../../src/runner/event-failover.js';

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
