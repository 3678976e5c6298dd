package io.outboxchaos.es;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.junit.jupiter.api.Test;

import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.BehaviorOnNullValues;
import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.WriteMethod;

class ElasticsearchSinkConnectorTest {

    private static Map<String, String> props(String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("connection.url", "http://localhost:9200");
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsMatchTheDocumentedOnes() {
        ElasticsearchSinkConnectorConfig c = new ElasticsearchSinkConnectorConfig(props());
        assertEquals(List.of("http://localhost:9200"), c.connectionUrls());
        assertEquals(1000, c.connectionTimeoutMs());
        assertEquals(3000, c.readTimeoutMs());
        assertFalse(c.keyIgnore());
        assertEquals(BehaviorOnNullValues.FAIL, c.behaviorOnNullValues());
        assertEquals(WriteMethod.INSERT, c.writeMethod());
        assertEquals(500, c.batchSize());
        assertEquals(50, c.lingerMs());
        assertEquals(1, c.maxInFlightRequests());
        assertEquals(20000, c.maxBufferedRecords());
        assertEquals(180000, c.flushTimeoutMs());
        assertEquals(5, c.maxRetries());
        assertEquals(100, c.retryBackoffMs());
        assertFalse(c.dropInvalidMessage());
        assertEquals(null, c.index());
    }

    @Test
    void enumsAreCaseInsensitiveAndUrlListsAreTrimmed() {
        ElasticsearchSinkConnectorConfig c = new ElasticsearchSinkConnectorConfig(props(
                "write.method", "UPSERT", "behavior.on.null.values", "Delete",
                "connection.url", "http://a:9200/, http://b:9200"));
        assertEquals(WriteMethod.UPSERT, c.writeMethod());
        assertEquals(BehaviorOnNullValues.DELETE, c.behaviorOnNullValues());
        assertEquals(List.of("http://a:9200", "http://b:9200"), c.connectionUrls());
    }

    @Test
    void badWriteMethodIsRejectedClearly() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ElasticsearchSinkConnectorConfig(props("write.method", "replace")));
        assertTrue(e.getMessage().contains("write.method"), e.getMessage());
        assertTrue(e.getMessage().contains("replace"), e.getMessage());
        assertTrue(e.getMessage().contains("insert, upsert"), e.getMessage());
    }

    @Test
    void badBehaviorOnNullValuesIsRejectedClearly() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ElasticsearchSinkConnectorConfig(props("behavior.on.null.values", "skip")));
        assertTrue(e.getMessage().contains("behavior.on.null.values"), e.getMessage());
        assertTrue(e.getMessage().contains("ignore, delete, fail"), e.getMessage());
    }

    @Test
    void connectionUrlIsRequiredAndMustBeHttp() {
        Map<String, String> none = props();
        none.remove("connection.url");
        assertThrows(ConfigException.class, () -> new ElasticsearchSinkConnectorConfig(none));
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ElasticsearchSinkConnectorConfig(props("connection.url", "es:9200")));
        assertTrue(e.getMessage().contains("http://"), e.getMessage());
    }

    @Test
    void connectorValidateReportsErrorsPerKey() {
        Config result = new ElasticsearchSinkConnector().validate(props(
                "write.method", "replace", "behavior.on.null.values", "skip", "batch.size", "0"));
        Map<String, List<String>> errors = result.configValues().stream()
                .filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
        assertEquals(3, errors.size(), errors.toString());
        assertTrue(errors.get("write.method").get(0).contains("insert, upsert"));
        assertTrue(errors.get("behavior.on.null.values").get(0).contains("ignore, delete, fail"));
    }

    @Test
    void connectorStartRejectsBadConfigAndFansOutTaskConfigs() {
        ElasticsearchSinkConnector connector = new ElasticsearchSinkConnector();
        assertThrows(ConnectException.class, () -> connector.start(props("write.method", "nope")));

        connector.start(props("index", "orders"));
        List<Map<String, String>> tasks = connector.taskConfigs(3);
        assertEquals(3, tasks.size());
        assertEquals("orders", tasks.get(2).get("index"));
        assertEquals(ElasticsearchSinkTask.class, connector.taskClass());
        assertEquals(Version.VERSION, connector.version());
        assertEquals(Version.VERSION, new ElasticsearchSinkTask().version());
        connector.stop();
    }

    @Test
    void connectorIsDiscoverableViaServiceLoader() {
        boolean found = ServiceLoader.load(SinkConnector.class).stream()
                .anyMatch(p -> p.type() == ElasticsearchSinkConnector.class);
        assertTrue(found, "META-INF/services entry missing");
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndIsCapped() {
        BulkWriter w = new BulkWriter(null, null, 5, 100, 10_000, (r, e) -> { });
        for (int i = 0; i < 50; i++) {
            long b1 = w.backoffMs(1);
            long b3 = w.backoffMs(3);
            long b20 = w.backoffMs(20);
            assertTrue(b1 >= 50 && b1 <= 100, "attempt 1: " + b1);
            assertTrue(b3 >= 200 && b3 <= 400, "attempt 3: " + b3);
            assertTrue(b20 >= 5_000 && b20 <= 10_000, "capped: " + b20);
        }
    }
}
