package io.outboxchaos.es;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** Scripted stand-in for Elasticsearch's _bulk endpoint on 127.0.0.1 (ephemeral port). */
final class FakeElasticsearch implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** One parsed bulk action: op is index/update/delete/create. */
    record Action(String op, ObjectNode meta, JsonNode source) {
        String id() {
            return meta.path("_id").asText();
        }
    }

    record BulkRequest(int number, String method, String path, String contentType, List<Action> actions,
                       String rawBody, String authorization) {
        List<String> ids() {
            return actions.stream().map(Action::id).toList();
        }
    }

    record Reply(int status, String body) {
    }

    /** Per-item outcome for {@link #items}. */
    record Item(int status, String errorType, String causedBy) {
        Item(int status, String errorType) {
            this(status, errorType, null);
        }

        static Item ok() {
            return new Item(201, null);
        }
    }

    @FunctionalInterface
    interface Responder {
        Reply respond(BulkRequest request) throws Exception;
    }

    @FunctionalInterface
    interface ItemScript {
        Item outcome(int index, Action action);
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger requestCounter = new AtomicInteger();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    /** Every request that is not a _bulk: "METHOD /path", in arrival order. */
    record AdminRequest(String method, String path, String authorization) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    final List<BulkRequest> requests = new CopyOnWriteArrayList<>();
    final List<AdminRequest> adminRequests = new CopyOnWriteArrayList<>();
    volatile Responder responder = FakeElasticsearch::allOk;
    /** Indices that exist (HEAD answers 200); null: every index exists. */
    volatile Set<String> existingIndices;
    /** Indices whose GET _mapping answers an empty mapping; others have a "properties" mapping. */
    final Set<String> unmappedIndices = ConcurrentHashMap.newKeySet();
    /** The root endpoint's body (OpenSearch's says "distribution" : "opensearch"). */
    volatile String rootBody = "{\"tagline\":\"fake\",\"version\":{\"number\":\"9.2.0\"}}";
    /** Value of X-Elastic-Product on answers; null leaves the header out. */
    volatile String productHeader = "Elasticsearch";
    /** Status of GET / (the connection check of validate()). */
    volatile int rootStatus = 200;

    FakeElasticsearch() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-es");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int maxConcurrent() {
        return maxConcurrent.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!ex.getRequestURI().getPath().endsWith("/_bulk")) {
                adminRequests.add(new AdminRequest(ex.getRequestMethod(), ex.getRequestURI().getPath(), auth));
                send(ex, admin(ex.getRequestMethod(), ex.getRequestURI().getPath()));
                return;
            }
            BulkRequest req = new BulkRequest(requestCounter.incrementAndGet(), ex.getRequestMethod(),
                    ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Content-Type"), parse(body),
                    new String(body, StandardCharsets.UTF_8), auth);
            requests.add(req);
            Reply reply;
            try {
                reply = responder.respond(req);
            } catch (Exception e) {
                reply = new Reply(500, "{\"error\":\"stub threw " + e + "\"}");
            }
            send(ex, reply);
        } finally {
            concurrent.decrementAndGet();
        }
    }

    /** Index existence, creation and mappings, and the root endpoint. */
    private Reply admin(String method, String path) {
        if (path.equals("/")) {
            return new Reply(rootStatus, rootBody);
        }
        String[] parts = path.substring(1).split("/");
        String index = parts[0];
        Set<String> existing = existingIndices;
        if (parts.length == 1 && method.equals("HEAD")) {
            return new Reply(existing == null || existing.contains(index) ? 200 : 404, "");
        }
        if (parts.length == 1 && method.equals("PUT")) {
            if (existing != null) {
                existing.add(index);
            }
            return new Reply(200, "{\"acknowledged\":true,\"index\":\"" + index + "\"}");
        }
        if (parts.length == 2 && parts[1].equals("_mapping") && method.equals("GET")) {
            String mappings = unmappedIndices.contains(index) ? "{}" : "{\"properties\":{\"a\":{\"type\":\"long\"}}}";
            return new Reply(200, "{\"" + index + "\":{\"mappings\":" + mappings + "}}");
        }
        return new Reply(400, "{\"error\":\"fake does not know " + method + " " + path + "\"}");
    }

    private void send(HttpExchange ex, Reply reply) throws IOException {
        byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (productHeader != null) {
            ex.getResponseHeaders().set("X-Elastic-Product", productHeader);
        }
        boolean noBody = out.length == 0 || ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(reply.status(), noBody ? -1 : out.length);
        try (OutputStream os = ex.getResponseBody()) {
            if (!noBody) {
                os.write(out);
            }
        }
    }

    static List<Action> parse(byte[] body) throws IOException {
        List<Action> actions = new ArrayList<>();
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            ObjectNode line = (ObjectNode) MAPPER.readTree(lines[i]);
            Iterator<Map.Entry<String, JsonNode>> it = line.properties().iterator();
            Map.Entry<String, JsonNode> e = it.next();
            String op = e.getKey();
            JsonNode source = null;
            if (!op.equals("delete")) {
                source = MAPPER.readTree(lines[++i]);
            }
            actions.add(new Action(op, (ObjectNode) e.getValue(), source));
        }
        return actions;
    }

    static Reply allOk(BulkRequest req) {
        return items(req, (i, a) -> Item.ok());
    }

    /** Builds a realistic bulk response with one result per action. */
    static Reply items(BulkRequest req, ItemScript script) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("took", 1);
        ArrayNode items = root.putArray("items");
        boolean errors = false;
        for (int i = 0; i < req.actions().size(); i++) {
            Action a = req.actions().get(i);
            Item outcome = script.outcome(i, a);
            ObjectNode result = MAPPER.createObjectNode();
            result.put("_index", a.meta().path("_index").asText());
            result.put("_id", a.id());
            result.put("status", outcome.status());
            if (outcome.errorType() != null) {
                errors = true;
                ObjectNode err = result.putObject("error");
                err.put("type", outcome.errorType());
                err.put("reason", "scripted " + outcome.errorType());
                if (outcome.causedBy() != null) {
                    err.putObject("caused_by").put("type", outcome.causedBy()).put("reason", "scripted cause");
                }
            } else if (outcome.status() >= 300) {
                errors = true; // e.g. delete not_found carries no error object
                result.put("result", "not_found");
            } else {
                result.put("result", a.op().equals("delete") ? "deleted" : "created");
            }
            items.addObject().set(a.op(), result);
        }
        root.put("errors", errors);
        return new Reply(200, root.toString());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
