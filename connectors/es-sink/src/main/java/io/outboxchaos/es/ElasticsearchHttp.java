package io.outboxchaos.es;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin wrapper over the JDK HttpClient: picks a reachable base URL from the configured list and
 * moves on to the next one after a connection failure.
 */
class ElasticsearchHttp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchHttp.class);

    /** Status and body of one HTTP exchange. */
    static final class Response {
        final int status;
        final byte[] body;

        Response(int status, byte[] body) {
            this.status = status;
            this.body = body;
        }

        String excerpt() {
            return ElasticsearchHttp.excerpt(body);
        }
    }

    private final List<String> urls;
    private final Duration readTimeout;
    private final ExecutorService clientExecutor;
    private final HttpClient client;
    /** Index into urls of the one currently used. */
    private final AtomicInteger current = new AtomicInteger();

    ElasticsearchHttp(List<String> urls, int connectTimeoutMs, int readTimeoutMs) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no Elasticsearch URL configured");
        }
        this.urls = List.copyOf(urls);
        this.readTimeout = Duration.ofMillis(readTimeoutMs);
        // Own executor so stop() can release the client's threads on JDKs without HttpClient.close().
        AtomicInteger n = new AtomicInteger();
        this.clientExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "es-sink-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(connectTimeoutMs))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(clientExecutor)
                .build();
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
                HttpRequest req = HttpRequest.newBuilder(URI.create(urls.get(i) + "/"))
                        .timeout(readTimeout).GET().build();
                HttpResponse<Void> res = client.send(req, HttpResponse.BodyHandlers.discarding());
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

    /** POSTs body to path on the current URL. On IOException the next URL becomes current. */
    Response post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        int idx = current.get();
        String base = urls.get(idx);
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(readTimeout)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<byte[]> res = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(res.statusCode(), res.body());
        } catch (IOException e) {
            if (urls.size() > 1) {
                int next = (idx + 1) % urls.size();
                // Only the first thread to notice moves the pointer; others reuse its choice.
                if (current.compareAndSet(idx, next)) {
                    log.warn("Request to {} failed ({}); switching to {}", base, e.toString(), urls.get(next));
                }
            }
            throw new RequestFailedException("POST " + base + path + " failed: " + BulkWriter.describe(e), e);
        }
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
