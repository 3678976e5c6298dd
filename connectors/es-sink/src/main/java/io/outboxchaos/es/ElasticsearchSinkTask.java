package io.outboxchaos.es;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts records to bulk actions and feeds them to a {@link BulkProcessor}. Delivery is
 * at-least-once: flush() (called by Connect's default preCommit) returns only once everything
 * handed to put() is acknowledged by Elasticsearch or reported as errant.
 */
public class ElasticsearchSinkTask extends SinkTask {
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchSinkTask.class);

    private ElasticsearchSinkConnectorConfig config;
    private RecordConverter converter;
    private ElasticsearchHttp http;
    private BulkWriter writer;
    private BulkProcessor processor;
    private ErrantRecordReporter reporter;
    private boolean dropInvalid;
    /** DLQ writes not yet confirmed; flush waits for them too. Guarded by itself. */
    private final List<Future<Void>> reporterFutures = new ArrayList<>();

    // Per-flush counters for the summary log line.
    private long recordsSinceFlush;
    private long skippedSinceFlush;

    @Override
    public String version() {
        return Version.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            config = new ElasticsearchSinkConnectorConfig(props);
        } catch (ConfigException e) {
            throw new ConnectException("Invalid configuration for Elasticsearch sink task: " + e.getMessage(), e);
        }
        ObjectMapper mapper = Json.newMapper();
        converter = new RecordConverter(mapper, config);
        dropInvalid = config.dropInvalidMessage();
        reporter = errantRecordReporter();

        http = new ElasticsearchHttp(config.connectionUrls(), config.connectionTimeoutMs(), config.readTimeoutMs());
        try {
            http.selectReachable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while probing Elasticsearch URLs", e);
        }
        writer = new BulkWriter(http, mapper, config.maxRetries(), config.retryBackoffMs(),
                ElasticsearchSinkConnectorConfig.MAX_RETRY_BACKOFF_MS, this::handleInvalid);
        String name = props.getOrDefault("name", "es-sink");
        processor = new BulkProcessor(writer::write, config.batchSize(), config.lingerMs(),
                config.maxInFlightRequests(), config.maxBufferedRecords(), config.flushTimeoutMs(), name);

        log.info("Started Elasticsearch sink task {}: url={} write.method={} key.ignore={} "
                        + "behavior.on.null.values={} index={} batch.size={} linger.ms={} max.in.flight.requests={} "
                        + "max.retries={} errant-record reporter={}",
                Version.VERSION, http.currentUrl(), config.writeMethod().name().toLowerCase(java.util.Locale.ROOT),
                config.keyIgnore(), config.behaviorOnNullValues().name().toLowerCase(java.util.Locale.ROOT),
                config.index() == null ? "<topic>" : config.index(), config.batchSize(), config.lingerMs(),
                config.maxInFlightRequests(), config.maxRetries(), reporter != null ? "present" : "none");
    }

    private ErrantRecordReporter errantRecordReporter() {
        if (context == null) {
            return null;
        }
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            // Workers older than Kafka 2.6 have no reporter; behave as if none was configured.
            return null;
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        // Surface an earlier async failure now, even when this call brings no records.
        processor.ensureUsable();
        for (SinkRecord record : records) {
            BulkItem item;
            try {
                item = converter.convert(record);
            } catch (DataException e) {
                handleInvalid(record, e);
                skippedSinceFlush++;
                continue;
            }
            if (item == null) {
                skippedSinceFlush++;
                log.trace("Ignoring tombstone {}", RecordConverter.locate(record));
                continue;
            }
            processor.add(item);
            recordsSinceFlush++;
        }
        processor.dispatchIfLingered();
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        long started = System.nanoTime();
        processor.flush();
        awaitReporterFutures(started);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        if (recordsSinceFlush > 0 || skippedSinceFlush > 0) {
            log.info("Flushed {} records to Elasticsearch in {} ms ({} skipped/errant); totals: {} batches, "
                            + "{} actions acked, {} stale-version conflicts ignored, {} retries, {} rejected by ES",
                    recordsSinceFlush, tookMs, skippedSinceFlush, writer.batchesSent.get(), writer.actionsAcked.get(),
                    writer.staleVersionConflicts.get(), writer.retries.get(), writer.rejectedRecords.get());
        }
        recordsSinceFlush = 0;
        skippedSinceFlush = 0;
    }

    private void awaitReporterFutures(long startedNanos) {
        List<Future<Void>> pending;
        synchronized (reporterFutures) {
            pending = new ArrayList<>(reporterFutures);
            reporterFutures.clear();
        }
        long deadline = startedNanos + TimeUnit.MILLISECONDS.toNanos(config.flushTimeoutMs());
        for (Future<Void> f : pending) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException("Interrupted while waiting for errant records to be reported", e);
            } catch (ExecutionException e) {
                throw new ConnectException("Reporting an errant record failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new ConnectException("Timed out waiting for errant records to be reported", e);
            }
        }
    }

    /**
     * A record that is itself at fault: to the DLQ when Connect provides a reporter, else dropped
     * (drop.invalid.message=true) or fatal. Called from the task thread and from sender threads.
     */
    void handleInvalid(SinkRecord record, Exception error) {
        String where = RecordConverter.locate(record);
        if (reporter != null) {
            log.warn("Reporting errant record {}: {}", where, error.getMessage());
            Future<Void> f;
            // Serialised: the worker's reporter is shared with the task thread.
            synchronized (reporterFutures) {
                // Throws when errors.tolerance=none, which correctly fails the task.
                f = reporter.report(record, error);
                if (f != null) {
                    reporterFutures.add(f);
                }
            }
            return;
        }
        if (dropInvalid) {
            log.warn("Dropping invalid record {} (drop.invalid.message=true): {}", where, error.getMessage());
            return;
        }
        throw new ConnectException("Invalid record " + where + ": " + error.getMessage()
                + " (configure errors.tolerance=all with a DLQ, or drop.invalid.message=true, to skip such records)",
                error);
    }

    @Override
    public void stop() {
        log.info("Stopping Elasticsearch sink task");
        if (processor != null) {
            processor.close();
        }
        if (http != null) {
            http.close();
        }
    }
}
