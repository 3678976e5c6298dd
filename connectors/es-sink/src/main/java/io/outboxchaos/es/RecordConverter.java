package io.outboxchaos.es;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.BehaviorOnNullValues;
import io.outboxchaos.es.ElasticsearchSinkConnectorConfig.WriteMethod;

/**
 * Turns a SinkRecord into a bulk action. Throws DataException when the record itself is at
 * fault (no key, unconvertible value, tombstone under behavior.on.null.values=fail) so the task
 * can route it through the errant-record path.
 */
final class RecordConverter {

    private final ObjectMapper mapper;
    private final JsonNodeFactory nodes;
    private final boolean keyIgnore;
    private final BehaviorOnNullValues onNull;
    private final WriteMethod writeMethod;
    private final String fixedIndex;

    RecordConverter(ObjectMapper mapper, ElasticsearchSinkConnectorConfig config) {
        this.mapper = mapper;
        this.nodes = mapper.getNodeFactory();
        this.keyIgnore = config.keyIgnore();
        this.onNull = config.behaviorOnNullValues();
        this.writeMethod = config.writeMethod();
        this.fixedIndex = config.index();
    }

    /** @return the action, or null when the record is to be skipped (tombstone + ignore). */
    BulkItem convert(SinkRecord record) {
        String index = indexFor(record);
        boolean external = writeMethod == WriteMethod.INSERT;

        if (record.value() == null) {
            switch (onNull) {
                case IGNORE:
                    return null;
                case DELETE:
                    String id = documentId(record);
                    return new BulkItem(record, BulkItem.Op.DELETE, index, id, external,
                            lines(actionLine("delete", index, id, external ? record.kafkaOffset() : null), null));
                case FAIL:
                default:
                    throw new DataException("Record " + locate(record) + " has a null value (tombstone) and "
                            + ElasticsearchSinkConnectorConfig.BEHAVIOR_ON_NULL_VALUES + "=fail");
            }
        }

        String id = documentId(record);
        ObjectNode doc = toDocument(record.value());
        if (writeMethod == WriteMethod.INSERT) {
            return new BulkItem(record, BulkItem.Op.INDEX, index, id, true,
                    lines(actionLine("index", index, id, record.kafkaOffset()), doc));
        }
        ObjectNode update = nodes.objectNode();
        update.set("doc", doc);
        update.put("doc_as_upsert", true);
        return new BulkItem(record, BulkItem.Op.UPDATE, index, id, false,
                lines(actionLine("update", index, id, null), update));
    }

    String indexFor(SinkRecord record) {
        if (fixedIndex != null) {
            return fixedIndex;
        }
        // Elasticsearch rejects upper-case index names; topics are usually lower-case anyway.
        return record.topic().toLowerCase(Locale.ROOT);
    }

    String documentId(SinkRecord record) {
        if (keyIgnore) {
            return record.topic() + "+" + record.kafkaPartition() + "+" + record.kafkaOffset();
        }
        Object key = record.key();
        if (key == null) {
            throw new DataException("Record " + locate(record) + " has a null key; the document _id comes from "
                    + "the key unless " + ElasticsearchSinkConnectorConfig.KEY_IGNORE + "=true");
        }
        // A single-field Struct/Map key is the common un-flattened shape of a scalar id.
        if (key instanceof Struct) {
            Struct s = (Struct) key;
            List<Field> fields = s.schema().fields();
            if (fields.size() == 1) {
                return scalarId(s.get(fields.get(0)), record);
            }
        } else if (key instanceof Map && ((Map<?, ?>) key).size() == 1) {
            return scalarId(((Map<?, ?>) key).values().iterator().next(), record);
        }
        return scalarId(key, record);
    }

    private String scalarId(Object v, SinkRecord record) {
        if (v == null) {
            throw new DataException("Record " + locate(record) + " has a key whose id field is null");
        }
        if (v instanceof String) {
            return (String) v;
        }
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).toPlainString();
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof Character) {
            return v.toString();
        }
        if (v instanceof java.util.Date) {
            return Long.toString(((java.util.Date) v).getTime());
        }
        if (v instanceof byte[] || v instanceof ByteBuffer) {
            return base64(v);
        }
        // Complex key: its canonical (sorted map keys) JSON, so equal keys give equal ids.
        try {
            return mapper.writeValueAsString(toJson(v, true));
        } catch (JsonProcessingException e) {
            throw new DataException("Record " + locate(record) + ": cannot render key as JSON", e);
        }
    }

    /** The value as a JSON object: the document source. */
    ObjectNode toDocument(Object value) {
        JsonNode node;
        if (value instanceof String || value instanceof byte[]) {
            // String/ByteArray converters hand us raw JSON text; use it as-is if it is an object.
            byte[] raw = value instanceof String ? ((String) value).getBytes(StandardCharsets.UTF_8) : (byte[]) value;
            try {
                node = mapper.readTree(raw);
            } catch (IOException e) {
                throw new DataException("Value is a string/bytes but not valid JSON: " + e.getMessage());
            }
        } else {
            node = toJson(value, false);
        }
        if (node == null || !node.isObject()) {
            throw new DataException("Value must be a JSON object to become a document, got "
                    + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return (ObjectNode) node;
    }

    /** Converts a Connect value (schema'd or schemaless) to a JSON tree, adding nothing. */
    JsonNode toJson(Object v, boolean sortMapKeys) {
        if (v == null) {
            return nodes.nullNode();
        }
        if (v instanceof Struct) {
            Struct s = (Struct) v;
            ObjectNode o = nodes.objectNode();
            for (Field f : s.schema().fields()) {
                o.set(f.name(), toJson(s.get(f), sortMapKeys));
            }
            return o;
        }
        if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            ObjectNode o = nodes.objectNode();
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sortMapKeys) {
                entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            }
            for (Map.Entry<?, ?> e : entries) {
                if (e.getKey() == null) {
                    throw new DataException("Map with a null key cannot be written as a JSON object");
                }
                o.set(String.valueOf(e.getKey()), toJson(e.getValue(), sortMapKeys));
            }
            return o;
        }
        if (v instanceof Collection) {
            ArrayNode a = nodes.arrayNode();
            for (Object e : (Collection<?>) v) {
                a.add(toJson(e, sortMapKeys));
            }
            return a;
        }
        if (v instanceof Object[]) {
            ArrayNode a = nodes.arrayNode();
            for (Object e : (Object[]) v) {
                a.add(toJson(e, sortMapKeys));
            }
            return a;
        }
        if (v instanceof String) {
            return nodes.textNode((String) v);
        }
        if (v instanceof Character) {
            return nodes.textNode(v.toString());
        }
        if (v instanceof Boolean) {
            return nodes.booleanNode((Boolean) v);
        }
        if (v instanceof Byte || v instanceof Short || v instanceof Integer) {
            return nodes.numberNode(((Number) v).intValue());
        }
        if (v instanceof Long) {
            return nodes.numberNode((Long) v);
        }
        if (v instanceof BigInteger) {
            return nodes.numberNode((BigInteger) v);
        }
        if (v instanceof BigDecimal) {
            // Directly, not via the factory, which may strip trailing zeros (12.50 -> 12.5).
            return DecimalNode.valueOf((BigDecimal) v);
        }
        if (v instanceof Float || v instanceof Double) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                // JSON has no NaN/Infinity; Elasticsearch would reject the document anyway.
                throw new DataException("Value contains " + v + ", which JSON cannot represent");
            }
            return v instanceof Float ? nodes.numberNode((Float) v) : nodes.numberNode((Double) v);
        }
        if (v instanceof byte[] || v instanceof ByteBuffer) {
            return nodes.textNode(base64(v));
        }
        if (v instanceof java.util.Date) {
            // Connect's Date/Time/Timestamp logical types; epoch millis is what ES date fields accept by default.
            return nodes.numberNode(((java.util.Date) v).getTime());
        }
        throw new DataException("Cannot convert value of type " + v.getClass().getName() + " to JSON");
    }

    private static String base64(Object bytes) {
        if (bytes instanceof byte[]) {
            return Base64.getEncoder().encodeToString((byte[]) bytes);
        }
        ByteBuffer buf = ((ByteBuffer) bytes).duplicate();
        byte[] copy = new byte[buf.remaining()];
        buf.get(copy);
        return Base64.getEncoder().encodeToString(copy);
    }

    private ObjectNode actionLine(String action, String index, String id, Long externalVersion) {
        ObjectNode meta = nodes.objectNode();
        meta.put("_index", index);
        meta.put("_id", id);
        if (externalVersion != null) {
            meta.put("version", externalVersion.longValue());
            meta.put("version_type", "external");
        }
        ObjectNode line = nodes.objectNode();
        line.set(action, meta);
        return line;
    }

    private byte[] lines(ObjectNode action, ObjectNode source) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(mapper.writeValueAsBytes(action));
            out.write('\n');
            if (source != null) {
                out.write(mapper.writeValueAsBytes(source));
                out.write('\n');
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new DataException("Cannot serialise bulk action: " + e.getMessage(), e);
        }
    }

    static String locate(SinkRecord r) {
        return r.topic() + "-" + r.kafkaPartition() + "@" + r.kafkaOffset();
    }
}
