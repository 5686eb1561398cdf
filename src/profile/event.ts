/** What flame-graph profiles record (the cells' profile-<component>.folded files), read by run and summarize alike. */

/** The one event flame graphs sample: a software clock (this VM has no hardware PMU). */
export const PERF_EVENT = 'cpu-clock';
/** The Debian package that ships perf. */
export const PERF_PACKAGE = 'linux-perf';
