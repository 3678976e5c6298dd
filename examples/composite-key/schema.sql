-- Stock per warehouse and SKU: a composite primary key. A search document needs one string `_id`, and neither
-- Debezium nor the sink joins a key's columns into one, so the table carries the id itself, in doc_id, which
-- the source keys its messages by (message.key.columns). A trigger fills it: Postgres' logical replication
-- does not publish generated columns before 18 (publish_generated_columns), so Debezium would never see a
-- GENERATED one. The warehouse is a number, so the first '/' separates the parts: no two keys share a doc_id.
CREATE TABLE stock (
    warehouse SMALLINT NOT NULL,
    sku VARCHAR(40) NOT NULL,
    qty INTEGER NOT NULL,
    price NUMERIC(10, 2),
    doc_id TEXT NOT NULL,
    PRIMARY KEY (warehouse, sku)
);

CREATE OR REPLACE FUNCTION stock_doc_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.doc_id := NEW.warehouse::text || '/' || NEW.sku;
    RETURN NEW;
END
$$;

CREATE TRIGGER stock_doc_id BEFORE INSERT OR UPDATE ON stock FOR EACH ROW EXECUTE FUNCTION stock_doc_id();

-- A delete's key comes from the old row: it must carry doc_id.
ALTER TABLE stock REPLICA IDENTITY FULL;

CREATE PUBLICATION ${PUBLICATION}
    FOR TABLE stock
    WITH (publish = 'insert, update, delete');
