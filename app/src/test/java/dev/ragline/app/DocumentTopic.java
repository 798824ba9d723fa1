package dev.ragline.app;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** A plain Kafka producer, the way an upstream service publishes documents (JSON value, key = document id). */
final class DocumentTopic implements AutoCloseable {
    private final KafkaProducer<String, String> producer;
    private final String topic;

    DocumentTopic(String bootstrapServers, String topic) {
        this.topic = topic;
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    void send(String key, String jsonOrNull) {
        try {
            producer.send(new ProducerRecord<>(topic, key, jsonOrNull)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("could not publish " + key, e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
