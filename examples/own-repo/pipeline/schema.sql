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

CREATE PUBLICATION ${PUBLICATION}
    FOR TABLE ${TABLE}
    WITH (publish = 'insert, update, delete');
