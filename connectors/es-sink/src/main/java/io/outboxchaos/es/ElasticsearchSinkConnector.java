package io.outboxchaos.es;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sink connector that writes Kafka records into Elasticsearch via the _bulk API. */
public class ElasticsearchSinkConnector extends SinkConnector {
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchSinkConnector.class);

    private Map<String, String> configProps;

    @Override
    public String version() {
        return Version.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        ElasticsearchSinkConnectorConfig config;
        try {
            // Parse once here so a bad config fails the connector, not each task separately.
            config = new ElasticsearchSinkConnectorConfig(props);
        } catch (ConfigException e) {
            throw new ConnectException("Invalid configuration for Elasticsearch sink: " + e.getMessage(), e);
        }
        config.ignoredKeyWarnings().forEach(log::warn);
        configProps = new HashMap<>(props);
        log.info("Starting Elasticsearch sink connector {}", Version.VERSION);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ElasticsearchSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        // Tasks are identical; Connect spreads topic partitions across them.
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            configs.add(new HashMap<>(configProps));
        }
        return configs;
    }

    @Override
    public void stop() {
        log.info("Stopping Elasticsearch sink connector");
    }

    @Override
    public ConfigDef config() {
        return ElasticsearchSinkConnectorConfig.CONFIG_DEF;
    }

    /**
     * What Connect runs before it accepts a config (PUT /connectors/.../config). As in Confluent's
     * Validator: per-key checks first; if those pass, the refused keys and cross-key rules; if those
     * pass too, a request to Elasticsearch with the configured URLs and credentials.
     */
    @Override
    public Config validate(Map<String, String> props) {
        Config result = super.validate(props);
        Map<String, ConfigValue> values = result.configValues().stream()
                .collect(Collectors.toMap(ConfigValue::name, Function.identity()));
        if (hasErrors(result)) {
            return result;
        }
        for (ElasticsearchSinkConnectorConfig.Problem p : ElasticsearchSinkConnectorConfig.problems(props)) {
            values.get(p.key).addErrorMessage(p.message);
        }
        if (hasErrors(result)) {
            return result;
        }
        String failure = checkConnection(new ElasticsearchSinkConnectorConfig(props));
        if (failure != null) {
            values.get(ElasticsearchSinkConnectorConfig.CONNECTION_URL)
                    .addErrorMessage("Could not connect to Elasticsearch. " + failure);
            if (props.containsKey(ElasticsearchSinkConnectorConfig.CONNECTION_USERNAME)) {
                String m = "Could not authenticate the user. Check the 'connection.username' and "
                        + "'connection.password'. " + failure;
                values.get(ElasticsearchSinkConnectorConfig.CONNECTION_USERNAME).addErrorMessage(m);
                values.get(ElasticsearchSinkConnectorConfig.CONNECTION_PASSWORD).addErrorMessage(m);
            }
        }
        return result;
    }

    /**
     * Null when some URL answers GET / with 2xx, or with 403 (Elasticsearch is there, the user may
     * just lack the monitor privilege, which Confluent accepts too); else what went wrong. A 405 on GET /
     * falls back to GET /_cluster/health.
     */
    static String checkConnection(ElasticsearchSinkConnectorConfig config) {
        List<String> failures = new ArrayList<>();
        for (String url : config.connectionUrls()) {
            try (ElasticsearchHttp http = new ElasticsearchHttp(List.of(url), config.connectionTimeoutMs(),
                    config.readTimeoutMs(), config.username(), config.password())) {
                ElasticsearchHttp.Response r = http.send("GET", "/", null, null);
                if (r.status == 405) {
                    // A distribution without the root handler (Elasticsearch's integration-test zip answers
                    // GET / with 405): cluster health proves the same, that Elasticsearch answers here.
                    r = http.send("GET", "/_cluster/health", null, null);
                }
                if (r.ok() || r.status == 403) {
                    return null;
                }
                failures.add(url + ": HTTP " + r.status + " " + r.excerpt());
            } catch (IOException e) {
                failures.add(url + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(url + ": interrupted");
                break;
            }
        }
        return "Error message: " + String.join("; ", failures);
    }

    private static boolean hasErrors(Config c) {
        return c.configValues().stream().anyMatch(v -> !v.errorMessages().isEmpty());
    }
}
