import { StackError } from '../errors.js';
import { pingDocker } from './docker-engine.js';
import type { Provider } from './types.js';

export const dockerEngine = pingDocker;

// Placeholder until the container provider lands (issue 3).
export const testcontainersProvider: Provider = {
  name: 'testcontainers',
  async start() {
    throw new StackError('the testcontainers provider is not implemented yet; use --provider native');
  },
};
