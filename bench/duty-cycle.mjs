#!/usr/bin/env node
/*
 * A slowdown of known size: runs a command in its own process group and freezes the whole group
 * for off-ms out of every period-ms (SIGSTOP, then SIGCONT). A proxy wrapped this way forwards
 * nothing while frozen, so the throughput through it drops by roughly the frozen fraction (less
 * when the proxy was not the bottleneck; measured figures in docs/sensitivity.md).
 *
 *   node bench/duty-cycle.mjs --off-ms 30 --period-ms 100 -- <command> [args...]
 *
 * Used as a proxy `command` in a matrix (an argv list, so no shell is involved):
 *   command: ["node", "/abs/bench/duty-cycle.mjs", "--off-ms", "10", "--period-ms", "100", "--",
 *             "socat", "TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", "TCP:{upstream_host}:{upstream_port}"]
 *
 * The group, not just the child: socat forks one process per connection, and those must freeze
 * too. SIGTERM/SIGINT/SIGHUP are forwarded to the group after a SIGCONT (a stopped process does not
 * act on SIGTERM until continued). Exits with the child's status (128 + signal number when a
 * signal ended it). Plain Node, no dependencies.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

function usage(message) {
  process.stderr.write(
    `duty-cycle: ${message}\nusage: node duty-cycle.mjs --off-ms N --period-ms M -- <command> [args...]\n`,
  );
  process.exit(2);
}

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
if (sep < 0 || sep === argv.length - 1) usage('expected -- followed by a command');
const opts = { 'off-ms': Number.NaN, 'period-ms': Number.NaN };
const flags = argv.slice(0, sep);
for (let i = 0; i < flags.length; i += 2) {
  const name = flags[i]?.replace(/^--/, '');
  if (name === undefined || !(name in opts) || flags[i + 1] === undefined) usage(`bad flag ${flags[i]}`);
  opts[name] = Number(flags[i + 1]);
}
const offMs = opts['off-ms'];
const periodMs = opts['period-ms'];
if (!(offMs >= 0) || !(periodMs > 0) || offMs >= periodMs) usage('need 0 <= --off-ms < --period-ms');

const [cmd, ...args] = argv.slice(sep + 1);
// detached: the child leads a new process group whose id is its pid, so -pid signals all of it.
const child = spawn(cmd, args, { stdio: 'inherit', detached: true });
let exited = false;

function signalGroup(sig) {
  if (exited || child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // the group is gone (the child exited between the check and the signal)
  }
}

let timer;
if (offMs > 0) {
  // One chain of timeouts: run for period - off, freeze for off, repeat. Timer lateness lengthens
  // both phases alike, so the frozen fraction stays close to off / period.
  const run = () => {
    timer = setTimeout(() => {
      signalGroup('SIGSTOP');
      timer = setTimeout(() => {
        signalGroup('SIGCONT');
        run();
      }, offMs);
    }, periodMs - offMs);
  };
  run();
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => {
    clearTimeout(timer);
    signalGroup('SIGCONT');
    signalGroup(sig);
  });
}

child.on('error', (e) => {
  process.stderr.write(`duty-cycle: cannot start ${cmd}: ${e.message}\n`);
  process.exit(127);
});

child.on('exit', (code, signal) => {
  exited = true;
  clearTimeout(timer);
  // Leave no frozen forks behind: continue and terminate whatever is left of the group.
  try {
    process.kill(-child.pid, 'SIGCONT');
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // nothing left
  }
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
