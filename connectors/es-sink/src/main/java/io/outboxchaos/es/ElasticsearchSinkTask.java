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

import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.BehaviorOnNullValues;

/**
 * Converts records to bulk actions and feeds them to a {@link BulkProcessor}, handling records the
 * way Confluent's ElasticsearchSinkTask does. Delivery is at-least-once: flush() (called by
 * Connect's default preCommit) returns only once everything handed to put() is acknowledged by
 * Elasticsearch or reported as errant.
 */
public class ElasticsearchSinkTask extends SinkTask {
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchSinkTask.class);

    private ElasticsearchSinkConnectorConfig config;
    private RecordConverter converter;
    private ElasticsearchHttp http;
    private BulkWriter writer;
    private BulkProcessor processor;
    private Indices indices;
    private ErrantRecordReporter reporter;
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
        config.ignoredKeyWarnings().forEach(log::warn);
        ObjectMapper mapper = Json.newMapper();
        converter = new RecordConverter(mapper, config);
        reporter = errantRecordReporter();

        http = new ElasticsearchHttp(config.connectionUrls(), config.connectionTimeoutMs(), config.readTimeoutMs(),
                config.username(), config.password());
        try {
            http.selectReachable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while probing Elasticsearch URLs", e);
        }
        writer = new BulkWriter(http, mapper, config.maxRetries(), config.retryBackoffMs(),
                ElasticsearchSinkConnectorConfig.MAX_RETRY_BACKOFF_MS, config.behaviorOnMalformedDoc(), this::report);
        indices = new Indices(http, mapper, writer, config.maxRetries());
        String name = props.getOrDefault("name", "es-sink");
        processor = new BulkProcessor(writer::write, config.batchSize(), config.bulkSizeBytes(), config.lingerMs(),
                config.maxInFlightRequests(), config.maxBufferedRecords(), config.flushTimeoutMs(), name);

        log.info("Started Elasticsearch sink task {}: url={} write.method={} key.ignore={} "
                        + "behavior.on.null.values={} behavior.on.malformed.documents={} index={} batch.size={} "
                        + "bulk.size.bytes={} linger.ms={} max.in.flight.requests={} max.retries={} "
                        + "errant-record reporter={}",
                Version.VERSION, http.currentUrl(), lower(config.writeMethod()), config.keyIgnore(),
                lower(config.behaviorOnNullValues()), lower(config.behaviorOnMalformedDoc()),
                config.index() == null ? "<topic>" : config.index(), config.batchSize(), config.bulkSizeBytes(),
                config.lingerMs(), config.maxInFlightRequests(), config.maxRetries(),
                reporter != null ? "present" : "none");
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
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
            if (record.value() == null && config.behaviorOnNullValues() == BehaviorOnNullValues.IGNORE) {
                // Confluent skips it and also hands it to the errant record reporter, if there is one.
                skippedSinceFlush++;
                log.trace("Ignoring tombstone {}", RecordConverter.locate(record));
                report(record, new ConnectException("Cannot write null valued record."));
                continue;
            }
            // Index creation / mapping check come first and fail the task outright, as in Confluent.
            indices.prepare(converter.indexFor(record), record, !config.ignoreSchema(record.topic()));
            BulkItem item;
            try {
                item = converter.convert(record);
            } catch (DataException e) {
                // Reported first, then dropped or fatal: with a DLQ and drop.invalid.message=false
                // the record lands in the DLQ *and* the task fails, exactly as with Confluent's sink.
                report(record, e);
                if (config.dropInvalidMessage()) {
                    log.error("Can't convert record {} (dropped, drop.invalid.message=true): {}",
                            RecordConverter.locate(record), e.getMessage());
                    skippedSinceFlush++;
                    continue;
                }
                throw new DataException(e.getMessage() + " (set drop.invalid.message=true to skip such records)", e);
            }
            if (item == null) {
                skippedSinceFlush++;
                log.trace("Skipping tombstone without key {}", RecordConverter.locate(record));
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
                            + "{} actions acked, {} stale-version conflicts ignored, {} unversioned conflicts "
                            + "reported, {} malformed skipped, {} retries",
                    recordsSinceFlush, tookMs, skippedSinceFlush, writer.batchesSent.get(), writer.actionsAcked.get(),
                    writer.staleVersionConflicts.get(), writer.unversionedConflicts.get(),
                    writer.malformedSkipped.get(), writer.retries.get());
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
     * Hands a record to Connect's errant record reporter (DLQ / errors.log.enable), if there is one.
     * Called from the task thread and from sender threads. The reporter throws when
     * errors.tolerance=none, which correctly fails the task.
     */
    void report(SinkRecord record, Exception error) {
        if (reporter == null) {
            return;
        }
        log.warn("Reporting errant record {}: {}", RecordConverter.locate(record), error.getMessage());
        // Serialised: the worker's reporter is shared with the task thread.
        synchronized (reporterFutures) {
            Future<Void> f = reporter.report(record, error);
            if (f != null) {
                reporterFutures.add(f);
            }
        }
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
