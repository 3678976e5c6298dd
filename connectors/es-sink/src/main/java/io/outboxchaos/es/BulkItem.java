package io.outboxchaos.es;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.connect.sink.SinkRecord;

/** One bulk action, already serialised as its NDJSON lines, plus the record it came from. */
final class BulkItem {

    enum Op { INDEX, UPDATE, DELETE }

    final SinkRecord record;
    final Op op;
    final String index;
    final String id;
    /** True when the action carries an external version (offset or header); its 409 then means "already newer". */
    final boolean externalVersion;
    /** Action line plus (for index/update) source line, each newline-terminated. */
    final byte[] payload;

    BulkItem(SinkRecord record, Op op, String index, String id, boolean externalVersion, byte[] payload) {
        this.record = record;
        this.op = op;
        this.index = index;
        this.id = id;
        this.externalVersion = externalVersion;
        this.payload = payload;
    }

    /** Short human-readable locator for log lines; never the document body. */
    String describe() {
        return op.name().toLowerCase(java.util.Locale.ROOT) + " " + index + "/" + id + " (" + record.topic() + "-"
                + record.kafkaPartition() + "@" + record.kafkaOffset() + ")";
    }

    @Override
    public String toString() {
        return describe() + ": " + new String(payload, StandardCharsets.UTF_8).trim();
    }
}
