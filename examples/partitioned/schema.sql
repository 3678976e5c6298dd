-- The seed's products table, partitioned: four hash partitions on product_id (a partitioned table's primary
-- key must hold its partition key). ${TABLE} and ${PUBLICATION} are filled in per run.
CREATE TABLE ${TABLE} (
    product_id SERIAL,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    price NUMERIC(10, 2) NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (product_id)
) PARTITION BY HASH (product_id);

CREATE TABLE ${TABLE}_p0 PARTITION OF ${TABLE} FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE ${TABLE}_p1 PARTITION OF ${TABLE} FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE ${TABLE}_p2 PARTITION OF ${TABLE} FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE ${TABLE}_p3 PARTITION OF ${TABLE} FOR VALUES WITH (MODULUS 4, REMAINDER 3);

-- Postgres logs old rows by each partition's replica identity, not the parent's: FULL on every partition (see
-- connectors/schema.sql for why FULL).
ALTER TABLE ${TABLE}_p0 REPLICA IDENTITY FULL;
ALTER TABLE ${TABLE}_p1 REPLICA IDENTITY FULL;
ALTER TABLE ${TABLE}_p2 REPLICA IDENTITY FULL;
ALTER TABLE ${TABLE}_p3 REPLICA IDENTITY FULL;

CREATE TABLE ${TABLE}_signal (
    id VARCHAR(64) PRIMARY KEY,
    type VARCHAR(32) NOT NULL,
    data VARCHAR(2048)
);

-- publish_via_partition_root: each change is published as a change of ${TABLE}, the table Debezium captures
-- (table.include.list) and whose topic the sink reads. Without it, Postgres publishes it under the
-- partition's own name.
CREATE PUBLICATION ${PUBLICATION}
    FOR TABLE ${TABLE}, ${TABLE}_signal
    WITH (publish = 'insert, update, delete', publish_via_partition_root = true);
