package dev.ragline.app.bench;

import dev.ragline.core.ChunkStore;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.ingestion.DocumentEvent;
import dev.ragline.ingestion.DocumentIndexer;
import dev.ragline.ingestion.EmbeddedKafkaBroker;
import dev.ragline.ingestion.IngestionConfig;
import dev.ragline.ingestion.IngestionObserver;
import dev.ragline.ingestion.KafkaIngestionConsumer;
import dev.ragline.ingestion.SamplePublisher;
import dev.ragline.ingestion.TokenAwareSplitter;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * End-to-end ingestion throughput with the real parts: events produced to an in-process Kafka broker until
 * every chunk is searchable in the Lucene store, embedded by the ONNX encoder on CPU. Prints events/s and
 * chunks/s per encoder model, measured one after the other in the same JVM.
 *
 * <pre>./mvnw -B -q -pl app -am verify -DskipTests -Pbench-e2e -Dbench.args="5"</pre>
 * The argument is how many copies of the 21-document sample corpus to ingest (default 5).
 */
public final class EndToEndIngestionBenchmark {

    public static void main(String[] args) throws Exception {
        int copies = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<String> models = args.length > 1 ? List.of(args[1].split(",")) : List.of("bge-small-en-v1.5", "bge-small-en-v1.5-q");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            System.out.printf("%-22s %8s %8s %10s %10s %10s%n", "encoder", "events", "chunks", "seconds", "events/s", "chunks/s");
            for (String model : models) run(broker, model, copies);
        }
        System.exit(0);
    }

    private static void run(EmbeddedKafkaBroker broker, String model, int copies) throws Exception {
        String topic = "bench-" + model.replaceAll("\\W", "") + "-" + System.nanoTime();
        broker.createTopic(topic, 3);
        try (OnnxEncoder encoder = Encoders.open(EncoderConfig.of(model));
             ChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(
                     Files.createTempDirectory("ragline-bench-lucene-"), encoder.dimension()))) {
            var splitter = TokenAwareSplitter.forEncoder(encoder, 256, 32);
            List<DocumentEvent> events = new ArrayList<>();
            long expectedChunks = 0;
            for (int copy = 0; copy < copies; copy++) {
                for (DocumentEvent sample : SamplePublisher.sampleCorpus()) {
                    var event = DocumentEvent.upsert(copy + "-" + sample.id(), sample.title(), sample.text(),
                            sample.contentType(), sample.metadata(), 1);
                    expectedChunks += new DocumentIndexer(encoder, store, splitter).prepare(event).chunks().size();
                    events.add(event);
                }
            }
            encoder.embedPassages(List.of("warm up the encoder before timing"));
            var config = IngestionConfig.defaults(broker.bootstrapServers()).withTopic(topic, topic + ".dlq")
                    .withGroupId(topic);
            long start = System.nanoTime();
            try (var publisher = new SamplePublisher(broker.bootstrapServers(), topic);
                 var consumer = new KafkaIngestionConsumer(config, new DocumentIndexer(encoder, store, splitter),
                         IngestionObserver.NONE)) {
                consumer.start();
                publisher.publishAll(events);
                while (store.count() < expectedChunks) {
                    if (consumer.failure().isPresent()) throw new IllegalStateException(consumer.failure().get());
                    Thread.sleep(50);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-22s %8d %8d %10.1f %10.2f %10.2f%n", model, events.size(), expectedChunks, seconds,
                    events.size() / seconds, expectedChunks / seconds);
        }
    }
}
