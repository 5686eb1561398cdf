import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { type ContainerRuntimeClient, getContainerRuntimeClient, ImageName } from 'testcontainers';
import { dockerSocket } from './docker-engine.js';

export type DockerContainer = ReturnType<ContainerRuntimeClient['container']['getById']>;

/** Label keys on every container the harness starts; `bench clean` finds leftovers by the first. */
export const LABEL_RUN = 'bench.run';
export const LABEL_COMPONENT = 'bench.component';
export const LABEL_CONFIG = 'bench.config';
/**
 * One stack of the run (a run has one per PostgreSQL server): a stack's stop removes what carries
 * its own value, never another server's containers, which share the run's `bench.run`.
 */
export const LABEL_STACK = 'bench.stack';
/** PID and host of the bench process that started the container: `bench clean` spares live runs. */
export const LABEL_OWNER = 'bench.owner';

export function ownerLabel(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** True when the owner label names a bench process on this host that is still running. */
export function ownerAlive(owner: string | undefined): boolean {
  const m = /^(.*):(\d+)$/.exec(owner ?? '');
  if (!m || m[1] !== os.hostname()) return false;
  try {
    process.kill(Number(m[2]), 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Testcontainers defaults that do not work with host networking on an engine without a bridge
 * (measured on the machines this is tested on): its host detection looks up the `bridge` network, and Ryuk needs a
 * registry pull and a bridge. Set only when the user has not chosen; say so.
 */
export function ensureTestcontainersEnv(log: (msg: string) => void = () => undefined): void {
  if (process.env.TESTCONTAINERS_HOST_OVERRIDE === undefined) {
    process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
    log('set TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 (host networking: every component is on loopback)');
  }
  if (process.env.TESTCONTAINERS_RYUK_DISABLED === undefined) {
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    log('set TESTCONTAINERS_RYUK_DISABLED=true (the harness removes its own containers, found by label)');
  }
}

export async function runtimeClient(log?: (msg: string) => void): Promise<ContainerRuntimeClient> {
  ensureTestcontainersEnv(log);
  return getContainerRuntimeClient();
}

/*
 * Every container this process created and has not removed. With Ryuk off nothing reaps them if
 * the process dies, so an exit hook removes them synchronously (an 'exit' listener cannot wait
 * for the engine API). Only our own ids, never a name pattern.
 */
const live = new Set<string>();
let hookInstalled = false;

export function trackContainer(id: string): void {
  live.add(id);
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', () => {
    if (live.size === 0) return;
    const ids = [...live];
    const cli = spawnSync('docker', ['rm', '-f', '-v', ...ids], { stdio: 'ignore', timeout: 30_000 });
    if (cli.status === 0) return;
    // No docker CLI (an engine reached only through its socket): the same DELETE through the
    // API, from a child Node process, since this one can no longer wait for I/O.
    const socketPath = dockerSocket();
    if (!socketPath) return;
    spawnSync(process.execPath, ['-e', REMOVE_SCRIPT, socketPath, ...ids], {
      stdio: 'ignore',
      timeout: 30_000,
    });
  });
}

const REMOVE_SCRIPT = `
const http = require('node:http');
const [socketPath, ...ids] = process.argv.slice(1);
for (const id of ids) {
  http.request({ socketPath, method: 'DELETE', path: '/containers/' + id + '?force=1&v=1' }, (r) => r.resume()).end();
}`;

export function untrackContainer(id: string): void {
  live.delete(id);
}

export interface ImageFacts {
  ref: string;
  id: string;
  /** `name@sha256:...` when the image came from a registry; local builds have none. */
  digest?: string;
  entrypoint: string[];
  user: string;
}

/** Pulls the image only when it is missing locally (the library's default policy), then inspects it. */
export async function imageFacts(client: ContainerRuntimeClient, ref: string): Promise<ImageFacts> {
  const name = ImageName.fromString(ref);
  if (!(await client.image.exists(name)))
    await client.image.pull(name, { force: false, platform: undefined });
  const info = await client.image.inspect(name);
  const ep = info.Config?.Entrypoint as string[] | string | null | undefined;
  return {
    ref,
    id: info.Id,
    ...(info.RepoDigests?.[0] ? { digest: info.RepoDigests[0] } : {}),
    entrypoint: Array.isArray(ep) ? ep : ep ? [ep] : [],
    user: info.Config?.User ?? '',
  };
}

/** Host PID of the container's main process (`docker inspect` State.Pid); 0 once it has exited. */
export async function hostPid(client: ContainerRuntimeClient, id: string): Promise<number> {
  const info = await client.container.inspect(client.container.getById(id));
  return info.State.Pid;
}

/** Force-removes a container with its anonymous volumes; a container already gone is fine. */
export async function removeContainer(client: ContainerRuntimeClient, id: string): Promise<void> {
  try {
    await client.container.getById(id).remove({ force: true, v: true });
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  } finally {
    untrackContainer(id);
  }
}

export interface LabelledContainer {
  id: string;
  name: string;
  state: string;
  image: string;
  labels: Record<string, string>;
}

/** Containers (running or not) carrying `key` (any value) or `key=value`. */
export async function listLabelled(
  client: ContainerRuntimeClient,
  key: string,
  value?: string,
): Promise<LabelledContainer[]> {
  const list = await client.container.dockerode.listContainers({
    all: true,
    filters: { label: [value === undefined ? key : `${key}=${value}`] },
  });
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    state: c.State,
    image: c.Image,
    labels: c.Labels ?? {},
  }));
}
