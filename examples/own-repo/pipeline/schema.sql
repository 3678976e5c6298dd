-- The seed's products table and publication, plus one fix: REPLICA IDENTITY FULL. ${TABLE} and
-- ${PUBLICATION} are filled in per run (products and product_publication on a stack of our own).
-- Under the default identity, an UPDATE that leaves a TOASTed description (> ~2 KB) unchanged is decoded
-- without that column's value, and Debezium emits the placeholder "__debezium_unavailable_value" in its
-- place, which the sink then writes into Elasticsearch. FULL makes Postgres log the whole old row, from
-- which Debezium fills in the unchanged value.
CREATE TABLE ${TABLE} (
    product_id SERIAL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    price NUMERIC(10, 2) NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

ALTER TABLE ${TABLE} REPLICA IDENTITY FULL;

-- Debezium's signal table (signal.data.collection): an operator inserts an execute-snapshot row to re-snapshot
-- products incrementally. It is in the publication because the connector sees signals, and the watermarks it
-- writes around each snapshot chunk, through the stream; its events go to a topic of their own that the sink
-- does not read.
CREATE TABLE ${TABLE}_signal (
    id VARCHAR(64) PRIMARY KEY,
    type VARCHAR(32) NOT NULL,
    data VARCHAR(2048)
);

CREATE PUBLICATION ${PUBLICATION}
    FOR TABLE ${TABLE}, ${TABLE}_signal
    WITH (publish = 'insert, update, delete');
