import type { Readable } from 'node:stream';
import {
  type ContainerRuntimeClient,
  type ExecResult,
  GenericContainer,
  type StartedTestContainer,
  Wait,
  type WaitStrategy,
} from 'testcontainers';
import { StackError } from '../errors.js';
import { splitLines } from '../util/lines.js';
import {
  type DockerContainer,
  hostPid,
  type ImageFacts,
  LABEL_COMPONENT,
  LABEL_CONFIG,
  LABEL_OWNER,
  LABEL_RUN,
  LABEL_STACK,
  ownerLabel,
  removeContainer,
  trackContainer,
  untrackContainer,
} from './container-engine.js';
import { copyOwnedFiles, type OwnedFiles } from './container-owned-files.js';
import { containerNofile } from './container-ulimits.js';
import { releasePort } from './ports.js';
import { waitForQuery } from './ready.js';
import type { Component, ComponentRole, Endpoint } from './types.js';

/** GenericContainer that reports its id as soon as it exists, before start and the wait can fail. */
class TrackedContainer extends GenericContainer {
  constructor(
    image: string,
    private readonly onCreated: (id: string) => void | Promise<void>,
  ) {
    super(image);
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    await this.onCreated(containerId);
  }
}

/**
 * Ready when a real query succeeds on 127.0.0.1:<port> (listen, auth and routing all work). The
 * library's default strategy waits for published ports, of which host mode has none, so it
 * returns at once; this one fails early when the container exits or the run is interrupted.
 */
class QueryWaitStrategy implements WaitStrategy {
  private timeoutMs = 60_000;
  private timeoutSet = false;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly signal?: AbortSignal,
  ) {}

  async waitUntilReady(container: DockerContainer): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let last = 'no attempt';
    for (;;) {
      if (this.signal?.aborted)
        throw new Error('interrupted while waiting for the container to accept connections');
      const state = (await container.inspect()).State;
      if (!state.Running) {
        throw new Error(
          `container exited (code ${state.ExitCode}) before accepting connections (last error: ${last})`,
        );
      }
      try {
        await waitForQuery(this.endpoint, Math.min(1_000, Math.max(1, deadline - Date.now())));
        return;
      } catch (e) {
        last = (e as Error).message;
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `no query succeeded on 127.0.0.1:${this.endpoint.port} within ${this.timeoutMs} ms (${last})`,
        );
      }
    }
  }

  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}

export interface ComponentContainerSpec {
  client: ContainerRuntimeClient;
  role: ComponentRole;
  config?: string;
  image: ImageFacts;
  runLabel: string;
  /** Value of the bench.stack label: the stack this container belongs to. */
  stackLabel?: string;
  port: number;
  entrypoint?: string[];
  command?: string[];
  env?: Record<string, string>;
  user?: string;
  /** Host directories mounted read-write (a PgBouncer worker's unix socket directory). */
  binds?: Array<{ source: string; target: string }>;
  /** Copied into the container before it starts (configs, the initdb password file). */
  files?: Array<{ content: string; target: string; mode: number }>;
  /** Copied in before start owned by the server's user (TLS keys), see container-owned-files.ts. */
  ownedFiles?: OwnedFiles;
  shmBytes?: number;
  /** A log line to wait for (and how many times) before the query check counts. */
  logMessage?: { re: RegExp; times: number };
  ready: Endpoint;
  readyTimeoutMs: number;
  /** `docker stop` grace; the library's default is 0 ms, i.e. SIGKILL. */
  stopTimeoutMs: number;
  /** Sent before `docker stop` (whose signal is the image's STOPSIGNAL, often SIGTERM). */
  stopSignal?: string;
  signal?: AbortSignal;
  version?: string;
}

export interface ContainerComponent extends Component {
  containerId: string;
  pid: number;
  image: string;
  /** Sent before `docker stop`; may be set once the running version is known. */
  stopSignal?: string;
  exec(cmd: string[]): Promise<ExecResult>;
}

const RING = 200;

/** The last RING lines of a followed log stream, and whether it ended (the container stopped). */
function logRing(): { lines: string[]; exited: () => boolean; consume: (stream: Readable) => void } {
  const lines: string[] = [];
  let ended = false;
  const consume = (stream: Readable) => {
    splitLines(stream, (line) => {
      lines.push(line);
      if (lines.length > RING) lines.splice(0, lines.length - RING);
    });
    // The engine ends a followed log stream when the container stops: that is our liveness signal.
    stream.once('end', () => {
      ended = true;
    });
    stream.once('close', () => {
      ended = true;
    });
  };
  return { lines, exited: () => ended, consume };
}

/** The container as the spec says: host network, labels, the wait, and what the spec sets. */
function containerFor(
  s: ComponentContainerSpec,
  consume: (stream: Readable) => void,
  onCreated: (id: string) => void | Promise<void>,
): GenericContainer {
  const labels: Record<string, string> = {
    [LABEL_RUN]: s.runLabel,
    [LABEL_COMPONENT]: s.role,
    [LABEL_OWNER]: ownerLabel(),
  };
  if (s.config !== undefined) labels[LABEL_CONFIG] = s.config;
  if (s.stackLabel !== undefined) labels[LABEL_STACK] = s.stackLabel;
  const query = new QueryWaitStrategy(s.ready, s.signal);
  const wait = s.logMessage
    ? Wait.forAll([Wait.forLogMessage(s.logMessage.re, s.logMessage.times), query])
    : query;
  let c = new TrackedContainer(s.image.ref, onCreated)
    // Host networking: no Docker port proxy in the measured path. Never withExposedPorts here:
    // start-up would wait for port bindings that never appear, fail, and leak the container.
    .withNetworkMode('host')
    .withLabels(labels)
    .withWaitStrategy(wait)
    .withStartupTimeout(s.readyTimeoutMs)
    .withLogConsumer(consume);
  if (s.entrypoint) c = c.withEntrypoint(s.entrypoint);
  if (s.command) c = c.withCommand(s.command);
  if (s.env && Object.keys(s.env).length > 0) c = c.withEnvironment(s.env);
  if (s.user) c = c.withUser(s.user);
  if (s.files && s.files.length > 0) c = c.withCopyContentToContainer(s.files);
  if (s.shmBytes) c = c.withSharedMemorySize(s.shmBytes);
  const nofile = containerNofile();
  if (nofile !== undefined) c = c.withUlimits({ nofile: { soft: nofile, hard: nofile } });
  if (s.binds && s.binds.length > 0)
    c = c.withBindMounts(s.binds.map((b) => ({ ...b, mode: 'rw' as const })));
  return c;
}

/** Starts one long-running component container on the host network and wraps it as a Component. */
export async function startComponentContainer(s: ComponentContainerSpec): Promise<ContainerComponent> {
  const log = logRing();
  let createdId: string | undefined;
  const c = containerFor(s, log.consume, async (id) => {
    createdId = id;
    trackContainer(id);
    if (s.ownedFiles) await copyOwnedFiles(s.client, id, s.ownedFiles);
  });
  let started: StartedTestContainer;
  try {
    started = await c.start();
  } catch (e) {
    // On a failed wait the library removes the container itself; on an earlier failure (copy,
    // create, start) it does not. Either way make sure it is gone.
    if (createdId) await removeContainer(s.client, createdId).catch(() => undefined);
    const what = `${s.role}${s.config ? ` for config "${s.config}"` : ''} (image ${s.image.ref})`;
    throw new StackError(`${what} did not start: ${(e as Error).message}`, log.lines.slice(-15).join('\n'));
  }
  const id = started.getId();
  trackContainer(id);
  const pid = await hostPid(s.client, id);
  let stopped = false;
  const comp: ContainerComponent = {
    role: s.role,
    ...(s.config === undefined ? {} : { config: s.config }),
    pid,
    containerId: id,
    image: s.image.ref,
    port: s.port,
    ...(s.version === undefined ? {} : { version: s.version }),
    ...(s.stopSignal === undefined ? {} : { stopSignal: s.stopSignal }),
    alive: () => !log.exited() && !stopped,
    logTail: (n = 20) => log.lines.slice(-n).join('\n'),
    exec: (cmd) => started.exec(cmd),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        if (comp.stopSignal && !log.exited()) {
          await s.client.container
            .getById(id)
            .kill({ signal: comp.stopSignal })
            .catch(() => undefined);
        }
        await started.stop({ timeout: s.stopTimeoutMs, remove: true, removeVolumes: true });
        untrackContainer(id);
      } catch {
        await removeContainer(s.client, id);
      } finally {
        releasePort(s.port);
      }
    },
  };
  return comp;
}
