import { StackError } from '../errors.js';
import {
  LABEL_COMPONENT,
  LABEL_CONFIG,
  LABEL_OWNER,
  LABEL_RUN,
  type LabelledContainer,
  listLabelled,
  ownerAlive,
  removeContainer,
  runtimeClient,
} from '../stack/container-engine.js';
import { pingDocker } from '../stack/docker-engine.js';

export interface CleanOptions {
  dryRun?: boolean;
  /** Only the containers of this run (the value of the bench.run label). */
  run?: string;
  /** Also remove containers whose bench process is still running (another run in progress). */
  all?: boolean;
  log?: (msg: string) => void;
}

export interface CleanedContainer {
  id: string;
  name: string;
  state: string;
  image: string;
  run: string;
  component?: string;
  config?: string;
}

export interface CleanResult {
  /** Ids removed, or that would be removed with `dryRun`. */
  removed: string[];
  containers: CleanedContainer[];
  dryRun: boolean;
}

function describe(c: LabelledContainer): CleanedContainer {
  const component = c.labels[LABEL_COMPONENT];
  const config = c.labels[LABEL_CONFIG];
  return {
    id: c.id,
    name: c.name,
    state: c.state,
    image: c.image,
    run: c.labels[LABEL_RUN] ?? '',
    ...(component ? { component } : {}),
    ...(config ? { config } : {}),
  };
}

/**
 * `bench clean`: removes the containers a killed run left behind, found by the `bench.run`
 * label every container of the harness carries (by id, with their anonymous volumes). Nothing
 * else on the engine is touched.
 */
export async function clean(opts: CleanOptions = {}): Promise<CleanResult> {
  const engine = await pingDocker();
  if (!engine.ok) throw new StackError(`no Docker engine answers (${engine.reason}); nothing to clean there`);
  const client = await runtimeClient(opts.log);
  const labelled = await listLabelled(client, LABEL_RUN, opts.run);
  // A run still in progress owns its containers: only leftovers of dead runs go, unless --all.
  const found = labelled.filter((c) => opts.all || !ownerAlive(c.labels[LABEL_OWNER])).map(describe);
  const dryRun = opts.dryRun ?? false;
  const removed: string[] = [];
  for (const c of found) {
    if (!dryRun) await removeContainer(client, c.id);
    removed.push(c.id);
    opts.log?.(
      `${dryRun ? 'would remove' : 'removed'} ${c.id.slice(0, 12)} ${c.name} (${c.component ?? '?'}` +
        `${c.config ? ` ${c.config}` : ''}, run ${c.run}, ${c.state})`,
    );
  }
  return { removed, containers: found, dryRun };
}
