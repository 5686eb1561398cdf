import { parseVersion } from '../util/version.js';
import {
  imageFacts,
  LABEL_COMPONENT,
  LABEL_OWNER,
  LABEL_RUN,
  ownerLabel,
  removeContainer,
  runtimeClient,
  trackContainer,
} from './container-engine.js';

/**
 * `<tool> --version` in a throwaway container of `image` (no network, the image's user), for
 * decisions that must be made before anything starts (src/runner/version-preflight.ts). The
 * container is removed whatever happens. Undefined when the tool does not run there.
 */
export async function imageToolVersion(image: string, tool: string): Promise<string | undefined> {
  const client = await runtimeClient();
  await imageFacts(client, image);
  const docker = client.container.dockerode;
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: [tool],
    Cmd: ['--version'],
    // A TTY: the log is one plain stream, no multiplexing header to strip.
    Tty: true,
    Labels: { [LABEL_RUN]: 'preflight', [LABEL_COMPONENT]: `${tool}-version`, [LABEL_OWNER]: ownerLabel() },
    HostConfig: { NetworkMode: 'none', AutoRemove: false },
  });
  trackContainer(container.id);
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const log = String(await container.logs({ stdout: true, stderr: true }));
    return StatusCode === 0 ? parseVersion(log) : undefined;
  } catch {
    return undefined;
  } finally {
    await removeContainer(client, container.id);
  }
}
