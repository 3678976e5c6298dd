-- The seed's DDL exactly as written: no ALTER TABLE ... REPLICA IDENTITY FULL, so the table keeps
-- REPLICA IDENTITY DEFAULT (the primary key). This is the one difference from connectors/schema.sql.
CREATE TABLE ${TABLE} (
    product_id SERIAL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    price NUMERIC(10, 2) NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE PUBLICATION ${PUBLICATION}
    FOR TABLE ${TABLE}
    WITH (publish = 'insert, update, delete');
