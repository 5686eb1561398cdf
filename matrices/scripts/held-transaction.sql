-- A transaction that holds its server connection for about 2 ms (pg_sleep), as a request that
-- does a little work inside a transaction does: a pool of N server connections then serves at
-- most about N / 2 ms transactions per second, however many clients wait.
\set aid random(1, 100000 * :scale)
BEGIN;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
SELECT pg_sleep(0.002);
END;
