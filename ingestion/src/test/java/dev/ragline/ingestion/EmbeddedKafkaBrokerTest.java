package dev.ragline.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @Test
    void persistentBrokerKeepsTopicsAndMessagesAcrossRestart(@TempDir Path dir) {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0)) {
            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
            broker.createTopic("t", 2);
            broker.createTopic("t", 2); // an existing topic is no error
            KafkaTestSupport.produce(broker.bootstrapServers(), "t", List.of(Map.entry("k1", "hello"), Map.entry("k2", "world")));
        }
        assertThat(dir.resolve("kafka-logs/meta.properties")).exists();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0)) {
            var values = KafkaTestSupport.readFromStart(broker.bootstrapServers(), "t", 2, Duration.ofSeconds(20)).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
            assertThat(values).containsExactlyInAnyOrder("hello", "world");
        }
    }

    @Test
    void temporaryBrokerDeletesItsDataAndATakenPortIsAClearError() {
        Path data;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            data = broker.dataDir();
            assertThat(Files.isDirectory(data)).isTrue();
            assertThatThrownBy(() -> EmbeddedKafkaBroker.start(data.resolve("second"), broker.port()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("did not start");
        }
        assertThat(data).doesNotExist();
    }
}
