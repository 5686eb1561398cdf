import { existsSync } from 'node:fs';
import http from 'node:http';

export interface EngineProbe {
  ok: boolean;
  reason: string;
  socketPath?: string;
}

/** The unix socket Docker clients would use: DOCKER_HOST=unix://..., else the default socket. */
export function dockerSocket(): string | undefined {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  if (host && host !== '') return undefined;
  return existsSync('/var/run/docker.sock') ? '/var/run/docker.sock' : undefined;
}

/** GET /_ping on the engine socket with a short timeout; never throws. */
export function pingDocker(timeoutMs = 2000): Promise<EngineProbe> {
  const socketPath = dockerSocket();
  if (!socketPath) {
    return Promise.resolve({
      ok: false,
      reason: process.env.DOCKER_HOST
        ? `DOCKER_HOST=${process.env.DOCKER_HOST} is not a unix socket this probe understands`
        : 'no DOCKER_HOST and no /var/run/docker.sock',
    });
  }
  if (!existsSync(socketPath)) return Promise.resolve({ ok: false, reason: `${socketPath} does not exist` });
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(
        res.statusCode === 200
          ? { ok: true, reason: `engine at unix://${socketPath}`, socketPath }
          : { ok: false, reason: `engine at ${socketPath} answered HTTP ${res.statusCode}` },
      );
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, reason: `engine at ${socketPath} did not answer within ${timeoutMs} ms` });
    });
    req.on('error', (e) => resolve({ ok: false, reason: `engine at ${socketPath}: ${e.message}` }));
  });
}
