-- A captured table that goes quiet, and the heartbeat table that keeps its slot moving. Debezium confirms an
-- LSN to Postgres only when it has seen a change of a published table; while `items` is idle and other
-- databases of the cluster write, the slot would hold all their WAL. The heartbeat's action query writes to
-- debezium_heartbeat (published) every heartbeat.interval.ms, so a change is always near.
CREATE TABLE items (
    item_id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    price NUMERIC(10, 2) NOT NULL
);

ALTER TABLE items REPLICA IDENTITY FULL;

CREATE TABLE debezium_heartbeat (
    id INTEGER PRIMARY KEY,
    beat TIMESTAMPTZ NOT NULL
);

CREATE PUBLICATION ${PUBLICATION}
    FOR TABLE items, debezium_heartbeat
    WITH (publish = 'insert, update, delete');
