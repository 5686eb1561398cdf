import { ConfigurationError } from '../errors.js';
import type { Matrix } from '../matrix/load.js';
import { roleCollision } from '../stack/roles.js';

/**
 * Before anything starts: no config's role (or tenant role) reads as another config's, else the
 * isolation check and the samplers would count one config's backends as the other's (exit 2).
 */
export function checkRoles(m: Matrix): void {
  const hit = roleCollision(m.spec.configs, m.spec.tenants);
  if (!hit) return;
  const i = m.spec.configs.findIndex((c) => c.name === hit.config);
  throw new ConfigurationError(
    `${m.file}: configs[${i}].name: expected a config name whose roles no other config's read as: role ${hit.role} of config ${hit.config} would be counted as config ${hit.other}'s (its role ${hit.otherRole}, its tenant roles ${hit.otherRole}_r<j>) by the isolation check and the samplers; rename one of them (not ending in _r<number>)`,
  );
}
