package io.outboxchaos.es;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.KeyInfo;
import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.Status;

/**
 * Keeps config-defaults.json (read by the TypeScript harness, which has no JVM) equal to what
 * ElasticsearchSinkConnectorConfig defines. After changing the ConfigDef, regenerate it with
 * {@code mvn -f connectors/es-sink/pom.xml test -Dtest=ConfigDefaultsJsonTest -Dconfig.defaults.write=true}.
 */
class ConfigDefaultsJsonTest {

    static final Path FILE = Path.of("config-defaults.json");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static ObjectNode generate() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("_comment", "Generated from io.outboxchaos.es.ElasticsearchSinkConnectorConfig by ConfigDefaultsJsonTest; "
                + "do not edit. Regenerate: mvn -f connectors/es-sink/pom.xml test -Dtest=ConfigDefaultsJsonTest "
                + "-Dconfig.defaults.write=true");
        root.put("connectorClass", ElasticsearchSinkConnector.class.getName());
        root.put("version", Version.VERSION);
        root.put("comparedWith", "Confluent's io.confluent.connect.elasticsearch.ElasticsearchSinkConnector, 16.0 line "
                + "(confluentinc/kafka-connect-elasticsearch); see connectors/es-sink/README.md");
        ObjectNode statuses = root.putObject("statuses");
        statuses.put("same", "implemented with Confluent's default and meaning");
        statuses.put("ignored", "accepted with any value, changes nothing, logged at WARN when set");
        statuses.put("refused", "only the values in refused[].allowedValues are accepted (an empty list: the key "
                + "must be absent); anything else fails validation with refused[].message");
        statuses.put("ours", "not a key of Confluent's connector");

        ObjectNode keys = root.putObject("keys");
        ArrayNode refused = root.putArray("refused");
        Map<String, ConfigDef.ConfigKey> defs = ElasticsearchSinkConnectorConfig.CONFIG_DEF.configKeys();
        for (KeyInfo info : ElasticsearchSinkConnectorConfig.keys().values()) {
            ConfigDef.ConfigKey def = defs.get(info.key);
            ObjectNode k = keys.putObject(info.key);
            k.put("type", def.type.name());
            if (def.defaultValue == ConfigDef.NO_DEFAULT_VALUE) {
                k.put("required", true);
                k.putNull("default");
            } else {
                k.set("default", json(def.defaultValue));
            }
            k.put("status", info.status.name().toLowerCase(Locale.ROOT));
            if (info.note != null && info.status != Status.REFUSED) {
                k.put("note", info.note);
            }
            if (info.status == Status.REFUSED) {
                ObjectNode r = refused.addObject();
                r.put("key", info.key);
                ArrayNode allowed = r.putArray("allowedValues");
                info.allowedValues.forEach(allowed::add);
                r.put("message", info.note);
            }
        }
        return root;
    }

    private static JsonNode json(Object value) {
        if (value instanceof Password) {
            return MAPPER.getNodeFactory().textNode("[hidden]");
        }
        if (value instanceof Class) {
            return MAPPER.getNodeFactory().textNode(((Class<?>) value).getName());
        }
        return MAPPER.valueToTree(value);
    }

    @Test
    void configDefaultsJsonMatchesTheConfigDef() throws Exception {
        String text = MAPPER.writeValueAsString(generate()) + "\n";
        if (Boolean.getBoolean("config.defaults.write")) {
            Files.writeString(FILE, text, StandardCharsets.UTF_8);
        }
        // Compared as parsed trees (so formatting does not matter), both read the same way.
        JsonNode expected = MAPPER.readTree(text);
        assertTrue(Files.exists(FILE), FILE.toAbsolutePath() + " is missing; run with -Dconfig.defaults.write=true");
        JsonNode actual = MAPPER.readTree(FILE.toFile());
        assertEquals(expected, actual, "config-defaults.json is out of date with ElasticsearchSinkConnectorConfig; "
                + "regenerate it with -Dconfig.defaults.write=true (see this class)");
    }

    @Test
    void jsonCarriesConfluentsDefaultsForTheHeadlineKeys() throws Exception {
        JsonNode keys = MAPPER.readTree(FILE.toFile()).get("keys");
        // Spot checks against the literals in Confluent's source, independent of our ConfigDef.
        for (Object[] kv : List.of(
                new Object[] {"batch.size", 2000}, new Object[] {"max.in.flight.requests", 5},
                new Object[] {"linger.ms", 1}, new Object[] {"max.retries", 5}, new Object[] {"retry.backoff.ms", 100},
                new Object[] {"bulk.size.bytes", 5242880}, new Object[] {"flush.timeout.ms", 180000},
                new Object[] {"read.timeout.ms", 3000}, new Object[] {"connection.timeout.ms", 1000},
                new Object[] {"max.buffered.records", 20000})) {
            assertEquals(((Number) kv[1]).longValue(), keys.get((String) kv[0]).get("default").asLong(), (String) kv[0]);
            assertEquals("same", keys.get((String) kv[0]).get("status").asText(), (String) kv[0]);
        }
        assertEquals("FAIL", keys.get("behavior.on.null.values").get("default").asText());
        assertEquals("FAIL", keys.get("behavior.on.malformed.documents").get("default").asText());
        assertEquals("INSERT", keys.get("write.method").get("default").asText());
        assertEquals(false, keys.get("key.ignore").get("default").asBoolean());
        assertEquals(false, keys.get("drop.invalid.message").get("default").asBoolean());
        assertEquals("ours", keys.get("index").get("status").asText());
    }
}
