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
                       String rawBody) {
        List<String> ids() {
            return actions.stream().map(Action::id).toList();
        }
    }

    record Reply(int status, String body) {
    }

    /** Per-item outcome for {@link #items}. */
    record Item(int status, String errorType) {
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
    final List<BulkRequest> requests = new CopyOnWriteArrayList<>();
    volatile Responder responder = FakeElasticsearch::allOk;

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
            if (!ex.getRequestURI().getPath().endsWith("/_bulk")) {
                send(ex, new Reply(200, "{\"tagline\":\"fake\"}"));
                return;
            }
            BulkRequest req = new BulkRequest(requestCounter.incrementAndGet(), ex.getRequestMethod(),
                    ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Content-Type"), parse(body),
                    new String(body, StandardCharsets.UTF_8));
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

    private static void send(HttpExchange ex, Reply reply) throws IOException {
        byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
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
