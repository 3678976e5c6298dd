package io.outboxchaos.es;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the sink. Key names follow the widely used Elasticsearch sink connector so
 * that existing connector JSON carries over.
 */
public class ElasticsearchSinkConnectorConfig extends AbstractConfig {

    public static final String CONNECTION_URL = "connection.url";
    public static final String CONNECTION_TIMEOUT_MS = "connection.timeout.ms";
    public static final String READ_TIMEOUT_MS = "read.timeout.ms";
    public static final String KEY_IGNORE = "key.ignore";
    public static final String BEHAVIOR_ON_NULL_VALUES = "behavior.on.null.values";
    public static final String WRITE_METHOD = "write.method";
    public static final String BATCH_SIZE = "batch.size";
    public static final String LINGER_MS = "linger.ms";
    public static final String MAX_IN_FLIGHT_REQUESTS = "max.in.flight.requests";
    public static final String MAX_BUFFERED_RECORDS = "max.buffered.records";
    public static final String FLUSH_TIMEOUT_MS = "flush.timeout.ms";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String DROP_INVALID_MESSAGE = "drop.invalid.message";
    public static final String INDEX = "index";

    /** Upper bound of a single retry sleep, so exponential growth cannot stall a task for minutes. */
    public static final long MAX_RETRY_BACKOFF_MS = 10_000L;

    /** What to do with a record whose value is null (a tombstone). */
    public enum BehaviorOnNullValues { IGNORE, DELETE, FAIL }

    /** How a record becomes a bulk action. */
    public enum WriteMethod { INSERT, UPSERT }

    private static final String GROUP_CONNECTION = "Connection";
    private static final String GROUP_DATA = "Data conversion";
    private static final String GROUP_WRITES = "Writes";

    public static final ConfigDef CONFIG_DEF = buildConfigDef();

    private static ConfigDef buildConfigDef() {
        ConfigDef def = new ConfigDef();
        int order = 0;
        def.define(CONNECTION_URL, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new UrlListValidator(),
                Importance.HIGH,
                "Elasticsearch base URL, or a comma-separated list of them, e.g. http://es:9200. "
                        + "Requests go to the first reachable one; on a connection failure the next is tried.",
                GROUP_CONNECTION, ++order, Width.LONG, "Connection URLs");
        def.define(CONNECTION_TIMEOUT_MS, Type.INT, 1000, ConfigDef.Range.atLeast(1), Importance.LOW,
                "How long to wait, in ms, to establish a TCP connection to Elasticsearch.",
                GROUP_CONNECTION, ++order, Width.SHORT, "Connection timeout");
        def.define(READ_TIMEOUT_MS, Type.INT, 3000, ConfigDef.Range.atLeast(1), Importance.LOW,
                "How long to wait, in ms, for Elasticsearch to answer a request; "
                        + "a timed-out request is retried like a connection error.",
                GROUP_CONNECTION, ++order, Width.SHORT, "Read timeout");

        order = 0;
        def.define(KEY_IGNORE, Type.BOOLEAN, false, Importance.HIGH,
                "false: the document _id is the record key rendered as a string (a Struct or Map key "
                        + "with a single field uses that field's value; other complex keys use their JSON). "
                        + "true: the _id is topic+partition+offset.",
                GROUP_DATA, ++order, Width.SHORT, "Ignore key");
        def.define(BEHAVIOR_ON_NULL_VALUES, Type.STRING, "fail",
                new EnumValidator(BehaviorOnNullValues.values()), Importance.MEDIUM,
                "What to do with a record whose value is null (a tombstone): "
                        + "'delete' sends a delete for its _id, 'ignore' skips it, "
                        + "'fail' treats it as an invalid record.",
                GROUP_DATA, ++order, Width.SHORT, "Behavior on null values");
        def.define(DROP_INVALID_MESSAGE, Type.BOOLEAN, false, Importance.LOW,
                "When no errant record reporter (DLQ / errors.tolerance=all) is configured: true logs "
                        + "and skips a record that is itself at fault (cannot be converted, or rejected "
                        + "by Elasticsearch with a non-retriable 4xx); false fails the task.",
                GROUP_DATA, ++order, Width.SHORT, "Drop invalid messages");
        def.define(INDEX, Type.STRING, null, Importance.MEDIUM,
                "Target index. Default: the record's topic (after SMTs such as RegexRouter), lower-cased.",
                GROUP_DATA, ++order, Width.MEDIUM, "Index");

        order = 0;
        def.define(WRITE_METHOD, Type.STRING, "insert", new EnumValidator(WriteMethod.values()),
                Importance.HIGH,
                "'insert': bulk 'index' with version=<kafka offset> and version_type=external, so "
                        + "replayed or reordered records never overwrite newer data. 'upsert': bulk "
                        + "'update' with doc_as_upsert and no versioning (last write wins, unsafe "
                        + "under reordering).",
                GROUP_WRITES, ++order, Width.SHORT, "Write method");
        def.define(BATCH_SIZE, Type.INT, 500, ConfigDef.Range.between(1, 1_000_000), Importance.MEDIUM,
                "Maximum number of records in one _bulk request.",
                GROUP_WRITES, ++order, Width.SHORT, "Batch size");
        def.define(LINGER_MS, Type.LONG, 50L, ConfigDef.Range.atLeast(0), Importance.LOW,
                "How long records may wait in the buffer for a batch to fill before it is sent anyway.",
                GROUP_WRITES, ++order, Width.SHORT, "Linger");
        def.define(MAX_IN_FLIGHT_REQUESTS, Type.INT, 1, ConfigDef.Range.between(1, 1000), Importance.MEDIUM,
                "How many _bulk requests may be outstanding at once. Above 1, batches are sent "
                        + "concurrently and may complete out of order.",
                GROUP_WRITES, ++order, Width.SHORT, "Max in-flight requests");
        def.define(MAX_BUFFERED_RECORDS, Type.INT, 20000, ConfigDef.Range.atLeast(1), Importance.LOW,
                "Records buffered or in flight before put() blocks (backpressure).",
                GROUP_WRITES, ++order, Width.SHORT, "Max buffered records");
        def.define(FLUSH_TIMEOUT_MS, Type.LONG, 180000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                "How long flush (offset commit), or put() under backpressure, waits for outstanding "
                        + "records to be acknowledged before failing.",
                GROUP_WRITES, ++order, Width.SHORT, "Flush timeout");
        def.define(MAX_RETRIES, Type.INT, 5, ConfigDef.Range.atLeast(0), Importance.LOW,
                "How many times a failed request (connection error, timeout, HTTP 429/5xx) or failed "
                        + "bulk items (429/5xx) are retried before the task fails.",
                GROUP_WRITES, ++order, Width.SHORT, "Max retries");
        def.define(RETRY_BACKOFF_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(0), Importance.LOW,
                "Base of the exponential, jittered backoff between retries, capped at "
                        + MAX_RETRY_BACKOFF_MS + " ms.",
                GROUP_WRITES, ++order, Width.SHORT, "Retry backoff");
        return def;
    }

    public ElasticsearchSinkConnectorConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
    }

    public List<String> connectionUrls() {
        return getList(CONNECTION_URL).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(ElasticsearchSinkConnectorConfig::stripTrailingSlash)
                .collect(Collectors.toList());
    }

    public int connectionTimeoutMs() {
        return getInt(CONNECTION_TIMEOUT_MS);
    }

    public int readTimeoutMs() {
        return getInt(READ_TIMEOUT_MS);
    }

    public boolean keyIgnore() {
        return getBoolean(KEY_IGNORE);
    }

    public BehaviorOnNullValues behaviorOnNullValues() {
        return BehaviorOnNullValues.valueOf(getString(BEHAVIOR_ON_NULL_VALUES).trim().toUpperCase(Locale.ROOT));
    }

    public WriteMethod writeMethod() {
        return WriteMethod.valueOf(getString(WRITE_METHOD).trim().toUpperCase(Locale.ROOT));
    }

    public int batchSize() {
        return getInt(BATCH_SIZE);
    }

    public long lingerMs() {
        return getLong(LINGER_MS);
    }

    public int maxInFlightRequests() {
        return getInt(MAX_IN_FLIGHT_REQUESTS);
    }

    public int maxBufferedRecords() {
        return getInt(MAX_BUFFERED_RECORDS);
    }

    public long flushTimeoutMs() {
        return getLong(FLUSH_TIMEOUT_MS);
    }

    public int maxRetries() {
        return getInt(MAX_RETRIES);
    }

    public long retryBackoffMs() {
        return getLong(RETRY_BACKOFF_MS);
    }

    public boolean dropInvalidMessage() {
        return getBoolean(DROP_INVALID_MESSAGE);
    }

    /** Fixed index name, or null when the record's topic decides. */
    public String index() {
        String index = getString(INDEX);
        return index == null || index.isBlank() ? null : index.trim();
    }

    private static String stripTrailingSlash(String url) {
        String u = url;
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    /** Case-insensitive choice among an enum's constants, with a message that lists them. */
    static final class EnumValidator implements ConfigDef.Validator {
        private final List<String> allowed;

        EnumValidator(Enum<?>[] values) {
            this.allowed = Arrays.stream(values)
                    .map(v -> v.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.toList());
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                throw new ConfigException(name, null, "must be one of " + String.join(", ", allowed));
            }
            String s = value.toString().trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(s)) {
                throw new ConfigException(name, value, "must be one of " + String.join(", ", allowed)
                        + " (case-insensitive)");
            }
        }

        @Override
        public String toString() {
            return "[" + String.join(", ", allowed) + "]";
        }
    }

    /** Non-empty list of absolute http(s) URLs. */
    static final class UrlListValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof List) || ((List<?>) value).isEmpty()) {
                throw new ConfigException(name, value, "at least one URL is required, e.g. http://elasticsearch:9200");
            }
            for (Object o : (List<?>) value) {
                String s = String.valueOf(o).trim();
                if (s.isEmpty()) {
                    continue;
                }
                URI uri;
                try {
                    uri = URI.create(s);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, "'" + s + "' is not a valid URL: " + e.getMessage());
                }
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || uri.getAuthority() == null) {
                    throw new ConfigException(name, value,
                            "'" + s + "' must be an absolute http:// or https:// URL with a host");
                }
            }
            if (((List<?>) value).stream().allMatch(o -> String.valueOf(o).trim().isEmpty())) {
                throw new ConfigException(name, value, "at least one URL is required, e.g. http://elasticsearch:9200");
            }
        }

        @Override
        public String toString() {
            return "list of http(s) URLs";
        }
    }
}
