/**
 * The fault relay's process (src/stack/fault-relay-server.ts): started by the stack
 * (src/stack/fault-relay.ts) as `node fault-relay-main.js --listen ... --upstream ... --control ...`.
 * Prints one `listening` line once both ports accept, logs control commands and connection errors
 * to stdout, exits 0 on SIGTERM/SIGINT and 2 on bad arguments.
 */
import { parseRelayArgs } from './fault-relay-args.js';
import { startRelayServer } from './fault-relay-server.js';

const say = (m: string) => process.stdout.write(`${new Date().toISOString()} ${m}\n`);

const args = parseRelayArgs(process.argv.slice(2));
if ('errors' in args) {
  process.stderr.write(`ERROR: fault relay: ${args.errors.join('; ')}\n`);
  process.exit(2);
}
try {
  const server = await startRelayServer(args, say);
  say(
    `fault relay listening on ${args.listen.host}:${args.listen.port} -> ${args.upstream.host}:${args.upstream.port}, control on ${args.control.host}:${args.control.port}`,
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (e) {
  process.stderr.write(`ERROR: fault relay: ${(e as Error).message}\n`);
  process.exit(1);
}
