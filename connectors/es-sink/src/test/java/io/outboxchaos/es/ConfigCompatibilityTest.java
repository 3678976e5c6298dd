package io.outboxchaos.es;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.KeyInfo;
import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.Status;

/** Refused and ignored keys, Confluent's cross-key rules, and the connection check of validate(). */
class ConfigCompatibilityTest {

    private FakeElasticsearch es;

    @BeforeEach
    void setUp() throws Exception {
        es = new FakeElasticsearch();
    }

    @AfterEach
    void tearDown() {
        es.close();
    }

    private Map<String, String> props(String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("connection.url", es.url());
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private static Map<String, List<String>> errors(Config c) {
        return c.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }

    private Map<String, List<String>> validate(String... kv) {
        return errors(new ElasticsearchSinkConnector().validate(props(kv)));
    }

    @Test
    void aPlainConfigValidatesAgainstARealLookingElasticsearch() {
        assertEquals(Map.of(), validate());
        assertEquals(List.of("GET /"), es.adminRequests.stream().map(Object::toString).toList());
    }

    @ParameterizedTest
    @CsvSource({
            "data.stream.type, logs, data streams",
            "data.stream.dataset, orders, data streams",
            "data.stream.timestamp.field, ts, data streams",
            "external.resource.usage, INDEX, external resource mappings",
            "topic.to.external.resource.mapping, orders:orders-v2, external resource mappings",
            "proxy.host, proxy.local, HTTP proxies",
            "proxy.username, u, HTTP proxies",
            "proxy.password, p, HTTP proxies",
            "elastic.security.protocol, SSL, TLS client settings",
            "elastic.https.ssl.truststore.location, /tmp/t.jks, TLS client settings",
            "elastic.https.ssl.endpoint.identification.algorithm, https, TLS client settings",
            "kerberos.user.principal, me@REALM, Kerberos",
            "kerberos.keytab.path, /tmp/me.keytab, Kerberos",
            "compact.map.entries, false, compact.map.entries=false",
    })
    void unsupportedFeaturesAreRefusedNamingTheKey(String key, String value, String says) {
        Map<String, List<String>> errors = validate(key, value);
        assertEquals(List.of(key), List.copyOf(errors.keySet()), errors.toString());
        String message = errors.get(key).get(0);
        assertTrue(message.startsWith("refused: "), message);
        assertTrue(message.contains(says), message);
        ConfigException e = assertThrows(ConfigException.class, () -> new ElasticsearchSinkConnectorConfig(props(key, value)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertThrows(ConnectException.class, () -> new ElasticsearchSinkConnector().start(props(key, value)));
        assertTrue(es.adminRequests.isEmpty(), "no connection check once the config has errors");
    }

    @ParameterizedTest
    @CsvSource({
            "data.stream.type, none",
            "external.resource.usage, disabled",
            "elastic.security.protocol, PLAINTEXT",
            "compact.map.entries, true",
            "proxy.host, ''",
            "data.stream.dataset, ''",
    })
    void aRefusedKeySpelledAtItsDefaultIsAccepted(String key, String value) {
        assertEquals(Map.of(), validate(key, value));
    }

    @Test
    void ignoredKeysAreAcceptedWithAWarningNamingThem() {
        Map<String, String> p = props("type.name", "_doc", "flush.synchronously", "true", "connection.compression", "true",
                "max.connection.idle.time.ms", "5000", "proxy.port", "3128", "data.stream.namespace", "x",
                "max.external.resource.mappings", "3");
        assertEquals(Map.of(), errors(new ElasticsearchSinkConnector().validate(p)));
        List<String> warnings = new ElasticsearchSinkConnectorConfig(p).ignoredKeyWarnings();
        assertEquals(7, warnings.size(), warnings.toString());
        for (String key : List.of("type.name", "flush.synchronously", "connection.compression",
                "max.connection.idle.time.ms", "proxy.port", "data.stream.namespace", "max.external.resource.mappings")) {
            assertTrue(warnings.stream().anyMatch(w -> w.contains("'" + key + "' is accepted but ignored: ")), key);
        }
        assertTrue(new ElasticsearchSinkConnectorConfig(props()).ignoredKeyWarnings().isEmpty(),
                "no warning for keys left unset");
    }

    @Test
    void everyIgnoredAndRefusedKeySaysWhy() {
        for (KeyInfo k : ElasticsearchSinkConnectorConfig.keys().values()) {
            if (k.status == Status.IGNORED || k.status == Status.REFUSED) {
                assertTrue(k.note != null && k.note.length() > 20, k.key);
            }
        }
    }

    @Test
    void confluentsCrossKeyRulesApply() {
        assertEquals(List.of("connection.password", "connection.username"),
                validate("connection.username", "u").keySet().stream().sorted().toList());
        assertEquals(List.of("key.ignore", "topic.key.ignore"),
                validate("key.ignore", "true", "topic.key.ignore", "t").keySet().stream().sorted().toList());
        assertEquals(List.of("schema.ignore", "topic.schema.ignore"),
                validate("schema.ignore", "true", "topic.schema.ignore", "t").keySet().stream().sorted().toList());
        Map<String, List<String>> linger = validate("linger.ms", "5000", "flush.timeout.ms", "1000");
        assertTrue(linger.get("linger.ms").get(0).contains("can not be larger than 'flush.timeout.ms'"), linger.toString());
        Map<String, List<String>> buffer = validate("batch.size", "5000", "max.buffered.records", "20000");
        assertEquals(List.of("batch.size", "max.buffered.records", "max.in.flight.requests"),
                buffer.keySet().stream().sorted().toList());
    }

    @Test
    void confluentsRangesApply() {
        for (String[] kv : List.of(
                new String[] {"flush.timeout.ms", "999"}, new String[] {"batch.size", "1000001"},
                new String[] {"bulk.size.bytes", "-2"}, new String[] {"max.in.flight.requests", "1001"},
                new String[] {"retry.backoff.ms", "86400001"}, new String[] {"read.timeout.ms", "-1"},
                new String[] {"behavior.on.malformed.documents", "drop"})) {
            Map<String, List<String>> e = validate(kv[0], kv[1]);
            assertEquals(List.of(kv[0]), List.copyOf(e.keySet()), kv[0] + "=" + kv[1]);
        }
        // 0 is a valid timeout (no limit), as in Confluent.
        assertEquals(Map.of(), validate("read.timeout.ms", "0", "connection.timeout.ms", "0"));
    }

    @Test
    void unreachableElasticsearchFailsValidation() {
        int port = es.url().lastIndexOf(':');
        String url = es.url();
        es.close();
        Map<String, List<String>> e = errors(new ElasticsearchSinkConnector().validate(Map.of("connection.url", url)));
        assertTrue(e.get("connection.url").get(0).startsWith("Could not connect to Elasticsearch."), e.toString());
        assertTrue(port > 0);
    }

    @Test
    void rejectedCredentialsFailValidationOnTheCredentialKeys() {
        es.rootStatus = 401;
        Map<String, List<String>> e = validate("connection.username", "u", "connection.password", "wrong");
        assertTrue(e.get("connection.url").get(0).contains("HTTP 401"), e.toString());
        assertTrue(e.get("connection.username").get(0).startsWith("Could not authenticate the user."), e.toString());
        assertTrue(e.containsKey("connection.password"));
        assertTrue(es.adminRequests.get(0).authorization().startsWith("Basic "));
    }

    @Test
    void forbiddenRootStillCountsAsReachable() {
        // Confluent accepts a 403 on ping: Elasticsearch is there, the user lacks the monitor privilege.
        es.rootStatus = 403;
        assertEquals(Map.of(), validate());
    }

    @Test
    void statusOfEveryKeyIsKnown() {
        Map<String, KeyInfo> keys = ElasticsearchSinkConnectorConfig.keys();
        assertEquals(ElasticsearchSinkConnectorConfig.CONFIG_DEF.names(), keys.keySet());
        assertEquals(Status.OURS, keys.get("index").status);
        assertFalse(keys.values().stream().anyMatch(k -> k.status == Status.OURS && !k.key.equals("index")));
    }
}
