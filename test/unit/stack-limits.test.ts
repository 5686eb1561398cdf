import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import {
  type ClientLimits,
  checkClientLimits,
  clientLimits,
  FD_MARGIN,
  maxClients,
  PORT_MARGIN,
  parseNofile,
  parsePortRange,
} from '../../src/stack/limits.js';

/** /proc/self/limits as Linux 5.x prints it (trimmed). */
const limitsText = (
  soft: string,
  hard: string,
) => `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max processes             unlimited            unlimited            processes 
Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     
Max locked memory         65536                65536                bytes     
`;

function err(fn: () => void): ConfigurationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigurationError) return e;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parsers', () => {
  it('reads soft and hard RLIMIT_NOFILE, unlimited as Infinity', () => {
    expect(parseNofile(limitsText('1024', '524288'))).toEqual({ soft: 1024, hard: 524288 });
    expect(parseNofile(limitsText('unlimited', 'unlimited'))).toEqual({
      soft: Number.POSITIVE_INFINITY,
      hard: Number.POSITIVE_INFINITY,
    });
    expect(parseNofile('Max processes 10 10 processes\n')).toBeUndefined();
  });

  it('reads the ephemeral port range minus the reserved ports inside it', () => {
    expect(parsePortRange('32768\t60999\n')).toEqual({ low: 32768, high: 60999, usable: 28232 });
    expect(parsePortRange('32768\t60999\n', '8080,40000-40009,60999-61010\n')).toEqual({
      low: 32768,
      high: 60999,
      usable: 28232 - 10 - 1,
    });
    expect(parsePortRange('garbage')).toBeUndefined();
    expect(parsePortRange('5000 4000')).toBeUndefined();
  });

  it('clientLimits reads /proc through the injected reader and skips what is missing', () => {
    const files: Record<string, string> = {
      '/proc/self/limits': limitsText('4096', '8192'),
      '/proc/sys/net/ipv4/ip_local_port_range': '1024 65535',
    };
    const read = (f: string) => {
      const t = files[f];
      if (t === undefined) throw Object.assign(new Error(f), { code: 'ENOENT' });
      return t;
    };
    expect(clientLimits(read)).toEqual({
      nofile: { soft: 4096, hard: 8192 },
      ephemeralPorts: { low: 1024, high: 65535, usable: 64512 },
    });
    expect(clientLimits(() => limitsText('10', '20'))).toEqual({ nofile: { soft: 10, hard: 20 } });
  });

  it('clientLimits on this machine reads real numbers', () => {
    const l = clientLimits();
    expect(l.nofile?.hard).toBeGreaterThan(0);
    expect(l.ephemeralPorts?.usable).toBeGreaterThan(0);
  });
});

describe('checkClientLimits', () => {
  const roomy: ClientLimits = {
    nofile: { soft: 1_048_576, hard: 1_048_576 },
    ephemeralPorts: { low: 32768, high: 60999, usable: 28232 },
  };

  it('lets through what fits and refuses one client more than the bound, naming the index', () => {
    const tight: ClientLimits = { nofile: { soft: 20000, hard: 20000 } };
    const max = 20000 - FD_MARGIN;
    expect(maxClients(tight)?.max).toBe(max);
    expect(() => checkClientLimits('m.yaml', [1, 100, max], tight)).not.toThrow();
    const e = err(() => checkClientLimits('m.yaml', [1, max + 1], tight));
    expect(e.message).toBe(
      `m.yaml: concurrency[1]: expected at most ${max} clients on this machine: ${max + 1} clients need ${max + 1 + FD_MARGIN} open files in pgbench (and in PgBouncer or a proxy), the open-file limit is 20000; raise it with ulimit -n (hard: limits.conf or LimitNOFILE) or use fewer clients`,
    );
  });

  it('names the ephemeral port range when it is the tighter bound', () => {
    const e = err(() => checkClientLimits('/x/m.yaml', [10, 100000], roomy));
    expect(e.message).toMatch(
      new RegExp(
        `^/x/m\\.yaml: concurrency\\[1\\]: expected at most ${28232 - PORT_MARGIN} clients on this machine: every client connection to 127\\.0\\.0\\.1 takes an ephemeral port and net\\.ipv4\\.ip_local_port_range 32768-60999 has 28232 usable`,
      ),
    );
    expect(() => checkClientLimits('m', [28232 - PORT_MARGIN], roomy)).not.toThrow();
  });

  it('uses the inherited soft limit when Node could not raise it, and mentions the hard one', () => {
    const e = err(() => checkClientLimits('m', [2000], { nofile: { soft: 1024, hard: 4096 } }));
    expect(e.message).toMatch(/at most 896 clients .* the open-file limit is 1024 \(hard 4096\)/);
  });

  it('has no bound when nothing could be read or everything is unlimited', () => {
    expect(maxClients({})).toBeUndefined();
    const unlimited = { nofile: { soft: Number.POSITIVE_INFINITY, hard: Number.POSITIVE_INFINITY } };
    expect(() => checkClientLimits('m', [10_000_000], unlimited)).not.toThrow();
  });

  it('refuses concurrency [100000] on this machine', () => {
    const l = clientLimits();
    const bound = maxClients(l)?.max ?? Number.POSITIVE_INFINITY;
    // Only meaningful where a limit is known and below 100000 (true of default Linux installs).
    if (bound < 100_000) {
      expect(() => checkClientLimits('m.yaml', [100_000], l)).toThrow(
        /^m\.yaml: concurrency\[0\]: expected at most/,
      );
    }
    expect(() => checkClientLimits('m.yaml', [8], l)).not.toThrow();
  });
});

describe('the open-file limit children inherit', () => {
  // checkClientLimits relies on this: Node raises its soft RLIMIT_NOFILE to the hard limit at
  // start-up, so pgbench and the stack (spawned by Node) get the hard limit without prlimit.
  it('is the hard limit even when the shell that started Node had a lower soft one', () => {
    const script =
      'ulimit -Sn 256 && "$NODE" -e \'require("child_process").execSync("ulimit -Sn; ulimit -Hn", { stdio: "inherit" })\'';
    const [soft, hard] = execFileSync('bash', ['-c', script], {
      env: { ...process.env, NODE: process.execPath },
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(hard).not.toBe('256');
    expect(soft).toBe(hard);
  });
});
