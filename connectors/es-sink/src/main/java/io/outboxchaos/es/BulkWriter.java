package io.outboxchaos.es;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one batch as _bulk requests until every action is acknowledged, retrying transient
 * failures with exponential backoff. Runs on a sender thread; a thrown exception fails the task.
 */
class BulkWriter {
    private static final Logger log = LoggerFactory.getLogger(BulkWriter.class);

    static final String NDJSON = "application/x-ndjson";

    /** Receives records that Elasticsearch rejected for their own content; may throw to fail the batch. */
    interface InvalidRecordHandler {
        void handle(SinkRecord record, Exception error);
    }

    /** Thrown by the handler chain when a batch cannot be completed. */
    static final class BulkFailedException extends ConnectException {
        private static final long serialVersionUID = 1L;

        BulkFailedException(String message) {
            super(message);
        }
    }

    private final ElasticsearchHttp http;
    private final ObjectMapper mapper;
    private final int maxRetries;
    private final long retryBackoffMs;
    private final long maxBackoffMs;
    private final InvalidRecordHandler invalidHandler;

    final AtomicLong batchesSent = new AtomicLong();
    final AtomicLong actionsAcked = new AtomicLong();
    final AtomicLong staleVersionConflicts = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong rejectedRecords = new AtomicLong();

    BulkWriter(ElasticsearchHttp http, ObjectMapper mapper, int maxRetries, long retryBackoffMs,
               long maxBackoffMs, InvalidRecordHandler invalidHandler) {
        this.http = http;
        this.mapper = mapper;
        this.maxRetries = maxRetries;
        this.retryBackoffMs = retryBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
        this.invalidHandler = invalidHandler;
    }

    void write(long batchId, List<BulkItem> batch) throws InterruptedException {
        List<BulkItem> pending = batch;
        int attempt = 0;
        while (true) {
            long started = System.nanoTime();
            String failure;
            List<BulkItem> retry;
            try {
                ElasticsearchHttp.Response res = http.post("/_bulk", NDJSON, body(pending));
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                if (res.status >= 200 && res.status < 300) {
                    Map<String, Integer> reasons = new LinkedHashMap<>();
                    retry = handleItems(batchId, pending, res, reasons);
                    if (retry.isEmpty()) {
                        batchesSent.incrementAndGet();
                        log.debug("Batch #{}: {} actions acknowledged in {} ms (attempt {})",
                                batchId, pending.size(), tookMs, attempt + 1);
                        return;
                    }
                    failure = retry.size() + " of " + pending.size() + " items failed transiently: "
                            + reasons;
                } else if (res.status == 429 || res.status >= 500) {
                    retry = pending;
                    failure = "HTTP " + res.status + ": " + res.excerpt();
                } else {
                    throw new BulkFailedException("Batch #" + batchId + ": _bulk request to " + http.currentUrl()
                            + " rejected with HTTP " + res.status + " (not retriable): " + res.excerpt());
                }
            } catch (IOException e) {
                // Connection refused/reset, connect or read timeout: the request may or may not
                // have been applied; resending is safe because writes are idempotent by _id.
                retry = pending;
                failure = e instanceof ElasticsearchHttp.RequestFailedException ? e.getMessage() : describe(e);
            }

            if (attempt >= maxRetries) {
                String msg = "Batch #" + batchId + ": giving up on " + retry.size() + " of " + batch.size()
                        + " actions after " + attempt + " retries; last failure: " + failure;
                log.error(msg);
                throw new BulkFailedException(msg);
            }
            attempt++;
            retries.incrementAndGet();
            long sleepMs = backoffMs(attempt);
            log.warn("Batch #{}: retry {}/{} of {} actions in {} ms after: {}",
                    batchId, attempt, maxRetries, retry.size(), sleepMs, failure);
            Thread.sleep(sleepMs);
            pending = retry;
        }
    }

    /** Exponential with "equal jitter": half fixed, half random, so retries from many tasks spread out. */
    long backoffMs(int attempt) {
        if (retryBackoffMs <= 0) {
            return 0;
        }
        int shift = Math.min(attempt - 1, 30);
        long exp = retryBackoffMs > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : retryBackoffMs << shift;
        long capped = Math.min(exp, maxBackoffMs);
        long half = capped / 2;
        return half + ThreadLocalRandom.current().nextLong(capped - half + 1);
    }

    private byte[] body(List<BulkItem> items) {
        int size = 0;
        for (BulkItem i : items) {
            size += i.payload.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        for (BulkItem i : items) {
            out.write(i.payload, 0, i.payload.length);
        }
        return out.toByteArray();
    }

    /**
     * Classifies each item of a 2xx bulk response. Returns the items worth retrying; hands
     * record-at-fault rejections to the invalid-record handler; throws for anything else.
     */
    private List<BulkItem> handleItems(long batchId, List<BulkItem> sent, ElasticsearchHttp.Response res,
                                       Map<String, Integer> retryReasons) {
        JsonNode root;
        try {
            root = mapper.readTree(res.body);
        } catch (IOException e) {
            throw new BulkFailedException("Batch #" + batchId + ": unparseable _bulk response (HTTP "
                    + res.status + "): " + res.excerpt());
        }
        if (root == null || !root.isObject()) {
            throw new BulkFailedException("Batch #" + batchId + ": unexpected _bulk response: " + res.excerpt());
        }
        int total = sent.size();
        if (!root.path("errors").asBoolean(true)) {
            actionsAcked.addAndGet(total);
            return List.of();
        }
        JsonNode items = root.path("items");
        if (!items.isArray() || items.size() != total) {
            throw new BulkFailedException("Batch #" + batchId + ": _bulk response has "
                    + (items.isArray() ? items.size() : "no") + " items for " + total + " actions: " + res.excerpt());
        }
        List<BulkItem> retry = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            BulkItem item = sent.get(i);
            JsonNode result = firstValue(items.get(i));
            int status = result.path("status").asInt(0);
            JsonNode error = result.path("error");
            String type = error.path("type").asText("");
            if (status >= 200 && status < 300) {
                actionsAcked.incrementAndGet();
            } else if (status == 409 && item.externalVersion && "version_conflict_engine_exception".equals(type)) {
                // External version already >= this offset: a newer (or the same) write is in ES.
                staleVersionConflicts.incrementAndGet();
                actionsAcked.incrementAndGet();
                log.debug("Batch #{}: {} superseded by a newer version, skipped", batchId, item.describe());
            } else if (status == 404 && item.op == BulkItem.Op.DELETE) {
                actionsAcked.incrementAndGet(); // already gone: the goal of a delete
            } else if (status == 429 || status >= 500 || (status == 409 && item.op == BulkItem.Op.UPDATE)) {
                // Overload, shard trouble, or a concurrent update on the same doc: transient.
                retry.add(item);
                // Counted by status/type so the retry log line stays short for large batches.
                retryReasons.merge(status + " " + type, 1, Integer::sum);
            } else if (status == 400) {
                // The document itself is bad (mapping conflict, unparseable field...).
                rejectedRecords.incrementAndGet();
                String reason = "Elasticsearch rejected " + item.describe() + " with " + status + " " + type
                        + ": " + errorExcerpt(error);
                log.warn("Batch #{}: {}", batchId, reason);
                invalidHandler.handle(item.record, new ConnectException(reason));
            } else {
                // 401/403/404-on-index etc. are setup problems; sending them to a DLQ would
                // silently divert every record, so stop instead.
                throw new BulkFailedException("Batch #" + batchId + ": Elasticsearch failed " + item.describe()
                        + " with " + status + " " + type + ": " + errorExcerpt(error));
            }
        }
        return retry;
    }

    /** Exception plus its causes in one line; the JDK client often leaves the top message empty. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 400; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    private static JsonNode firstValue(JsonNode item) {
        Iterator<JsonNode> it = item == null ? null : item.elements();
        return it != null && it.hasNext() ? it.next() : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String errorExcerpt(JsonNode error) {
        String s = error.isMissingNode() ? "<no error>" : error.toString();
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
