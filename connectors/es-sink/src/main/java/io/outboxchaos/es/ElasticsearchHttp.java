package io.outboxchaos.es;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin wrapper over the JDK HttpClient: basic auth, timeouts, picking a reachable base URL from the
 * configured list and moving on to the next one after a connection failure.
 */
class ElasticsearchHttp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchHttp.class);

    static final String PRODUCT_HEADER = "X-Elastic-Product";

    /** What OpenSearch's root endpoint says of itself; its answers carry no product header. */
    private static final Pattern OPENSEARCH = Pattern.compile("\"distribution\"\\s*:\\s*\"opensearch\"");

    /** Status and body of one HTTP exchange. */
    static final class Response {
        final int status;
        final byte[] body;

        Response(int status, byte[] body) {
            this.status = status;
            this.body = body;
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }

        String excerpt() {
            return ElasticsearchHttp.excerpt(body);
        }
    }

    private final List<String> urls;
    /** Null: no limit (read.timeout.ms=0). */
    private final Duration readTimeout;
    /** Null: no basic auth. */
    private final String authorization;
    private final ExecutorService clientExecutor;
    private final HttpClient client;
    /** Index into urls of the one currently used. */
    private final AtomicInteger current = new AtomicInteger();
    /** Base URLs whose root endpoint said OpenSearch: the same REST API, without Elastic's product header. */
    private final Set<String> openSearchBases = ConcurrentHashMap.newKeySet();

    ElasticsearchHttp(List<String> urls, int connectTimeoutMs, int readTimeoutMs, String username, String password) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no Elasticsearch URL configured");
        }
        this.urls = List.copyOf(urls);
        // 0 means "no timeout", as with the Apache client Confluent uses; the JDK wants a positive value or none.
        this.readTimeout = readTimeoutMs > 0 ? Duration.ofMillis(readTimeoutMs) : null;
        this.authorization = username != null && password != null
                ? "Basic " + Base64.getEncoder().encodeToString(
                        (username + ":" + password).getBytes(StandardCharsets.UTF_8))
                : null;
        // Own executor so stop() can release the client's threads on JDKs without HttpClient.close().
        AtomicInteger n = new AtomicInteger();
        this.clientExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "es-sink-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(clientExecutor);
        if (connectTimeoutMs > 0) {
            b.connectTimeout(Duration.ofMillis(connectTimeoutMs));
        }
        this.client = b.build();
    }

    /**
     * With several URLs, probe them in order and settle on the first that answers at all. With
     * none reachable we keep the first and let the normal retry path deal with it.
     */
    void selectReachable() throws InterruptedException {
        if (urls.size() < 2) {
            return;
        }
        for (int i = 0; i < urls.size(); i++) {
            try {
                HttpResponse<Void> res = client.send(request(urls.get(i) + "/").GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                current.set(i);
                log.info("Using Elasticsearch at {} (HTTP {} on probe)", urls.get(i), res.statusCode());
                return;
            } catch (IOException e) {
                log.warn("Elasticsearch URL {} not reachable: {}", urls.get(i), e.toString());
            }
        }
        current.set(0);
        log.warn("None of {} answered; starting with {} and relying on retries", urls, urls.get(0));
    }

    String currentUrl() {
        return urls.get(current.get());
    }

    List<String> urls() {
        return urls;
    }

    Response post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return send("POST", path, contentType, body);
    }

    /**
     * Sends one request to the current URL. On an I/O failure the next URL becomes current. A 2xx
     * answer without "X-Elastic-Product: Elasticsearch" is a failure too: Confluent's client (the
     * Elasticsearch Java client, 16.0) refuses such answers, as they come from something that is not
     * Elasticsearch or from a proxy that drops headers. OpenSearch, which never sends it, is recognised by its
     * root endpoint instead.
     */
    Response send(String method, String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        int idx = current.get();
        String base = urls.get(idx);
        HttpRequest.Builder b = request(base + path);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> res;
        try {
            res = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            if (urls.size() > 1) {
                int next = (idx + 1) % urls.size();
                // Only the first thread to notice moves the pointer; others reuse its choice.
                if (current.compareAndSet(idx, next)) {
                    log.warn("Request to {} failed ({}); switching to {}", base, e.toString(), urls.get(next));
                }
            }
            throw new RequestFailedException(method + " " + base + path + " failed: " + BulkWriter.describe(e), e);
        }
        int status = res.statusCode();
        if (status >= 200 && status < 300) {
            String product = res.headers().firstValue(PRODUCT_HEADER).orElse(null);
            if (!"Elasticsearch".equals(product) && !isOpenSearch(base)) {
                throw new RequestFailedException(method + " " + base + path + ": HTTP " + status + " without "
                        + PRODUCT_HEADER + ": Elasticsearch (got " + product + "); is this Elasticsearch, and does "
                        + "every proxy on the way keep that header?", null);
            }
        }
        return new Response(status, res.body());
    }

    /**
     * Whether the server at base is OpenSearch (asked once per base, on its first answer without the header).
     * Its REST API for what the sink does (_bulk, index existence and mappings) is Elasticsearch's 7.x one.
     */
    private boolean isOpenSearch(String base) throws InterruptedException {
        if (openSearchBases.contains(base)) {
            return true;
        }
        try {
            HttpResponse<String> r = client.send(request(base + "/").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && OPENSEARCH.matcher(r.body()).find()) {
                openSearchBases.add(base);
                log.info("{} is OpenSearch: its answers are accepted without {}", base, PRODUCT_HEADER);
                return true;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private HttpRequest.Builder request(String uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri));
        if (readTimeout != null) {
            b.timeout(readTimeout);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    /** An I/O failure (refused, reset, timed out) annotated with the URL it happened on. */
    static final class RequestFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        RequestFailedException(String message, IOException cause) {
            super(message, cause);
        }
    }

    @Override
    public void close() {
        // JDK 21+ can shut the client down at once; on 17 its selector thread exits once unreferenced.
        try {
            HttpClient.class.getMethod("shutdownNow").invoke(client);
        } catch (NoSuchMethodException e) {
            // older JDK: nothing more to do
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("HttpClient shutdownNow failed", e);
        }
        clientExecutor.shutdownNow();
    }

    static String excerpt(byte[] body) {
        if (body == null || body.length == 0) {
            return "<empty body>";
        }
        String s = new String(body, 0, Math.min(body.length, 2048), StandardCharsets.UTF_8);
        s = s.replaceAll("\\s+", " ").trim();
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
