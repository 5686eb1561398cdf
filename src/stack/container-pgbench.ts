import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { ContainerRuntimeClient } from 'testcontainers';
import { StackError } from '../errors.js';
import { scriptFile } from '../matrix/workload.js';
import { localPgbench } from '../pgbench/local-runner.js';
import type { PgbenchInvocation, PgbenchResult, PgbenchRunner } from '../pgbench/types.js';
import { splitLines } from '../util/lines.js';
import { parseVersion } from '../util/version.js';
import { binaryVersion, findPgbench } from './binaries.js';
import {
  type ImageFacts,
  imageFacts,
  LABEL_COMPONENT,
  LABEL_OWNER,
  LABEL_RUN,
  LABEL_STACK,
  ownerLabel,
  removeContainer,
  trackContainer,
} from './container-engine.js';
import type { ImageSet } from './container-images.js';
import { containerNofile } from './container-ulimits.js';

export interface ContainerPgbenchOptions {
  client: ContainerRuntimeClient;
  image: string;
  /** Value of the bench.run label, so `bench clean` finds a pgbench left by a killed run. */
  runLabel: string;
  /** Value of the bench.stack label, so the stack's stop finds it. */
  stackLabel?: string;
  /** `uid:gid` inside the container; default the harness's own, so -l logs belong to the caller. */
  user?: string;
}

function lineSplitter(onLine?: (line: string) => void): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  return { stream, text: splitLines(stream, onLine, { keep: true }) };
}

/** Script files given with -f / --file=, which must exist at the same path inside the container. */
export function scriptMounts(args: string[]): string[] {
  const files: string[] = [];
  args.forEach((a, i) => {
    const v = a === '-f' || a === '--file' ? args[i + 1] : a.startsWith('--file=') ? a.slice(7) : undefined;
    if (v !== undefined && path.isAbsolute(scriptFile(v))) files.push(scriptFile(v));
  });
  return [...new Set(files)];
}

const SIGNALS: Record<number, string> = {
  9: 'SIGKILL',
  15: 'SIGTERM',
  2: 'SIGINT',
  6: 'SIGABRT',
  11: 'SIGSEGV',
};

function defaultUser(): string | undefined {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return uid === undefined || gid === undefined ? undefined : `${uid}:${gid}`;
}

/** The container of one invocation: pgbench as entrypoint, host network, the mounts it needs. */
function createPgbenchContainer(
  o: ContainerPgbenchOptions,
  inv: PgbenchInvocation,
  mountCwd: boolean,
  pass: { env: Record<string, string>; binds: string[] },
) {
  const user = o.user ?? defaultUser();
  const nofile = containerNofile();
  const binds = [
    ...(mountCwd ? [`${inv.cwd}:${inv.cwd}:rw`] : []),
    ...scriptMounts(inv.args).map((f) => `${f}:${f}:ro`),
    // verify-full: the run's CA certificate (never a key) at the same path.
    ...(pass.env.PGSSLROOTCERT ? [`${pass.env.PGSSLROOTCERT}:${pass.env.PGSSLROOTCERT}:ro`] : []),
    ...pass.binds,
  ];
  return o.client.container.dockerode.createContainer({
    Image: o.image,
    Entrypoint: ['pgbench'],
    Cmd: inv.args,
    Env: Object.entries(pass.env).map(([k, v]) => `${k}=${v}`),
    ...(mountCwd ? { WorkingDir: inv.cwd } : {}),
    ...(user ? { User: user } : {}),
    Labels: {
      [LABEL_RUN]: o.runLabel,
      ...(o.stackLabel ? { [LABEL_STACK]: o.stackLabel } : {}),
      [LABEL_COMPONENT]: 'pgbench',
      [LABEL_OWNER]: ownerLabel(),
    },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      NetworkMode: 'host',
      Binds: binds,
      AutoRemove: false,
      ...(nofile === undefined ? {} : { Ulimits: [{ Name: 'nofile', Soft: nofile, Hard: nofile }] }),
    },
  });
}

/**
 * One pgbench process in a throwaway container on the host network. The working directory is
 * bind-mounted at the same path, so `-l` logs land in the cell directory exactly as with a host
 * pgbench. Its streams are attached before start so no line is lost, and demultiplexed:
 * pgbench prints progress and errors on stderr and the summary on stdout, and the parsers rely
 * on that split.
 */
async function runOnce(
  o: ContainerPgbenchOptions,
  inv: PgbenchInvocation,
  mountCwd = true,
): Promise<PgbenchResult> {
  const docker = o.client.container.dockerode;
  const out = lineSplitter(inv.onStdout);
  const err = lineSplitter(inv.onStderr);
  let timedOut = false;
  let aborted = false;
  let id: string | undefined;
  const pass = passfileFor(inv.env);
  try {
    const container = await createPgbenchContainer(o, inv, mountCwd, pass);
    id = container.id;
    trackContainer(id);
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    docker.modem.demuxStream(stream, out.stream, err.stream);
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      // pgbench is PID 1 in its container and installs no SIGTERM handler, and the kernel drops
      // unhandled signals to a namespace's init: `docker stop` would wait out its grace for
      // nothing. SIGKILL is what the host runner's SIGTERM amounts to for pgbench.
      void container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
    };
    const onAbort = () => {
      aborted = true;
      kill();
    };
    inv.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, inv.timeoutMs);
    try {
      if (inv.signal?.aborted) throw new Error('interrupted before pgbench started');
      await container.start();
      const res = (await container.wait()) as { StatusCode: number };
      // The exit is reported before the last bytes of the attached stream may have arrived.
      await Promise.race([ended, new Promise((r) => setTimeout(r, 2_000))]);
      const code = res.StatusCode;
      const sig = killed && code > 128 ? (SIGNALS[code - 128] ?? `signal ${code - 128}`) : undefined;
      return {
        exitCode: sig ? null : code,
        ...(sig ? { signal: sig } : {}),
        stdout: out.text(),
        stderr: err.text(),
        timedOut,
        aborted,
      };
    } finally {
      clearTimeout(timer);
      inv.signal?.removeEventListener('abort', onAbort);
    }
  } catch (e) {
    return {
      exitCode: null,
      stdout: out.text(),
      stderr: `${err.text()}\npgbench container (${o.image}): ${(e as Error).message}`,
      timedOut,
      aborted: aborted || Boolean(inv.signal?.aborted),
    };
  } finally {
    if (id) await removeContainer(o.client, id).catch(() => undefined);
    pass.cleanup();
  }
}

const PASSFILE_IN_CONTAINER = '/tmp/bench-pgpass';

/**
 * PGPASSWORD in a container's environment is visible to `docker inspect` (and stays there if the
 * container is left behind): the password goes in a 0600 passfile mounted read-only instead.
 */
function passfileFor(env: Record<string, string>): {
  env: Record<string, string>;
  binds: string[];
  cleanup: () => void;
} {
  const { PGPASSWORD: password, ...rest } = env;
  if (password === undefined) return { env, binds: [], cleanup: () => undefined };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-pgpass-'));
  const file = path.join(dir, 'pgpass');
  const escaped = password.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
  writeFileSync(file, `*:*:*:*:${escaped}\n`, { mode: 0o600 });
  return {
    env: { ...rest, PGPASSFILE: PASSFILE_IN_CONTAINER },
    binds: [`${file}:${PASSFILE_IN_CONTAINER}:ro`],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `pgbench (PostgreSQL) 17.2 (Debian 17.2-1.pgdg120+1)` -> `17.2`, from a one-shot container. */
export async function containerPgbenchVersion(o: ContainerPgbenchOptions): Promise<string> {
  const r = await runOnce(o, { args: ['--version'], cwd: '', env: {}, timeoutMs: 60_000 }, false);
  if (r.exitCode !== 0) {
    throw new Error(
      `pgbench --version failed in ${o.image} (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim()}`,
    );
  }
  return parseVersion(r.stdout);
}

/**
 * A PgbenchRunner that runs every invocation in its own container from `image` (pulled only when
 * missing). Each container is removed when pgbench exits, is killed on timeout or abort, and is
 * labelled with the run so a crash leaves nothing `bench clean` cannot find.
 */
export async function containerPgbench(o: ContainerPgbenchOptions): Promise<PgbenchRunner> {
  await imageFacts(o.client, o.image);
  const version = await containerPgbenchVersion(o);
  return { version, run: (inv) => runOnce(o, inv) };
}

/**
 * The container provider's pgbench: on the host when one exists (no container start per cell),
 * else in containers from the pgbench image. BENCH_PGBENCH=container forces the container path,
 * =host the host one.
 */
export async function pgbenchForContainers(
  client: ContainerRuntimeClient,
  images: ImageSet,
  labels: { runLabel: string; stackLabel: string },
  log: (m: string) => void,
): Promise<{ runner: PgbenchRunner; where: string; facts?: ImageFacts }> {
  const force = process.env.BENCH_PGBENCH;
  if (force !== undefined && force !== '' && force !== 'host' && force !== 'container') {
    throw new StackError(`BENCH_PGBENCH must be "host" or "container", got "${force}"`);
  }
  const host = force === 'container' ? undefined : findPgbench();
  if (host) {
    const version = await binaryVersion(host);
    log(`pgbench ${version} on the host (${host})`);
    return { runner: localPgbench(host, version), where: `host ${host}` };
  }
  if (force === 'host') throw new StackError('BENCH_PGBENCH=host but no pgbench was found on this host');
  const facts = await imageFacts(client, images.pgbench);
  const runner = await containerPgbench({ client, image: images.pgbench, ...labels });
  log(
    `pgbench ${runner.version} in containers from ${images.pgbench}` +
      `${force === 'container' ? ' (BENCH_PGBENCH=container)' : ' (no pgbench on this host)'}`,
  );
  return { runner, where: `container ${images.pgbench}`, facts };
}
