-- The shape of a web request: a short read transaction, then think time with the connection
-- held but idle. Session pooling pins a server connection through the think time; transaction
-- pooling hands it to another client.
\set aid random(1, 100000 * :scale)
BEGIN;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
END;
\sleep 5 ms
