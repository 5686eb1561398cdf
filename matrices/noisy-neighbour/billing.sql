-- A billing transaction: one account updated, then 50 ms of work inside the transaction, so the
-- server connection is held for the whole of it (a few long transactions, docs/tenants.md).
\set aid random(1, 100000 * :scale)
\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT pg_sleep(0.05);
END;
