package io.outboxchaos.es;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.outboxchaos.es.FakeElasticsearch.Action;
import io.outboxchaos.es.FakeElasticsearch.BulkRequest;
import io.outboxchaos.es.FakeElasticsearch.Item;
import io.outboxchaos.es.FakeElasticsearch.Reply;

/** The task behaviours that follow Confluent's sink (16.0): keys, versioning, item outcomes, indices. */
class ConfluentParityTaskTest {

    private static final String TOPIC = "orders";

    private FakeElasticsearch es;
    private ElasticsearchSinkTask task;

    @BeforeEach
    void setUp() throws Exception {
        es = new FakeElasticsearch();
    }

    @AfterEach
    void tearDown() {
        if (task != null) {
            task.stop();
        }
        es.close();
    }

    private Map<String, String> props(String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("name", "parity-sink");
        p.put("connection.url", es.url());
        p.put("linger.ms", "30000");
        p.put("flush.timeout.ms", "30000");
        p.put("retry.backoff.ms", "1");
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private void start(ErrantRecordReporter reporter, String... kv) {
        task = new ElasticsearchSinkTask();
        task.initialize(new TestContext(reporter));
        task.start(props(kv));
    }

    private void start(String... kv) {
        start(null, kv);
    }

    private void restart(ErrantRecordReporter reporter, String... kv) {
        task.stop();
        start(reporter, kv);
    }

    private static SinkRecord rec(Object key, Object value, long offset) {
        return new SinkRecord(TOPIC, 0, null, key, null, value, offset);
    }

    private static SinkRecord rec(Schema keySchema, Object key, Object value, long offset) {
        return new SinkRecord(TOPIC, 0, keySchema, key, null, value, offset);
    }

    private static Map<String, Object> doc(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private Action onlyAction() {
        assertEquals(1, es.requests.size());
        assertEquals(1, es.requests.get(0).actions().size());
        return es.requests.get(0).actions().get(0);
    }

    // ---- keys ----------------------------------------------------------------------------

    static Stream<Arguments> acceptedKeys() {
        return Stream.of(
                Arguments.of("INT8 schemaless", null, (byte) 7, "7"),
                Arguments.of("INT16 schemaless", null, (short) 7, "7"),
                Arguments.of("INT32 schemaless", null, 7, "7"),
                Arguments.of("INT64 schemaless", null, 7L, "7"),
                Arguments.of("STRING schemaless", null, "k-7", "k-7"),
                Arguments.of("INT8", Schema.INT8_SCHEMA, (byte) -3, "-3"),
                Arguments.of("INT16", Schema.INT16_SCHEMA, (short) 300, "300"),
                Arguments.of("INT32", Schema.INT32_SCHEMA, 70000, "70000"),
                Arguments.of("INT64", Schema.INT64_SCHEMA, 9_000_000_000L, "9000000000"),
                Arguments.of("STRING", Schema.STRING_SCHEMA, "abc", "abc"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedKeys")
    void integerAndStringKeysBecomeTheId(String name, Schema keySchema, Object key, String id) {
        start();
        task.put(List.of(rec(keySchema, key, doc("a", 1), 0)));
        task.flush(Map.of());
        assertEquals(id, onlyAction().id());
    }

    static Stream<Arguments> rejectedKeys() {
        Schema structSchema = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        return Stream.of(
                Arguments.of("STRUCT", structSchema, new Struct(structSchema).put("id", 1L), "STRUCT"),
                Arguments.of("MAP schemaless", null, Map.of("id", 1), "MAP"),
                Arguments.of("ARRAY schemaless", null, List.of(1), "ARRAY"),
                Arguments.of("BOOLEAN schemaless", null, true, "BOOLEAN"),
                Arguments.of("FLOAT32 schemaless", null, 1.5f, "FLOAT32"),
                Arguments.of("FLOAT64 schemaless", null, 1.5d, "FLOAT64"),
                Arguments.of("BYTES schemaless", null, new byte[] {1}, "BYTES"),
                Arguments.of("decimal", Decimal.schema(2), new BigDecimal("1.50"), "BYTES"),
                Arguments.of("BigDecimal schemaless", null, new BigDecimal("1.50"), "no corresponding Connect schema"),
                Arguments.of("BOOLEAN", Schema.BOOLEAN_SCHEMA, false, "BOOLEAN"),
                Arguments.of("empty string", null, "", "can not be empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedKeys")
    void otherKeysAreReportedThenFailTheTask(String name, Schema keySchema, Object key, String why) {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter);
        DataException e = assertThrows(DataException.class, () -> task.put(List.of(rec(keySchema, key, doc("a", 1), 4))));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertEquals(1, reporter.records.size(), "reported to the errant record reporter before failing");
        assertTrue(reporter.errors.get(0) instanceof DataException);
        assertTrue(es.requests.isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedKeys")
    void otherKeysAreReportedAndDroppedWithDropInvalidMessage(String name, Schema keySchema, Object key, String why) {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "drop.invalid.message", "true");
        task.put(List.of(rec(keySchema, key, doc("a", 1), 4), rec(5, doc("a", 2), 5)));
        task.flush(Map.of());
        assertEquals(List.of(4L), reporter.records.stream().map(SinkRecord::kafkaOffset).toList());
        assertEquals("5", onlyAction().id());
    }

    @Test
    void badKeyWithoutReporterFailsTheTaskOrIsDropped() {
        start();
        assertThrows(DataException.class, () -> task.put(List.of(rec(Map.of("id", 1), doc("a", 1), 0))));
        restart(null, "drop.invalid.message", "true");
        task.put(List.of(rec(Map.of("id", 1), doc("a", 1), 0)));
        task.flush(Map.of());
        assertTrue(es.requests.isEmpty());
    }

    @Test
    void keyIgnoreUsesTopicPartitionOffsetWithoutVersioning() {
        start("key.ignore", "true", "behavior.on.null.values", "delete");
        task.put(List.of(new SinkRecord(TOPIC, 2, null, Map.of("any", "key"), null, doc("a", 1), 7),
                new SinkRecord(TOPIC, 2, null, 5, null, null, 8)));
        task.flush(Map.of());
        List<Action> actions = es.requests.get(0).actions();
        assertEquals(List.of("orders+2+7", "orders+2+8"), es.requests.get(0).ids());
        for (Action a : actions) {
            assertFalse(a.meta().has("version"), a.toString());
        }
    }

    @Test
    void topicKeyIgnoreAppliesToListedTopicsOnly() {
        start("topic.key.ignore", "events");
        task.put(List.of(new SinkRecord("events", 0, null, "k", null, doc("a", 1), 3), rec("k", doc("a", 1), 4)));
        task.flush(Map.of());
        assertEquals(List.of("events+0+3", "k"), es.requests.get(0).ids());
        assertFalse(es.requests.get(0).actions().get(0).meta().has("version"));
        assertEquals(4, es.requests.get(0).actions().get(1).meta().get("version").asLong());
    }

    @Test
    void autogeneratedIdsSendNoIdAndNoVersion() {
        start("use.autogenerated.ids", "true");
        task.put(List.of(rec(Map.of("not", "a valid id"), doc("a", 1), 3)));
        task.flush(Map.of());
        Action a = onlyAction();
        assertEquals("index", a.op());
        assertFalse(a.meta().has("_id"));
        assertFalse(a.meta().has("version"));
    }

    @Test
    void externalVersionHeaderReplacesTheOffset() {
        start("external.version.header", "v");
        ConnectHeaders headers = new ConnectHeaders();
        headers.addLong("v", 12345L);
        task.put(List.of(new SinkRecord(TOPIC, 0, null, 1, null, doc("a", 1), 3, null, null, headers)));
        task.flush(Map.of());
        assertEquals(12345, onlyAction().meta().get("version").asLong());
    }

    @Test
    void missingVersionHeaderFailsTheTaskWithoutReporting() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "external.version.header", "v", "drop.invalid.message", "true");
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(List.of(rec(1, doc("a", 1), 3))));
        assertFalse(e instanceof DataException, "not an invalid record: drop.invalid.message does not apply");
        assertTrue(e.getMessage().contains("no header 'v'"), e.getMessage());
        assertTrue(reporter.records.isEmpty());
    }

    // ---- write methods and version conflicts ---------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 8})
    void upsertAsksElasticsearchToRetryOnConflict(int inFlight) {
        start("write.method", "upsert", "max.in.flight.requests", String.valueOf(inFlight),
                "max.buffered.records", "20000");
        task.put(List.of(rec(1, doc("a", 1), 0)));
        task.flush(Map.of());
        Action a = onlyAction();
        assertEquals("update", a.op());
        assertEquals(Math.min(inFlight, 5), a.meta().get("retry_on_conflict").asInt());
        assertTrue(a.source().get("doc_as_upsert").asBoolean());
    }

    @Test
    void upsertConflictIsReportedNotResentAndCountsAsWritten() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "write.method", "upsert");
        es.responder = req -> FakeElasticsearch.items(req,
                (i, a) -> i == 0 ? new Item(409, "version_conflict_engine_exception") : Item.ok());
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1)));
        task.flush(Map.of()); // no failure
        assertEquals(1, es.requests.size(), "no client-side re-send of the 409'd update");
        assertEquals(List.of(0L), reporter.records.stream().map(SinkRecord::kafkaOffset).toList());
    }

    @Test
    void externalVersionConflictIsSilentSuccess() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "behavior.on.null.values", "delete");
        es.responder = req -> FakeElasticsearch.items(req, (i, a) -> new Item(409, "version_conflict_engine_exception"));
        task.put(List.of(rec(1, doc("a", 1), 0), rec(1, null, 1)));
        task.flush(Map.of());
        assertEquals(1, es.requests.size());
        assertTrue(reporter.records.isEmpty());
    }

    @Test
    void upsertDeletesAreVersionedSoAStaleDeleteLosesSilently() {
        // With write.method=upsert the delete carries version=offset while updates carry none, so a
        // document updated more times than the delete's offset survives it (a 409, ignored) — as in Confluent.
        start("write.method", "upsert", "behavior.on.null.values", "delete");
        task.put(List.of(rec(1, doc("a", 1), 0), rec(1, null, 1)));
        task.flush(Map.of());
        List<Action> actions = es.requests.get(0).actions();
        assertEquals("update", actions.get(0).op());
        assertFalse(actions.get(0).meta().has("version"));
        assertEquals("delete", actions.get(1).op());
        assertEquals(1, actions.get(1).meta().get("version").asLong());
    }

    // ---- malformed documents -------------------------------------------------------------

    static Stream<String> malformedTypes() {
        return BulkWriter.MALFORMED_DOC_ERRORS.stream().sorted();
    }

    private static Reply errorOnSecond(BulkRequest req, String type) {
        return FakeElasticsearch.items(req, (i, a) -> i == 1 ? new Item(400, type) : Item.ok());
    }

    private List<SinkRecord> threeRecords() {
        return List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", "x"), 1), rec(3, doc("a", 3), 2));
    }

    @ParameterizedTest
    @MethodSource("malformedTypes")
    void malformedFailIsTheDefaultAndReportsFirst(String type) {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter);
        es.responder = req -> errorOnSecond(req, type);
        task.put(threeRecords());
        ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        assertTrue(e.getMessage().contains(type), e.getMessage());
        assertTrue(e.getMessage().contains("behavior.on.malformed.documents=fail"), e.getMessage());
        assertEquals(List.of(1L), reporter.records.stream().map(SinkRecord::kafkaOffset).toList());
        assertTrue(reporter.errors.get(0).getMessage().contains(type));
        assertEquals(1, es.requests.size(), "not retried");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ignore", "warn", "IGNORE", "Warn"})
    void malformedIgnoreAndWarnSkipAndStillReport(String behavior) {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "behavior.on.malformed.documents", behavior);
        es.responder = req -> errorOnSecond(req, "mapper_parsing_exception");
        task.put(threeRecords());
        task.flush(Map.of());
        assertEquals(List.of(1L), reporter.records.stream().map(SinkRecord::kafkaOffset).toList());
        assertEquals(1, es.requests.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ignore", "warn"})
    void malformedIgnoreAndWarnWithoutReporterJustSkip(String behavior) {
        start("behavior.on.malformed.documents", behavior);
        es.responder = req -> errorOnSecond(req, "document_parsing_exception");
        task.put(threeRecords());
        task.flush(Map.of());
        assertEquals(1, es.requests.size());
    }

    @Test
    void malformedFailWithoutReporterFailsTheTask() {
        start("behavior.on.malformed.documents", "fail");
        es.responder = req -> errorOnSecond(req, "strict_dynamic_mapping_exception");
        task.put(threeRecords());
        assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        assertThrows(ConnectException.class, () -> task.put(List.of()), "the failure is sticky");
    }

    @Test
    void dropInvalidMessageDoesNotCoverMalformedDocuments() {
        start("drop.invalid.message", "true");
        es.responder = req -> errorOnSecond(req, "mapper_parsing_exception");
        task.put(threeRecords());
        assertThrows(ConnectException.class, () -> task.flush(Map.of()));
    }

    @Test
    void otherItemErrorsFailEvenWhenMalformedAreIgnored() {
        // Only the item's own error type counts: a 400 parse_exception, or a cluster block, is not "malformed".
        for (String type : List.of("parse_exception", "cluster_block_exception", "index_not_found_exception")) {
            TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
            if (task == null) {
                start(reporter, "behavior.on.malformed.documents", "ignore");
            } else {
                restart(reporter, "behavior.on.malformed.documents", "ignore");
            }
            es.responder = req -> errorOnSecond(req, type);
            task.put(threeRecords());
            ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()), type);
            assertTrue(e.getMessage().contains(type), e.getMessage());
            assertEquals(1, reporter.records.size(), type);
        }
    }

    @Test
    void malformedIsMatchedOnTheItemsOwnTypeNotItsCause() {
        start("behavior.on.malformed.documents", "ignore");
        es.responder = req -> FakeElasticsearch.items(req,
                (i, a) -> new Item(400, "x_content_parse_exception", "mapper_parsing_exception"));
        task.put(List.of(rec(1, doc("a", 1), 0)));
        assertThrows(ConnectException.class, () -> task.flush(Map.of()));
    }

    @Test
    void deleteOfAMissingDocumentIsSuccess() {
        start("behavior.on.null.values", "delete");
        es.responder = req -> FakeElasticsearch.items(req, (i, a) -> new Item(404, null));
        task.put(List.of(rec(1, null, 0)));
        task.flush(Map.of());
    }

    // ---- null values ---------------------------------------------------------------------

    @Test
    void ignoredTombstonesAreReportedWhenThereIsAReporter() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "behavior.on.null.values", "ignore");
        task.put(List.of(rec(1, null, 0), rec(2, doc("a", 1), 1)));
        task.flush(Map.of());
        assertEquals(List.of(0L), reporter.records.stream().map(SinkRecord::kafkaOffset).toList());
        assertEquals("Cannot write null valued record.", reporter.errors.get(0).getMessage());
        assertEquals("2", onlyAction().id());
    }

    @Test
    void tombstoneWithoutKeyIsSkippedUnderDelete() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "behavior.on.null.values", "delete");
        task.put(List.of(rec(null, null, 0)));
        task.flush(Map.of());
        assertTrue(es.requests.isEmpty());
        assertTrue(reporter.records.isEmpty());
    }

    @Test
    void tombstoneUnderFailIsTheDefault() {
        start();
        DataException e = assertThrows(DataException.class, () -> task.put(List.of(rec(1, null, 0))));
        assertTrue(e.getMessage().contains("behavior.on.null.values=fail"), e.getMessage());
    }

    // ---- batching ------------------------------------------------------------------------

    private List<SinkRecord> sameSizeRecords(int n) {
        List<SinkRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(rec(i, doc("n", i), i)); // ids and offsets 0..9: every action has the same size
        }
        return out;
    }

    private int actionSize() {
        start("max.in.flight.requests", "1");
        task.put(sameSizeRecords(1));
        task.flush(Map.of());
        int size = es.requests.get(0).rawBody().getBytes(StandardCharsets.UTF_8).length;
        task.stop();
        task = null;
        es.requests.clear();
        return size;
    }

    @Test
    void bulkSizeBytesCutsABatchOnceItReachesTheLimit() {
        int one = actionSize();
        // Limit between 2 and 3 actions: the third action makes the batch reach it, so batches of 3.
        start("bulk.size.bytes", String.valueOf(2 * one + 1), "max.in.flight.requests", "1");
        task.put(sameSizeRecords(7));
        task.flush(Map.of());
        assertEquals(List.of(3, 3, 1), es.requests.stream().map(r -> r.actions().size()).toList());
    }

    @Test
    void bulkSizeBytesExactlyAtTwoActionsGivesPairs() {
        int one = actionSize();
        start("bulk.size.bytes", String.valueOf(2 * one), "max.in.flight.requests", "1");
        task.put(sameSizeRecords(5));
        task.flush(Map.of());
        assertEquals(List.of(2, 2, 1), es.requests.stream().map(r -> r.actions().size()).toList());
    }

    @Test
    void bulkSizeBytesMinusOneDisablesAndZeroMeansOneActionPerBatch() {
        start("bulk.size.bytes", "-1", "max.in.flight.requests", "1");
        task.put(sameSizeRecords(5));
        task.flush(Map.of());
        assertEquals(List.of(5), es.requests.stream().map(r -> r.actions().size()).toList());
        es.requests.clear();
        restart(null, "bulk.size.bytes", "0", "max.in.flight.requests", "1");
        task.put(sameSizeRecords(3));
        task.flush(Map.of());
        assertEquals(List.of(1, 1, 1), es.requests.stream().map(r -> r.actions().size()).toList());
    }

    // ---- connection ----------------------------------------------------------------------

    @Test
    void basicAuthHeaderGoesOnEveryRequest() {
        start("connection.username", "elastic", "connection.password", "s3cret");
        task.put(List.of(rec(1, doc("a", 1), 0)));
        task.flush(Map.of());
        String expected = "Basic " + Base64.getEncoder().encodeToString("elastic:s3cret".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, es.requests.get(0).authorization());
        assertFalse(es.adminRequests.isEmpty());
        es.adminRequests.forEach(r -> assertEquals(expected, r.authorization(), r.toString()));
    }

    @Test
    void noAuthHeaderWithoutCredentials() {
        start();
        task.put(List.of(rec(1, doc("a", 1), 0)));
        task.flush(Map.of());
        assertNull(es.requests.get(0).authorization());
    }

    @Test
    void answersWithoutTheElasticsearchProductHeaderAreRetriedThenFail() {
        start("max.retries", "1", "schema.ignore", "true");
        es.existingIndices = null;
        es.productHeader = null; // e.g. not Elasticsearch, or a proxy that strips headers
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(List.of(rec(1, doc("a", 1), 0))));
        assertTrue(e.getMessage().contains("X-Elastic-Product"), e.getMessage());
        // Each headerless answer also asks GET / whether the server is OpenSearch (this one is not).
        assertEquals(2, es.adminRequests.stream().filter(r -> !r.path().equals("/")).count(), "HEAD /orders tried twice");
    }

    @Test
    void openSearchIsRecognisedByItsRootEndpointAndAcceptedWithoutTheHeader() {
        start("max.retries", "0", "schema.ignore", "true");
        es.existingIndices = null;
        es.productHeader = null;
        es.rootBody = "{\"version\" : {\"distribution\" : \"opensearch\", \"number\" : \"2.19.6\"}}";
        task.put(List.of(rec(1, doc("a", 1), 0)));
        task.flush(Map.of());
        assertEquals(1, es.requests.size(), "the bulk request was sent and accepted");
        assertEquals(1, es.adminRequests.stream().filter(r -> r.path().equals("/")).count(), "asked once");
    }

    // ---- indices and mappings ------------------------------------------------------------

    @Test
    void missingIndexIsCreatedOnceThenMappingChecked() {
        Set<String> existing = ConcurrentHashMap.newKeySet();
        es.existingIndices = existing;
        start();
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1)));
        task.flush(Map.of());
        assertEquals(List.of("HEAD /orders", "PUT /orders", "GET /orders/_mapping"),
                es.adminRequests.stream().map(Object::toString).toList());
        assertEquals(1, es.requests.size());
    }

    @Test
    void schemalessRecordIntoAnIndexWithoutMappingFailsTheTask() {
        es.unmappedIndices.add(TOPIC);
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "drop.invalid.message", "true");
        DataException e = assertThrows(DataException.class, () -> task.put(List.of(rec(1, doc("a", 1), 0))));
        assertTrue(e.getMessage().startsWith("Cannot infer mapping without schema."), e.getMessage());
        assertTrue(reporter.records.isEmpty(), "not an invalid record: not reported, not dropped");
        assertTrue(es.requests.isEmpty());
    }

    @Test
    void schemaRecordIntoAnIndexWithoutMappingIsNotSupported() {
        es.unmappedIndices.add(TOPIC);
        start();
        Schema schema = SchemaBuilder.struct().field("a", Schema.INT32_SCHEMA).build();
        SinkRecord r = new SinkRecord(TOPIC, 0, null, 1, schema, new Struct(schema).put("a", 1), 0);
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(List.of(r)));
        assertTrue(e.getMessage().contains("schema.ignore=true"), e.getMessage());
    }

    @Test
    void schemaIgnoreSkipsTheMappingCheck() {
        es.unmappedIndices.add(TOPIC);
        start("schema.ignore", "true");
        task.put(List.of(rec(1, doc("a", 1), 0)));
        task.flush(Map.of());
        assertEquals(List.of("HEAD /orders"), es.adminRequests.stream().map(Object::toString).toList());
        restart(null, "topic.schema.ignore", TOPIC);
        task.put(List.of(rec(1, doc("a", 1), 0)));
        task.flush(Map.of());
    }

    @Test
    void topicIsNormalisedIntoAnIndexNameAsConfluentDoes() {
        start("behavior.on.null.values", "delete");
        task.put(List.of(new SinkRecord("_Outbox.Orders", 0, null, 1, null, doc("a", 1), 0)));
        task.flush(Map.of());
        assertEquals("outbox.orders", onlyAction().meta().get("_index").asText());
    }
}
