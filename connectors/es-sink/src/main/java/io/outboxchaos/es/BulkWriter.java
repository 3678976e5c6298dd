package io.outboxchaos.es;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.BehaviorOnMalformedDoc;

/**
 * Sends one batch as a _bulk request and judges every item the way Confluent's sink does. Runs on a
 * sender thread; a thrown exception fails the task.
 *
 * <p>The request as a whole is retried, with backoff, on any failure: connection error, timeout,
 * any non-2xx status, an unreadable answer. Items of a 2xx answer are never re-sent: each is a
 * success, a malformed document (handled per behavior.on.malformed.documents), a version conflict
 * (a success), or an error that fails the task. Re-sending single items later would reorder them
 * behind newer batches, which Confluent's sink never does.
 */
class BulkWriter {
    private static final Logger log = LoggerFactory.getLogger(BulkWriter.class);

    static final String NDJSON = "application/x-ndjson";

    /**
     * Item error types Confluent's sink treats as "the document is malformed"
     * (ElasticsearchSinkClient.MALFORMED_DOC_ERRORS, 16.0), matched on the item's error type.
     */
    static final Set<String> MALFORMED_DOC_ERRORS = Set.of(
            "strict_dynamic_mapping_exception",
            "mapper_parsing_exception",
            "illegal_argument_exception",
            "action_request_validation_exception",
            "document_parsing_exception");
    static final String VERSION_CONFLICT = "version_conflict_engine_exception";

    /** Where failed items go: the task's errant record reporter (a no-op when Connect has none). */
    interface Reporter {
        void report(SinkRecord record, Exception error);
    }

    /** Thrown when a batch cannot be completed; fails the task. */
    static final class BulkFailedException extends ConnectException {
        private static final long serialVersionUID = 1L;

        BulkFailedException(String message) {
            super(message);
        }
    }

    /** What goes to the reporter for a rejected item; no stack trace, as it says nothing about the record. */
    static final class ReportingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReportingException(String message) {
            super(message, null, false, false);
        }
    }

    private final ElasticsearchHttp http;
    private final ObjectMapper mapper;
    private final int maxRetries;
    private final long retryBackoffMs;
    private final long maxBackoffMs;
    private final BehaviorOnMalformedDoc onMalformed;
    private final Reporter reporter;

    final AtomicLong batchesSent = new AtomicLong();
    final AtomicLong actionsAcked = new AtomicLong();
    final AtomicLong staleVersionConflicts = new AtomicLong();
    final AtomicLong unversionedConflicts = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong malformedSkipped = new AtomicLong();

    BulkWriter(ElasticsearchHttp http, ObjectMapper mapper, int maxRetries, long retryBackoffMs, long maxBackoffMs,
               BehaviorOnMalformedDoc onMalformed, Reporter reporter) {
        this.http = http;
        this.mapper = mapper;
        this.maxRetries = maxRetries;
        this.retryBackoffMs = retryBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
        this.onMalformed = onMalformed;
        this.reporter = reporter;
    }

    void write(long batchId, List<BulkItem> batch) throws InterruptedException {
        byte[] body = body(batch);
        for (int attempt = 0; ; attempt++) {
            long started = System.nanoTime();
            String failure;
            try {
                ElasticsearchHttp.Response res = http.post("/_bulk", NDJSON, body);
                if (res.ok()) {
                    JsonNode root = parse(res);
                    if (root != null) {
                        handleItems(batchId, batch, root, res);
                        batchesSent.incrementAndGet();
                        log.debug("Batch #{}: {} actions answered in {} ms (attempt {})", batchId, batch.size(),
                                (System.nanoTime() - started) / 1_000_000, attempt + 1);
                        return;
                    }
                    failure = "unreadable _bulk answer (HTTP " + res.status + "): " + res.excerpt();
                } else {
                    failure = "HTTP " + res.status + ": " + res.excerpt();
                }
            } catch (IOException e) {
                // Connection refused/reset, connect or read timeout: the request may or may not have
                // been applied. Re-sending the same actions in the same order is what Confluent does.
                failure = e instanceof ElasticsearchHttp.RequestFailedException ? e.getMessage() : describe(e);
            }
            if (attempt >= maxRetries) {
                String msg = "Batch #" + batchId + " (" + batch.size() + " actions) failed after " + attempt
                        + " retries (max.retries=" + maxRetries + "); last failure: " + failure;
                log.error(msg);
                throw new BulkFailedException(msg);
            }
            retries.incrementAndGet();
            long sleepMs = backoffMs(attempt + 1);
            log.warn("Batch #{}: retry {}/{} in {} ms after: {}", batchId, attempt + 1, maxRetries, sleepMs, failure);
            Thread.sleep(sleepMs);
        }
    }

    /**
     * Confluent's RetryUtil: before retry n (1-based) wait a random time in
     * [0, retry.backoff.ms x 2^n). Confluent caps that bound at 24 h, we at maxBackoffMs.
     */
    long backoffMs(int retry) {
        if (retryBackoffMs <= 0) {
            return 0;
        }
        int shift = Math.min(retry, 32);
        long bound = retryBackoffMs > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : retryBackoffMs << shift;
        bound = Math.min(bound, maxBackoffMs);
        return bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound);
    }

    private JsonNode parse(ElasticsearchHttp.Response res) {
        try {
            JsonNode root = mapper.readTree(res.body);
            return root != null && root.isObject() && root.path("items").isArray() ? root : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] body(List<BulkItem> items) {
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
     * Judges each item of a 2xx answer. Every item is looked at (and reported where Confluent
     * reports it) before the first fatal one fails the batch.
     */
    private void handleItems(long batchId, List<BulkItem> sent, JsonNode root, ElasticsearchHttp.Response res) {
        JsonNode items = root.path("items");
        if (items.size() != sent.size()) {
            throw new BulkFailedException("Batch #" + batchId + ": _bulk answer has " + items.size() + " items for "
                    + sent.size() + " actions: " + res.excerpt());
        }
        String fatal = null;
        for (int i = 0; i < sent.size(); i++) {
            BulkItem item = sent.get(i);
            JsonNode result = firstValue(items.get(i));
            JsonNode error = result.path("error");
            // No error object is success, including a delete answered 404 "not_found".
            if (error.isMissingNode() || error.isNull()) {
                actionsAcked.incrementAndGet();
                continue;
            }
            int status = result.path("status").asInt(0);
            String type = error.isTextual() ? "" : error.path("type").asText("");
            String what = item.describe() + ": " + status + " " + type + " " + errorExcerpt(error);
            if (MALFORMED_DOC_ERRORS.contains(type)) {
                // Reported whatever behavior.on.malformed.documents says, as Confluent does.
                reporter.report(item.record, new ReportingException("Indexing failed: " + type + ": "
                        + error.path("reason").asText("")));
                switch (onMalformed) {
                    case IGNORE:
                        malformedSkipped.incrementAndGet();
                        log.debug("Batch #{}: skipping malformed document {}", batchId, what);
                        break;
                    case WARN:
                        malformedSkipped.incrementAndGet();
                        log.warn("Batch #{}: skipping malformed document {} (behavior.on.malformed.documents=warn)",
                                batchId, what);
                        break;
                    case FAIL:
                    default:
                        log.error("Batch #{}: malformed document {}; set behavior.on.malformed.documents=ignore or "
                                + "warn to skip such records", batchId, what);
                        fatal = fatal != null ? fatal : "Elasticsearch rejected a malformed document ("
                                + "behavior.on.malformed.documents=fail): " + what;
                }
            } else if (VERSION_CONFLICT.equals(type)) {
                if (item.externalVersion) {
                    // ES holds this offset or a later one: a replay or reordering, harmless.
                    staleVersionConflicts.incrementAndGet();
                    actionsAcked.incrementAndGet();
                    log.debug("Batch #{}: {} superseded by a newer version, ignored", batchId, item.describe());
                } else {
                    // An unversioned update lost a race even after retry_on_conflict: Confluent
                    // reports it and carries on, counting it as written.
                    unversionedConflicts.incrementAndGet();
                    actionsAcked.incrementAndGet();
                    log.warn("Batch #{}: version conflict on unversioned {}; reported and skipped", batchId, what);
                    reporter.report(item.record, new ReportingException("Indexing failed: " + type + ": "
                            + error.path("reason").asText("")));
                }
            } else {
                // 403 write block, 429 rejection, 5xx shard failure, 404 missing index...: reported,
                // then the task fails (Confluent retries none of these per item).
                reporter.report(item.record, new ReportingException("Indexing failed: " + type + ": "
                        + error.path("reason").asText("")));
                fatal = fatal != null ? fatal : "Elasticsearch failed " + what;
            }
        }
        if (fatal != null) {
            throw new BulkFailedException("Batch #" + batchId + ": " + fatal);
        }
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
        return it != null && it.hasNext() ? it.next() : MissingNode.getInstance();
    }

    private static String errorExcerpt(JsonNode error) {
        String s = error.toString();
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
