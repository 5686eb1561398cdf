/**
 * The fault relay's command line (src/stack/fault-relay-main.ts), parsed purely:
 *   --listen 127.0.0.1:PORT --upstream HOST:PORT --control 127.0.0.1:PORT
 * Loopback only: the relay refuses to listen (or take commands) anywhere but 127.0.0.1, and to
 * forward anywhere but a loopback address.
 */

export interface HostPort {
  host: string;
  port: number;
}

export interface RelayArgs {
  listen: HostPort;
  upstream: HostPort;
  control: HostPort;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function hostPort(flag: string, value: string | undefined, listenSide: boolean): HostPort | string {
  const m = value === undefined ? null : /^(.+):(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : 0;
  if (!m || !(port > 0 && port < 65536)) return `${flag}: expected HOST:PORT, got ${value ?? 'nothing'}`;
  const host = m[1] as string;
  if (listenSide ? host !== '127.0.0.1' : !LOOPBACK.has(host))
    return `${flag}: loopback only (${listenSide ? '127.0.0.1' : '127.0.0.1, localhost or ::1'}), got ${host}`;
  return { host, port };
}

/** The relay's addresses, or every problem with its arguments. */
export function parseRelayArgs(argv: readonly string[]): RelayArgs | { errors: string[] } {
  const flags = new Map<string, string | undefined>();
  const errors: string[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as string;
    if (!['--listen', '--upstream', '--control'].includes(flag)) errors.push(`unknown argument ${flag}`);
    else flags.set(flag, argv[i + 1]);
  }
  const listen = hostPort('--listen', flags.get('--listen'), true);
  const upstream = hostPort('--upstream', flags.get('--upstream'), false);
  const control = hostPort('--control', flags.get('--control'), true);
  for (const v of [listen, upstream, control]) if (typeof v === 'string') errors.push(v);
  if (errors.length > 0) return { errors };
  return { listen, upstream, control } as RelayArgs;
}
