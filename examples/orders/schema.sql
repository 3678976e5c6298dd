-- An orders service's own tables, captured by Debezium: not the seed's products. Customers have a bigint key the
-- application assigns; orders have a uuid key and a foreign key to their customer. Both tables log their whole
-- old row (REPLICA IDENTITY FULL) so an update that leaves a TOASTed column unchanged still carries its value.
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE TABLE customers (
    customer_id BIGINT PRIMARY KEY,
    email TEXT NOT NULL,
    display_name VARCHAR(120),
    vip BOOLEAN NOT NULL DEFAULT false,
    preferences JSONB,
    signed_up DATE NOT NULL
);

CREATE TABLE orders (
    order_id UUID PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (customer_id) ON DELETE CASCADE,
    status order_status NOT NULL,
    total NUMERIC(12, 4) NOT NULL,
    tags TEXT[],
    receipt BYTEA,
    note TEXT,
    placed_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE customers REPLICA IDENTITY FULL;
ALTER TABLE orders REPLICA IDENTITY FULL;

CREATE PUBLICATION ${PUBLICATION}
    FOR TABLE customers, orders
    WITH (publish = 'insert, update, delete');
