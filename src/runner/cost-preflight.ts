import { ConfigurationError } from '../errors.js';
import type { Matrix } from '../matrix/load.js';
import type { ProviderName } from '../stack/types.js';
import type { CostCell } from './cost-plan.js';
import { probeCostTools } from './cost-tools.js';

/**
 * Why cost cells are refused on a provider, or undefined on the native one. In containers,
 * valgrind and perf would have to be in every component's image and run inside it; bench does not
 * do that yet (docs/cost.md).
 */
export function costProviderRefusal(provider: ProviderName): string | undefined {
  if (provider === 'native') return undefined;
  if (provider === 'external')
    return 'cost cells count processes bench starts itself: an external stack runs elsewhere (drop the cost: block or use --no-cost)';
  return `cost cells run on the native provider only: with ${provider} the components run in containers, where valgrind and perf are not installed (use --provider native, or --no-cost)`;
}

/**
 * Refuses cost cells before anything starts (exit 2): a provider that cannot count, or valgrind /
 * perf missing or not allowed, named with their Debian package.
 */
export async function costPreflight(
  m: Matrix,
  cells: readonly CostCell[],
  provider: ProviderName,
): Promise<void> {
  if (cells.length === 0) return;
  const refusal = costProviderRefusal(provider);
  if (refusal) throw new ConfigurationError(`${m.file}: cost: ${refusal}`);
  const methods = [...new Set(cells.map((c) => c.method))];
  const bad = (await probeCostTools(methods)).filter((p) => !p.ok);
  const first = bad[0];
  if (first) {
    throw new ConfigurationError(
      `${m.file}: cost.methods: ${first.detail}${first.fix ? `; install: ${first.fix}` : ''}`,
      bad.slice(1).map((b) => `${b.detail}${b.fix ? `; install: ${b.fix}` : ''}`),
    );
  }
}
