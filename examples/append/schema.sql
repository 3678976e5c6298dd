-- A ledger whose every write leaves a mark: each insert starts `tokens` with one token and each update appends
-- one more in the same statement (pipeline.yaml `append: tokens`), so the order of updates a search shows is
-- checked exactly, not only the final state.
CREATE TABLE ledger (
    id BIGINT PRIMARY KEY,
    tokens TEXT[] NOT NULL DEFAULT '{}',
    amount NUMERIC(12, 2) NOT NULL,
    note TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE ledger REPLICA IDENTITY FULL;

CREATE PUBLICATION ${PUBLICATION}
    FOR TABLE ledger
    WITH (publish = 'insert, update, delete');
