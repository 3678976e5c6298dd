package io.outboxchaos.es;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
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
        try {
            // Parse once here so a bad config fails the connector, not each task separately.
            new ElasticsearchSinkConnectorConfig(props);
        } catch (ConfigException e) {
            throw new ConnectException("Invalid configuration for Elasticsearch sink: " + e.getMessage(), e);
        }
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
}
