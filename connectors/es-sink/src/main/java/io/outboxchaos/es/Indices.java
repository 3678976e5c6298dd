package io.outboxchaos.es;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Confluent's task does before the first write to an index: create the index if it does not
 * exist, and, unless schemas are ignored for the topic, make sure it has a mapping. Confluent
 * would create a mapping from the record's value schema; we do not implement that, and fail where
 * Confluent would have had to (always, for a record without a schema: "Cannot infer mapping
 * without schema"). Each index is checked once per task. Runs on the task thread.
 */
final class Indices {
    private static final Logger log = LoggerFactory.getLogger(Indices.class);

    private final ElasticsearchHttp http;
    private final ObjectMapper mapper;
    private final BulkWriter backoff;
    private final int maxRetries;
    private final Set<String> existing = new HashSet<>();
    private final Set<String> mapped = new HashSet<>();

    Indices(ElasticsearchHttp http, ObjectMapper mapper, BulkWriter backoff, int maxRetries) {
        this.http = http;
        this.mapper = mapper;
        this.backoff = backoff;
        this.maxRetries = maxRetries;
    }

    void prepare(String index, SinkRecord record, boolean checkMapping) {
        if (!existing.contains(index)) {
            ensureExists(index);
            existing.add(index);
        }
        if (checkMapping && !mapped.contains(index)) {
            if (!hasMapping(index)) {
                String where = "Index '" + index + "' has no mapping";
                if (record.valueSchema() == null) {
                    throw new DataException("Cannot infer mapping without schema. " + where + " and record "
                            + RecordConverter.locate(record) + " has no value schema. Create the index with its "
                            + "mappings first, or set schema.ignore=true (or list the topic in topic.schema.ignore).");
                }
                throw new ConnectException(where + "; Confluent's sink would now create one from the value schema "
                        + "of record " + RecordConverter.locate(record) + ", which this sink does not implement. "
                        + "Create the index with its mappings first, or set schema.ignore=true.");
            }
            mapped.add(index);
        }
    }

    private void ensureExists(String index) {
        String path = "/" + encode(index);
        boolean exists = withRetries("check whether index " + index + " exists", () -> {
            ElasticsearchHttp.Response r = http.send("HEAD", path, null, null);
            if (r.ok() || r.status == 404) {
                return r.ok();
            }
            throw new Retry("HTTP " + r.status);
        });
        if (exists) {
            return;
        }
        withRetries("create index " + index, () -> {
            ElasticsearchHttp.Response r = http.send("PUT", path, null, null);
            String body = new String(r.body, StandardCharsets.UTF_8);
            if (r.ok() || body.contains("resource_already_exists_exception")) {
                log.info("Created index {} (HTTP {})", index, r.status);
                return true;
            }
            throw new Retry("HTTP " + r.status + ": " + r.excerpt());
        });
    }

    private boolean hasMapping(String index) {
        return withRetries("get the mapping of index " + index, () -> {
            ElasticsearchHttp.Response r = http.send("GET", "/" + encode(index) + "/_mapping", null, null);
            if (!r.ok()) {
                throw new Retry("HTTP " + r.status + ": " + r.excerpt());
            }
            JsonNode mappings = mapper.readTree(r.body).path(index).path("mappings");
            // Any content counts (properties, dynamic, dynamic_templates...), as in Confluent 16.
            return mappings.isObject() && mappings.size() > 0;
        });
    }

    private interface Call<T> {
        T run() throws IOException, InterruptedException;
    }

    /** A failed answer worth retrying, like an I/O error. */
    private static final class Retry extends IOException {
        private static final long serialVersionUID = 1L;

        Retry(String message) {
            super(message);
        }
    }

    /** Confluent retries these calls like _bulk requests: max.retries times, same backoff. */
    private <T> T withRetries(String what, Call<T> call) {
        for (int attempt = 0; ; attempt++) {
            String failure;
            try {
                return call.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException("Interrupted while trying to " + what, e);
            } catch (IOException e) {
                failure = e instanceof Retry || e instanceof ElasticsearchHttp.RequestFailedException
                        ? e.getMessage() : BulkWriter.describe(e);
            }
            if (attempt >= maxRetries) {
                throw new ConnectException("Failed to " + what + " after " + attempt + " retries (max.retries="
                        + maxRetries + "): " + failure);
            }
            long sleepMs = backoff.backoffMs(attempt + 1);
            log.warn("Failed to {} ({}); retry {}/{} in {} ms", what, failure, attempt + 1, maxRetries, sleepMs);
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException("Interrupted while trying to " + what, e);
            }
        }
    }

    private static String encode(String index) {
        return URLEncoder.encode(index, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
