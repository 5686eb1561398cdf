import { clientLimits } from './limits.js';

/**
 * The open-file limit a container of the stack gets: this process's hard limit as both soft and
 * hard, the same a native child inherits (Node raises its soft limit to the hard one), so
 * PgBouncer and pgbench in containers hold as many clients as native ones. Docker's default is
 * the daemon's own limit, which need not match the host shell's. Undefined when it cannot be read
 * or is unlimited (Docker then keeps its default).
 */
export function containerNofile(): number | undefined {
  const hard = clientLimits().nofile?.hard;
  return hard !== undefined && Number.isFinite(hard) ? hard : undefined;
}
