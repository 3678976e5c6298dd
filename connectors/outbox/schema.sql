-- The products table the application writes, as in connectors/schema.sql. Debezium does not capture it in
-- the outbox pipeline (the application puts each change's new state into the outbox), so it needs neither a
-- publication nor REPLICA IDENTITY FULL. ${TABLE}, ${OUTBOX_TABLE} and ${PUBLICATION} are filled in per run.
CREATE TABLE ${TABLE} (
    product_id SERIAL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    price NUMERIC(10, 2) NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Debezium's basic outbox table. payload is the product's document, NULL for a delete.
CREATE TABLE ${OUTBOX_TABLE} (
    id UUID PRIMARY KEY,
    aggregatetype VARCHAR(255) NOT NULL,
    aggregateid VARCHAR(255) NOT NULL,
    type VARCHAR(255) NOT NULL,
    payload JSONB
);

-- Inserts only: the rows are deleted in the transaction that inserted them, and those deletes are nothing
-- the relay needs (the Outbox Event Router would drop them anyway).
CREATE PUBLICATION ${PUBLICATION}
    FOR TABLE ${OUTBOX_TABLE}
    WITH (publish = 'insert');
