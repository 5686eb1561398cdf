import { MissingToolError } from '../errors.js';
import { externalProvider } from './external.js';
import { nativeProvider } from './native.js';
import type { Provider } from './types.js';

export interface ProviderChoice {
  provider: Provider;
  reason: string;
}

/**
 * `auto` picks Testcontainers when a Docker engine answers and native processes otherwise, and
 * says why; an explicit choice is honoured or fails loudly.
 */
export async function chooseProvider(
  requested: 'auto' | 'native' | 'testcontainers' | 'external',
): Promise<ProviderChoice> {
  if (requested === 'external')
    return { provider: externalProvider, reason: 'requested: a stack that runs elsewhere, reached by DSN' };
  if (requested === 'native') return { provider: nativeProvider, reason: 'requested' };
  const { dockerEngine, testcontainersProvider } = await import('./testcontainers.js');
  if (requested === 'testcontainers') {
    const engine = await dockerEngine();
    if (!engine.ok) {
      throw new MissingToolError(
        `a Docker engine for --provider testcontainers (${engine.reason})`,
        'apt-get install -y docker.io && eval "$(bash scripts/start-dockerd.sh)"  (or start Docker and set DOCKER_HOST)',
      );
    }
    return { provider: testcontainersProvider, reason: `requested; Docker engine ${engine.reason}` };
  }
  const engine = await dockerEngine();
  return engine.ok
    ? { provider: testcontainersProvider, reason: `auto: a Docker engine answered (${engine.reason})` }
    : { provider: nativeProvider, reason: `auto: no Docker engine answered (${engine.reason})` };
}
