package io.outboxchaos.es;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.outboxchaos.es.FakeElasticsearch.Action;
import io.outboxchaos.es.FakeElasticsearch.BulkRequest;
import io.outboxchaos.es.FakeElasticsearch.Item;
import io.outboxchaos.es.FakeElasticsearch.Reply;

class ElasticsearchSinkTaskTest {

    private static final String TOPIC = "orders";

    private FakeElasticsearch es;
    private ElasticsearchSinkTask task;
    private final List<CountDownLatch> latchesToRelease = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        es = new FakeElasticsearch();
    }

    @AfterEach
    void tearDown() {
        latchesToRelease.forEach(l -> {
            while (l.getCount() > 0) {
                l.countDown();
            }
        });
        if (task != null) {
            task.stop();
        }
        es.close();
    }

    // ---- helpers -------------------------------------------------------------------------

    private Map<String, String> props(String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("name", "test-sink");
        p.put("connection.url", es.url());
        // Dispatch only on batch.size or flush unless a test says otherwise: keeps request counts exact.
        // (linger.ms may not exceed flush.timeout.ms, as in Confluent's validator.)
        p.put("linger.ms", "30000");
        p.put("retry.backoff.ms", "1");
        p.put("flush.timeout.ms", "30000");
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private ElasticsearchSinkTask start(ErrantRecordReporter reporter, String... kv) {
        task = new ElasticsearchSinkTask();
        task.initialize(new TestContext(reporter));
        task.start(props(kv));
        return task;
    }

    private ElasticsearchSinkTask start(String... kv) {
        return start(null, kv);
    }

    private static SinkRecord rec(Object key, Object value, long offset) {
        return new SinkRecord(TOPIC, 0, null, key, null, value, offset);
    }

    private static Map<String, Object> doc(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static CountDownLatch latch(List<CountDownLatch> registry) {
        CountDownLatch l = new CountDownLatch(1);
        registry.add(l);
        return l;
    }

    private void awaitRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (es.requests.size() < n) {
            assertTrue(System.nanoTime() < deadline, "expected " + n + " requests, saw " + es.requests.size());
            Thread.sleep(5);
        }
    }

    // ---- document ids --------------------------------------------------------------------

    @Test
    void documentIdComesFromKey() throws Exception {
        start();
        task.put(List.of(
                rec(42, doc("a", 1), 0),
                rec("abc", doc("a", 2), 1),
                rec(7L, doc("a", 3), 2),
                new SinkRecord(TOPIC, 0, Schema.INT16_SCHEMA, (short) 3, null, doc("a", 4), 3)));
        task.flush(Map.of());

        assertEquals(1, es.requests.size());
        BulkRequest req = es.requests.get(0);
        assertEquals("POST", req.method());
        assertEquals("/_bulk", req.path());
        assertEquals("application/x-ndjson", req.contentType());
        assertEquals(List.of("42", "abc", "7", "3"), req.ids());
        assertEquals(TOPIC, req.actions().get(0).meta().get("_index").asText());
    }

    @Test
    void keyIgnoreUsesTopicPartitionOffset() throws Exception {
        start("key.ignore", "true");
        task.put(List.of(new SinkRecord(TOPIC, 3, null, "ignored", null, doc("a", 1), 17)));
        task.flush(Map.of());
        assertEquals(List.of("orders+3+17"), es.requests.get(0).ids());
    }

    @Test
    void nullKeyIsReportedAndThenFailsTheTask() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter);
        DataException e = assertThrows(DataException.class, () -> task.put(List.of(rec(null, doc("a", 1), 5))));
        assertTrue(e.getMessage().contains("can not be null"), e.getMessage());
        assertEquals(1, reporter.records.size(), "reported before the task fails, as Confluent does");
        assertTrue(es.requests.isEmpty());
    }

    @Test
    void nullKeyIsReportedAndDroppedWithDropInvalidMessage() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "drop.invalid.message", "true");
        task.put(List.of(rec(null, doc("a", 1), 5), rec(1, doc("a", 1), 6)));
        task.flush(Map.of());
        assertEquals(1, reporter.records.size());
        assertEquals(List.of("1"), es.requests.get(0).ids());
    }

    @Test
    void indexConfigOverridesTopic() throws Exception {
        start("index", "orders-v2");
        task.put(List.of(new SinkRecord("Outbox.Orders", 0, null, 1, null, doc("a", 1), 0)));
        task.flush(Map.of());
        assertEquals("orders-v2", es.requests.get(0).actions().get(0).meta().get("_index").asText());
    }

    // ---- tombstones ----------------------------------------------------------------------

    @Test
    void tombstoneDeleteSendsExternallyVersionedDeleteAnd404IsSuccess() throws Exception {
        start("behavior.on.null.values", "delete");
        es.responder = req -> FakeElasticsearch.items(req, (i, a) -> new Item(404, null));
        task.put(List.of(rec(9, null, 33)));
        task.flush(Map.of());

        Action a = es.requests.get(0).actions().get(0);
        assertEquals("delete", a.op());
        assertEquals("9", a.id());
        assertEquals(33, a.meta().get("version").asLong());
        assertEquals("external", a.meta().get("version_type").asText());
        assertNull(a.source());
    }

    @Test
    void tombstoneDeleteInUpsertModeIsStillVersioned() throws Exception {
        // Confluent versions deletes whenever keys are used, whatever the write method.
        start("behavior.on.null.values", "delete", "write.method", "upsert");
        task.put(List.of(rec(9, null, 33)));
        task.flush(Map.of());
        Action a = es.requests.get(0).actions().get(0);
        assertEquals("delete", a.op());
        assertEquals(33, a.meta().get("version").asLong());
        assertEquals("external", a.meta().get("version_type").asText());
    }

    @Test
    void tombstoneIgnoreSendsNothing() {
        start("behavior.on.null.values", "ignore");
        task.put(List.of(rec(9, null, 33)));
        task.flush(Map.of());
        assertTrue(es.requests.isEmpty());
    }

    @Test
    void tombstoneFailThrowsWithoutReporter() {
        start(); // fail is the default
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(List.of(rec(9, null, 33))));
        assertTrue(e.getMessage().contains("behavior.on.null.values=fail"), e.getMessage());
    }

    @Test
    void tombstoneFailIsReportedThenFatalUnlessDropped() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "behavior.on.null.values", "fail");
        assertThrows(DataException.class, () -> task.put(List.of(rec(9, null, 33))));
        assertEquals(1, reporter.records.size());
        task.stop();

        reporter.records.clear();
        start(reporter, "behavior.on.null.values", "fail", "drop.invalid.message", "true");
        task.put(List.of(rec(9, null, 33), rec(10, doc("a", 1), 34)));
        task.flush(Map.of());
        assertEquals(1, reporter.records.size());
        assertEquals(33, reporter.records.get(0).kafkaOffset());
        assertEquals(List.of("10"), es.requests.get(0).ids());
    }

    // ---- write methods -------------------------------------------------------------------

    @Test
    void insertUsesExternalVersionAndTreatsVersionConflictAsSuccess() throws Exception {
        start();
        es.responder = req -> FakeElasticsearch.items(req,
                (i, a) -> i == 0 ? new Item(409, "version_conflict_engine_exception") : Item.ok());
        task.put(List.of(rec(1, doc("v", "old"), 100), rec(2, doc("v", "new"), 101)));
        task.flush(Map.of());

        assertEquals(1, es.requests.size(), "a 409 on an external-versioned action must not be retried");
        List<Action> actions = es.requests.get(0).actions();
        for (int i = 0; i < 2; i++) {
            Action a = actions.get(i);
            assertEquals("index", a.op());
            assertEquals(100 + i, a.meta().get("version").asLong());
            assertEquals("external", a.meta().get("version_type").asText());
        }
        assertEquals("old", actions.get(0).source().get("v").asText());
        // Fields are exactly the record's: nothing added.
        assertEquals(1, actions.get(0).source().size());
    }

    @Test
    void upsertSendsUpdateWithDocAsUpsertAndNoVersion() throws Exception {
        start("write.method", "upsert");
        task.put(List.of(rec(1, doc("v", "x", "n", 3), 100)));
        task.flush(Map.of());

        Action a = es.requests.get(0).actions().get(0);
        assertEquals("update", a.op());
        assertFalse(a.meta().has("version"));
        assertFalse(a.meta().has("version_type"));
        // Elasticsearch retries a racing update itself: min(max.in.flight.requests=5, 5).
        assertEquals(5, a.meta().get("retry_on_conflict").asInt());
        assertTrue(a.source().get("doc_as_upsert").asBoolean());
        assertEquals(FakeElasticsearch.MAPPER.readTree("{\"v\":\"x\",\"n\":3}"), a.source().get("doc"));
        assertEquals(2, a.source().size());
    }

    // ---- retries -------------------------------------------------------------------------

    @Test
    void retriesWholeRequestOn429And503ThenSucceeds() throws Exception {
        start("max.retries", "3");
        es.responder = req -> switch (req.number()) {
            case 1 -> new Reply(429, "{\"error\":{\"type\":\"es_rejected_execution_exception\"},\"status\":429}");
            case 2 -> new Reply(503, "{\"error\":{\"type\":\"unavailable_shards_exception\"},\"status\":503}");
            default -> FakeElasticsearch.allOk(req);
        };
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1)));
        task.flush(Map.of());

        assertEquals(3, es.requests.size());
        for (BulkRequest r : es.requests) {
            assertEquals(List.of("1", "2"), r.ids());
        }
    }

    /** Five records with keys 1..5 at offsets 0..4, sent as one batch on flush. */
    private static List<SinkRecord> fiveRecords() {
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            records.add(rec(i, doc("n", i), i - 1));
        }
        return records;
    }

    @Test
    void rejectedItemsOfA200AreResentAloneThenSucceed() throws Exception {
        // Elasticsearch answers 200 with items marked 429 when indexing pressure rises while the bulk
        // is on its way: only those items are re-sent, with the request's backoff and budget.
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "max.retries", "3");
        es.responder = req -> req.number() > 1 ? FakeElasticsearch.allOk(req) : FakeElasticsearch.items(req,
                (i, a) -> a.id().equals("2") || a.id().equals("4")
                        ? new Item(429, "es_rejected_execution_exception") : Item.ok());
        task.put(fiveRecords());
        task.flush(Map.of());

        assertEquals(2, es.requests.size());
        assertEquals(List.of("1", "2", "3", "4", "5"), es.requests.get(0).ids());
        assertEquals(List.of("2", "4"), es.requests.get(1).ids());
        // The same actions, versions included.
        List<Action> resent = es.requests.get(1).actions();
        assertEquals(List.of(1L, 3L), resent.stream().map(a -> a.meta().get("version").asLong()).toList());
        assertEquals(List.of(2, 4), resent.stream().map(a -> a.source().get("n").asInt()).toList());
        assertTrue(reporter.records.isEmpty(), "a retried item is not errant: " + reporter.records);
    }

    @Test
    void rejected503ItemsAreRetriedLike429Items() throws Exception {
        // A whole-request 503 is retried, so a 503 item is too; its budget is the request's.
        start("max.retries", "3");
        es.responder = req -> switch (req.number()) {
            case 1 -> FakeElasticsearch.items(req, (i, a) -> i == 1
                    ? new Item(503, "unavailable_shards_exception") : Item.ok());
            case 2 -> FakeElasticsearch.items(req, (i, a) -> new Item(429, "es_rejected_execution_exception"));
            default -> FakeElasticsearch.allOk(req);
        };
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1), rec(3, doc("a", 3), 2)));
        task.flush(Map.of());

        assertEquals(List.of(List.of("1", "2", "3"), List.of("2"), List.of("2")),
                es.requests.stream().map(BulkRequest::ids).toList());
    }

    @Test
    void rejectedItemsBeyondMaxRetriesFailTheTaskLikeAWholeRequest429() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "max.retries", "2");
        es.responder = req -> FakeElasticsearch.items(req,
                (i, a) -> a.id().equals("2") || a.id().equals("4")
                        ? new Item(429, "es_rejected_execution_exception") : Item.ok());
        task.put(fiveRecords());

        ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        // The whole-request case's message and count: 1 attempt + 2 retries, then the task fails.
        assertTrue(e.getMessage().contains("(5 actions) failed after 2 retries (max.retries=2)"), e.getMessage());
        assertTrue(e.getMessage().contains("es_rejected_execution_exception"), e.getMessage());
        assertEquals(List.of(List.of("1", "2", "3", "4", "5"), List.of("2", "4"), List.of("2", "4")),
                es.requests.stream().map(BulkRequest::ids).toList());
        // As with a whole-request 429, nothing goes to the errant record reporter, and the failure is sticky.
        assertTrue(reporter.records.isEmpty(), "reported: " + reporter.records);
        assertThrows(ConnectException.class, () -> task.put(List.of()));
    }

    @Test
    void rejectedItemsWithNoRetriesFailAtOnce() {
        start("max.retries", "0");
        es.responder = req -> FakeElasticsearch.items(req,
                (i, a) -> i == 0 ? new Item(429, "es_rejected_execution_exception") : Item.ok());
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1)));
        ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        assertTrue(e.getMessage().contains("failed after 0 retries (max.retries=0)"), e.getMessage());
        assertEquals(1, es.requests.size());
    }

    @Test
    void versionConflictItemsAreNotResentBesideARejectedItem() throws Exception {
        // A 409 on an externally versioned action stays a silent success and is not re-sent.
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "max.retries", "3");
        es.responder = req -> req.number() > 1 ? FakeElasticsearch.allOk(req) : FakeElasticsearch.items(req,
                (i, a) -> switch (i) {
                    case 0 -> new Item(409, "version_conflict_engine_exception");
                    case 2 -> new Item(429, "es_rejected_execution_exception");
                    default -> Item.ok();
                });
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1), rec(3, doc("a", 3), 2)));
        task.flush(Map.of());
        assertEquals(List.of(List.of("1", "2", "3"), List.of("3")),
                es.requests.stream().map(BulkRequest::ids).toList());
        assertTrue(reporter.records.isEmpty());
    }

    @Test
    void unversionedConflictItemIsReportedNotResentBesideARejectedItem() throws Exception {
        // An unversioned update's 409 stays reported and counted as written, and is not re-sent.
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "max.retries", "3", "write.method", "upsert");
        es.responder = req -> req.number() > 1 ? FakeElasticsearch.allOk(req) : FakeElasticsearch.items(req,
                (i, a) -> switch (i) {
                    case 0 -> new Item(409, "version_conflict_engine_exception");
                    case 2 -> new Item(429, "es_rejected_execution_exception");
                    default -> Item.ok();
                });
        task.put(List.of(rec(1, doc("a", 1), 10), rec(2, doc("a", 2), 11), rec(3, doc("a", 3), 12)));
        task.flush(Map.of());
        assertEquals(List.of(List.of("1", "2", "3"), List.of("3")),
                es.requests.stream().map(BulkRequest::ids).toList());
        assertEquals(List.of(10L), reporter.records.stream().map(SinkRecord::kafkaOffset).toList());
    }

    @Test
    void aFatalItemFailsTheBatchWithoutRetryingItsRejectedItems() {
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "max.retries", "5");
        es.responder = req -> FakeElasticsearch.items(req, (i, a) -> switch (i) {
            case 0 -> new Item(429, "es_rejected_execution_exception");
            case 1 -> new Item(400, "mapper_parsing_exception");
            default -> Item.ok();
        });
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1), rec(3, doc("a", 3), 2)));
        ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        assertTrue(e.getMessage().contains("mapper_parsing_exception"), e.getMessage());
        assertEquals(1, es.requests.size());
        assertEquals(List.of(1L), reporter.records.stream().map(SinkRecord::kafkaOffset).toList());
    }

    @Test
    void otherItemErrorsStillFailTheTaskWithoutResending() {
        // Only 429 and 503 items are retried; a 403 write block or a 500 is reported and fatal as before.
        for (Item failure : List.of(new Item(403, "cluster_block_exception"), new Item(500, "exception"))) {
            TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
            if (task != null) {
                task.stop();
            }
            es.requests.clear();
            start(reporter, "max.retries", "5");
            es.responder = req -> FakeElasticsearch.items(req, (i, a) -> i == 1 ? failure : Item.ok());
            task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1)));
            ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
            assertTrue(e.getMessage().contains(failure.errorType()), e.getMessage());
            assertEquals(1, es.requests.size(), failure.toString());
            assertEquals(List.of(1L), reporter.records.stream().map(SinkRecord::kafkaOffset).toList());
        }
    }

    @Test
    void laterActionsOnARejectedDocumentAreResentAfterIt() throws Exception {
        // Unversioned updates: re-sending only the rejected first update of key 1 would let it land
        // after the second, which Elasticsearch already applied. Both go again, in their order.
        start("max.retries", "3", "write.method", "upsert");
        es.responder = req -> req.number() > 1 ? FakeElasticsearch.allOk(req) : FakeElasticsearch.items(req,
                (i, a) -> i == 0 ? new Item(429, "es_rejected_execution_exception") : Item.ok());
        task.put(List.of(rec(1, doc("v", "a"), 0), rec(2, doc("v", "x"), 1), rec(1, doc("v", "b"), 2)));
        task.flush(Map.of());

        assertEquals(2, es.requests.size());
        List<Action> resent = es.requests.get(1).actions();
        assertEquals(List.of("1", "1"), es.requests.get(1).ids());
        assertEquals(List.of("a", "b"), resent.stream().map(a -> a.source().get("doc").get("v").asText()).toList());
    }

    @Test
    void rejectedItemsAreRetriedBeforeTheNextBatchGoes() throws Exception {
        // With max.in.flight.requests=1 one batch is in flight: the next waits for the retries.
        start("batch.size", "2", "max.in.flight.requests", "1", "max.retries", "3");
        es.responder = req -> req.number() > 1 ? FakeElasticsearch.allOk(req) : FakeElasticsearch.items(req,
                (i, a) -> i == 1 ? new Item(429, "es_rejected_execution_exception") : Item.ok());
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1), rec(3, doc("a", 3), 2),
                rec(4, doc("a", 4), 3)));
        task.flush(Map.of());
        assertEquals(List.of(List.of("1", "2"), List.of("2"), List.of("3", "4")),
                es.requests.stream().map(BulkRequest::ids).toList());
    }

    @Test
    void retriesExhaustedFailTheTask() {
        start("max.retries", "2");
        es.responder = req -> new Reply(503, "{\"error\":\"cluster down\"}");
        task.put(List.of(rec(1, doc("a", 1), 0)));

        ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        assertTrue(e.getMessage().contains("failed after 2 retries"), e.getMessage());
        assertTrue(e.getMessage().contains("cluster down"), "should carry ES's body: " + e.getMessage());
        assertEquals(3, es.requests.size(), "1 attempt + 2 retries");
        // Sticky: the next put() fails the task even if Connect rewound and carried on.
        assertThrows(ConnectException.class, () -> task.put(List.of()));
    }

    @Test
    void connectionRefusedIsRetriedThenFails() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        start("connection.url", "http://127.0.0.1:" + closedPort, "max.retries", "1");
        // The first record's index check (HEAD /orders) already needs Elasticsearch.
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(List.of(rec(1, doc("a", 1), 0))));
        assertTrue(e.getMessage().contains("ConnectException"), e.getMessage());
        assertTrue(e.getMessage().contains("after 1 retries"), e.getMessage());
    }

    @Test
    void readTimeoutIsRetried() throws Exception {
        CountDownLatch slow = latch(latchesToRelease);
        start("read.timeout.ms", "200", "max.retries", "2");
        es.responder = req -> {
            if (req.number() == 1) {
                slow.await(5, TimeUnit.SECONDS); // first answer arrives too late
            }
            return FakeElasticsearch.allOk(req);
        };
        task.put(List.of(rec(1, doc("a", 1), 0)));
        task.flush(Map.of());
        assertEquals(2, es.requests.size());
    }

    @Test
    void everyErrorStatusOfTheWholeRequestIsRetried() {
        // Confluent's client retries any failed request, a 400 or 401 as much as a 503.
        start("max.retries", "2");
        es.responder = req -> new Reply(400, "{\"error\":{\"type\":\"illegal_argument_exception\",\"reason\":\"bad\"}}");
        task.put(List.of(rec(1, doc("a", 1), 0)));
        ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        assertTrue(e.getMessage().contains("HTTP 400"), e.getMessage());
        assertEquals(3, es.requests.size());
    }

    @Test
    void unreadableAnswerIsRetried() throws Exception {
        start("max.retries", "2");
        es.responder = req -> req.number() == 1 ? new Reply(200, "not json") : FakeElasticsearch.allOk(req);
        task.put(List.of(rec(1, doc("a", 1), 0)));
        task.flush(Map.of());
        assertEquals(2, es.requests.size());
    }

    @Test
    void firstReachableUrlIsUsed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        start("connection.url", "http://127.0.0.1:" + closedPort + "," + es.url() + "/");
        task.put(List.of(rec(1, doc("a", 1), 0)));
        task.flush(Map.of());
        assertEquals(1, es.requests.size());
    }

    // ---- records at fault ----------------------------------------------------------------

    private static Reply mapperErrorOnSecond(BulkRequest req) {
        return FakeElasticsearch.items(req, (i, a) -> i == 1 ? new Item(400, "mapper_parsing_exception") : Item.ok());
    }

    @Test
    void item400WithoutReporterFailsTheTask() {
        start();
        es.responder = ElasticsearchSinkTaskTest::mapperErrorOnSecond;
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", "x"), 1)));
        ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        assertTrue(e.getMessage().contains("mapper_parsing_exception"), e.getMessage());
        assertEquals(1, es.requests.size(), "an item error is not retried");
    }

    @Test
    void reporterThatRefusesFailsTheTask() {
        // Connect's reporter throws when errors.tolerance=none; that must fail the task.
        ErrantRecordReporter refusing = (record, error) -> {
            throw new ConnectException("Tolerance exceeded in error handler");
        };
        start(refusing);
        es.responder = ElasticsearchSinkTaskTest::mapperErrorOnSecond;
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", "x"), 1)));
        assertThrows(ConnectException.class, () -> task.flush(Map.of()));
    }

    @Test
    void reporterFailureSurfacesOnFlush() {
        ErrantRecordReporter failing = (record, error) ->
                CompletableFuture.failedFuture(new RuntimeException("DLQ topic unavailable"));
        start(failing, "drop.invalid.message", "true");
        task.put(List.of(rec(null, doc("a", 1), 0)));
        ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        assertTrue(e.getMessage().contains("DLQ topic unavailable"), e.getMessage());
    }

    @Test
    void unconvertibleValueIsReportedThenDroppedOrFatal() {
        Map<String, Object> bad = doc("x", new Object());
        TestContext.RecordingReporter reporter = new TestContext.RecordingReporter();
        start(reporter, "drop.invalid.message", "true");
        task.put(List.of(rec(2, bad, 1), rec(3, doc("a", 1), 2)));
        task.flush(Map.of());
        assertEquals(1, reporter.records.size());
        assertEquals(List.of("3"), es.requests.get(0).ids());
        task.stop();

        start();
        assertThrows(DataException.class, () -> task.put(List.of(rec(1, bad, 0))));
    }

    @Test
    void nanIsWrittenAsAStringLikeJsonConverterDoes() throws Exception {
        start();
        task.put(List.of(rec(1, doc("score", Double.NaN), 0)));
        task.flush(Map.of());
        assertTrue(es.requests.get(0).rawBody().contains("{\"score\":\"NaN\"}"), es.requests.get(0).rawBody());
    }

    // ---- batching and flushing -----------------------------------------------------------

    @Test
    void batchSizeSplitsRequests() throws Exception {
        start("batch.size", "2", "max.in.flight.requests", "1");
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(rec(i, doc("n", i), i));
        }
        task.put(records);
        task.flush(Map.of());

        assertEquals(3, es.requests.size());
        assertEquals(List.of("0", "1"), es.requests.get(0).ids());
        assertEquals(List.of("2", "3"), es.requests.get(1).ids());
        assertEquals(List.of("4"), es.requests.get(2).ids());
    }

    @Test
    void lingerSendsAPartialBatchWithoutFlush() throws Exception {
        start("linger.ms", "20");
        task.put(List.of(rec(1, doc("a", 1), 0)));
        awaitRequests(1);
        assertEquals(List.of("1"), es.requests.get(0).ids());
    }

    @Test
    void flushBlocksUntilInFlightRequestsComplete() throws Exception {
        CountDownLatch release = latch(latchesToRelease);
        start("batch.size", "2");
        es.responder = req -> {
            release.await(10, TimeUnit.SECONDS);
            return FakeElasticsearch.allOk(req);
        };
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1))); // full batch: dispatched now
        awaitRequests(1);

        CompletableFuture<Void> flush = CompletableFuture.runAsync(() -> task.flush(Map.of()));
        Thread.sleep(300);
        assertFalse(flush.isDone(), "flush returned while a bulk request was still outstanding");

        release.countDown();
        flush.get(5, TimeUnit.SECONDS);
    }

    @Test
    void flushTimesOutWhenEsNeverAnswers() {
        CountDownLatch never = latch(latchesToRelease);
        start("flush.timeout.ms", "1000", "linger.ms", "1000", "read.timeout.ms", "10000");
        es.responder = req -> {
            never.await(10, TimeUnit.SECONDS);
            return FakeElasticsearch.allOk(req);
        };
        task.put(List.of(rec(1, doc("a", 1), 0)));
        ConnectException e = assertThrows(ConnectException.class, () -> task.flush(Map.of()));
        assertTrue(e.getMessage().contains("flush.timeout.ms"), e.getMessage());
    }

    @Test
    void singleInFlightRequestSendsBatchesInOrder() throws Exception {
        start("batch.size", "1", "max.in.flight.requests", "1");
        es.responder = req -> {
            Thread.sleep(30);
            return FakeElasticsearch.allOk(req);
        };
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1), rec(3, doc("a", 3), 2)));
        task.flush(Map.of());
        assertEquals(1, es.maxConcurrent());
        assertEquals(List.of("1", "2", "3"), es.requests.stream().map(r -> r.ids().get(0)).toList());
    }

    @Test
    void severalInFlightRequestsRunConcurrently() throws Exception {
        CountDownLatch bothArrived = new CountDownLatch(2);
        start("batch.size", "1", "max.in.flight.requests", "2");
        es.responder = req -> {
            bothArrived.countDown();
            // Each request is held until the other has arrived: only possible if they overlap.
            assertTrue(bothArrived.await(5, TimeUnit.SECONDS));
            return FakeElasticsearch.allOk(req);
        };
        task.put(List.of(rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1)));
        task.flush(Map.of());
        assertEquals(2, es.maxConcurrent());
    }

    @Test
    void putBlocksWhenMaxBufferedRecordsAreOutstanding() throws Exception {
        CountDownLatch release = latch(latchesToRelease);
        // max.buffered.records must be >= batch.size x max.in.flight.requests.
        start("batch.size", "1", "max.buffered.records", "2", "max.in.flight.requests", "2");
        es.responder = req -> {
            release.await(10, TimeUnit.SECONDS);
            return FakeElasticsearch.allOk(req);
        };
        CompletableFuture<Void> put = CompletableFuture.runAsync(() -> task.put(List.of(
                rec(1, doc("a", 1), 0), rec(2, doc("a", 2), 1), rec(3, doc("a", 3), 2))));
        Thread.sleep(300);
        assertFalse(put.isDone(), "put() should wait while 2 records are unacknowledged");
        release.countDown();
        put.get(5, TimeUnit.SECONDS);
        task.flush(Map.of());
        assertEquals(3, es.requests.size());
    }

    @Test
    void stopIsPromptWithARequestHanging() throws Exception {
        CountDownLatch never = latch(latchesToRelease);
        start("read.timeout.ms", "30000");
        es.responder = req -> {
            never.await(30, TimeUnit.SECONDS);
            return FakeElasticsearch.allOk(req);
        };
        task.put(List.of(rec(1, doc("a", 1), 0)));
        CompletableFuture.runAsync(() -> {
            try {
                task.flush(Map.of());
            } catch (ConnectException expected) {
                // stop() makes the pending flush fail, as it should
            }
        });
        awaitRequests(1);
        assertTimeoutPreemptively(Duration.ofSeconds(3), () -> task.stop());
        task = null;
    }

    // ---- value conversion ----------------------------------------------------------------

    @Test
    void structAndMapValuesSerialiseEqually() throws Exception {
        Schema address = SchemaBuilder.struct().field("city", Schema.STRING_SCHEMA)
                .field("zip", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema value = SchemaBuilder.struct()
                .field("id", Schema.INT64_SCHEMA)
                .field("total", Decimal.schema(2))
                .field("paid", Schema.BOOLEAN_SCHEMA)
                .field("ratio", Schema.FLOAT64_SCHEMA)
                .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
                .field("address", address)
                .field("blob", Schema.BYTES_SCHEMA)
                .field("createdAt", Timestamp.SCHEMA)
                .field("attrs", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
                .build();
        byte[] blob = "hi there".getBytes(StandardCharsets.UTF_8);
        java.util.Date created = new java.util.Date(1_700_000_000_123L);
        Struct struct = new Struct(value)
                .put("id", 5L)
                .put("total", new BigDecimal("12.50"))
                .put("paid", true)
                .put("ratio", 0.25)
                .put("tags", List.of("a", "b"))
                .put("address", new Struct(address).put("city", "Oslo").put("zip", null))
                .put("blob", blob)
                .put("createdAt", created)
                .put("attrs", Map.of("k", 1));
        Map<String, Object> map = doc(
                "id", 5L, "total", new BigDecimal("12.50"), "paid", true, "ratio", 0.25,
                "tags", List.of("a", "b"), "address", doc("city", "Oslo", "zip", null),
                "blob", blob, "createdAt", created, "attrs", Map.of("k", 1));

        start();
        task.put(List.of(new SinkRecord(TOPIC, 0, null, 1, value, struct, 0), rec(2, map, 1)));
        task.flush(Map.of());

        List<Action> actions = es.requests.get(0).actions();
        JsonNode fromStruct = actions.get(0).source();
        JsonNode fromMap = actions.get(1).source();
        assertEquals(fromStruct, fromMap);
        // Checked on the wire: the stub's own parser would read 12.50 back as a double.
        String raw = es.requests.get(0).rawBody();
        assertEquals(2, java.util.regex.Pattern.compile("\"total\":12\\.50[,}]").matcher(raw).results().count(),
                "decimal must be sent exactly, as a JSON number: " + raw);
        assertEquals(Base64.getEncoder().encodeToString(blob), fromStruct.get("blob").asText());
        assertEquals(1_700_000_000_123L, fromStruct.get("createdAt").asLong());
        assertTrue(fromStruct.get("address").get("zip").isNull());
        assertEquals(value.fields().size(), fromStruct.size());
    }

    @Test
    void decimalsAreWrittenPlainAndExact() throws Exception {
        start();
        task.put(List.of(rec(1, doc("a", new BigDecimal("1E+3"), "b", new BigDecimal("0.000100"),
                "c", new java.math.BigInteger("123456789012345678901234567890")), 0)));
        task.flush(Map.of());
        String raw = es.requests.get(0).rawBody();
        assertTrue(raw.contains("{\"a\":1000,\"b\":0.000100,\"c\":123456789012345678901234567890}"), raw);
    }

    @Test
    void stringValueIsSentAsAJsonStringNotParsed() throws Exception {
        // As JsonConverter writes it; Elasticsearch then rejects it as a malformed document.
        start();
        task.put(List.of(rec(1, "{\"a\":1}", 0)));
        task.flush(Map.of());
        assertTrue(es.requests.get(0).actions().get(0).source().isTextual());
        assertEquals("{\"a\":1}", es.requests.get(0).actions().get(0).source().asText());
    }

    @Test
    void manyRecordsAllArrive() throws Exception {
        // Several batches with retries sprinkled in; every record must be acknowledged exactly once at least.
        AtomicInteger seen = new AtomicInteger();
        start("batch.size", "50", "max.in.flight.requests", "3", "linger.ms", "5");
        es.responder = req -> {
            if (req.number() % 4 == 0) {
                return new Reply(503, "{}");
            }
            seen.addAndGet(req.actions().size());
            return FakeElasticsearch.allOk(req);
        };
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            records.add(rec(i, doc("n", i), i));
        }
        task.put(records.subList(0, 500));
        task.put(records.subList(500, 1000));
        task.flush(Map.of());
        assertEquals(1000, seen.get());
    }
}
