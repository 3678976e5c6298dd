package io.outboxchaos.es;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
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
 * any non-2xx status, an unreadable answer. Each item of a 2xx answer is a success, a malformed
 * document (handled per behavior.on.malformed.documents), a version conflict (a success), a
 * rejection (429 or 503: Elasticsearch was overloaded when the item reached its shard) or an error
 * that fails the task. Rejected items are re-sent, with the same backoff and the same max.retries
 * budget as a whole request, before write() returns: the sender thread is busy until then, so with
 * max.in.flight.requests=1 no later batch overtakes them. Confluent's sink fails the task on them
 * instead (its issue #739); a whole-request 429 or 503 it does retry.
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
    /** Item statuses that are retried like a whole-request answer with the same status. */
    static final Set<Integer> REJECTED_ITEM_STATUSES = Set.of(429, 503);

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
        // What the next attempt sends: the batch, then only the items the previous answer rejected.
        List<BulkItem> pending = batch;
        byte[] body = body(pending);
        for (int attempt = 0; ; attempt++) {
            long started = System.nanoTime();
            String failure;
            try {
                ElasticsearchHttp.Response res = http.post("/_bulk", NDJSON, body);
                if (res.ok()) {
                    JsonNode root = parse(res);
                    if (root != null) {
                        Rejected rejected = handleItems(batchId, pending, root, res);
                        if (rejected == null) {
                            batchesSent.incrementAndGet();
                            log.debug("Batch #{}: {} actions answered in {} ms (attempt {})", batchId,
                                    pending.size(), (System.nanoTime() - started) / 1_000_000, attempt + 1);
                            return;
                        }
                        failure = rejected.summary;
                        pending = rejected.resend;
                        body = body(pending);
                    } else {
                        failure = "unreadable _bulk answer (HTTP " + res.status + "): " + res.excerpt();
                    }
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

    /** The actions of a 2xx answer to send again, in batch order, and why, for the retry log line. */
    private static final class Rejected {
        final List<BulkItem> resend;
        final String summary;

        Rejected(List<BulkItem> resend, String summary) {
            this.resend = resend;
            this.summary = summary;
        }
    }

    /**
     * Judges each item of a 2xx answer. Every item is looked at (and reported where Confluent
     * reports it) before the first fatal one fails the batch. Returns the actions to re-send (null
     * when none): the rejected ones, plus any later successful action on the same document, since
     * that one already landed and the rejected one must not land after it (an unversioned write would
     * then win). A rejected item is not reported: like a whole request, it fails the task only once
     * max.retries is used up.
     */
    private Rejected handleItems(long batchId, List<BulkItem> sent, JsonNode root, ElasticsearchHttp.Response res) {
        JsonNode items = root.path("items");
        if (items.size() != sent.size()) {
            throw new BulkFailedException("Batch #" + batchId + ": _bulk answer has " + items.size() + " items for "
                    + sent.size() + " actions: " + res.excerpt());
        }
        String fatal = null;
        List<BulkItem> resend = new ArrayList<>();
        Set<String> rejectedDocs = new HashSet<>();
        int rejectedCount = 0;
        String firstRejected = null;
        for (int i = 0; i < sent.size(); i++) {
            BulkItem item = sent.get(i);
            JsonNode result = firstValue(items.get(i));
            JsonNode error = result.path("error");
            String doc = item.id == null ? null : item.index + "/" + item.id;
            // No error object is success, including a delete answered 404 "not_found".
            if (error.isMissingNode() || error.isNull()) {
                if (doc != null && rejectedDocs.contains(doc)) {
                    resend.add(item);
                } else {
                    actionsAcked.incrementAndGet();
                }
                continue;
            }
            int status = result.path("status").asInt(0);
            String type = error.isTextual() ? "" : error.path("type").asText("");
            String what = item.describe() + ": " + status + " " + type + " " + errorExcerpt(error);
            if (REJECTED_ITEM_STATUSES.contains(status)) {
                // Not applied (ES was overloaded when the item reached its shard): send it again.
                resend.add(item);
                rejectedCount++;
                firstRejected = firstRejected != null ? firstRejected : what;
                if (doc != null) {
                    rejectedDocs.add(doc);
                }
            } else if (MALFORMED_DOC_ERRORS.contains(type)) {
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
                // 403 write block, 500 shard failure, 404 missing index...: reported, then the task
                // fails (Confluent retries no item at all).
                reporter.report(item.record, new ReportingException("Indexing failed: " + type + ": "
                        + error.path("reason").asText("")));
                fatal = fatal != null ? fatal : "Elasticsearch failed " + what;
            }
        }
        if (fatal != null) {
            throw new BulkFailedException("Batch #" + batchId + ": " + fatal);
        }
        if (resend.isEmpty()) {
            return null;
        }
        int following = resend.size() - rejectedCount;
        String summary = "HTTP " + res.status + " with " + rejectedCount + " of " + sent.size() + " actions rejected"
                + (following > 0 ? " (re-sending " + following + " later actions on their documents too)" : "")
                + "; first: " + firstRejected;
        return new Rejected(resend, summary);
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
