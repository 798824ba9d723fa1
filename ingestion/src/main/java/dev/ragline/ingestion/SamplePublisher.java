package dev.ragline.ingestion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jsoup.Jsoup;

/**
 * Publishes document events to the ingestion topic, for teams without a producer of their own: single
 * events (the service's {@code POST} of a document uses this), a directory of files, or the built-in sample
 * corpus (about 20 short documents on a fictional product, written for this project).
 *
 * <pre>java -cp … dev.ragline.ingestion.SamplePublisher [--bootstrap 127.0.0.1:9092] [--topic ragline.documents] [--remove-sample-corpus | DIR]</pre>
 */
public final class SamplePublisher implements AutoCloseable {
    private static final String CORPUS = "/dev/ragline/ingestion/sample-corpus/";
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public SamplePublisher(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, Map.of());
    }

    /** @param clientOverrides extra producer properties (security and so on) */
    public SamplePublisher(String bootstrapServers, String topic, Map<String, String> clientOverrides) {
        this.topic = Objects.requireNonNull(topic, "topic");
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putAll(clientOverrides);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Publishes one event (a delete as a tombstone) and waits until the broker has it. */
    public RecordMetadata publish(DocumentEvent event) {
        return await(send(event));
    }

    /** Publishes the events in order and waits for all of them. Returns how many were published. */
    public int publishAll(List<DocumentEvent> events) {
        List<Future<RecordMetadata>> sent = events.stream().map(this::send).toList();
        sent.forEach(SamplePublisher::await);
        return sent.size();
    }

    public int publishSampleCorpus() {
        return publishAll(sampleCorpus());
    }

    public int publishDirectory(Path dir) {
        return publishAll(readDirectory(dir));
    }

    private Future<RecordMetadata> send(DocumentEvent event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, event.id(), event.toValue());
        if (event.isDelete() && event.hasKnownVersion())
            record.headers().add(DocumentEvent.VERSION_HEADER, String.valueOf(event.version()).getBytes(StandardCharsets.UTF_8));
        record.headers().add(DocumentEvent.TENANT_HEADER, event.tenant().name().getBytes(StandardCharsets.UTF_8));
        // The key decides the partition with the Java client's murmur2 partitioner; other producers must match it.
        return producer.send(record);
    }

    private static RecordMetadata await(Future<RecordMetadata> future) {
        try {
            return future.get(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish to Kafka: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(SEND_TIMEOUT);
    }

    /** Metadata key and value that every sample-corpus document carries. */
    public static final String SAMPLE_SOURCE_KEY = "source", SAMPLE_SOURCE = "sample-corpus";

    /**
     * The built-in sample corpus as events (version 1, metadata {@code source=sample-corpus} plus the
     * {@code key=value} pairs after the file name in {@code index.txt}, such as {@code intent=pair_app}).
     */
    public static List<DocumentEvent> sampleCorpus() {
        List<DocumentEvent> events = new ArrayList<>();
        for (String line : indexLines()) {
            String[] parts = line.split("\\s+");
            Map<String, String> metadata = new java.util.LinkedHashMap<>();
            metadata.put(SAMPLE_SOURCE_KEY, SAMPLE_SOURCE);
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0 || eq == parts[i].length() - 1)
                    throw new IllegalStateException("sample corpus index.txt: expected key=value, got '" + parts[i] + "' in '" + line + "'");
                String key = parts[i].substring(0, eq);
                if (key.equals(SAMPLE_SOURCE_KEY))
                    throw new IllegalStateException("sample corpus index.txt: '" + SAMPLE_SOURCE_KEY + "' is set for every document");
                metadata.put(key, parts[i].substring(eq + 1));
            }
            events.add(fileEvent(parts[0], resource(parts[0]), 1, metadata));
        }
        return events;
    }

    /** The document ids of the built-in sample corpus (its file names). */
    public static List<String> sampleCorpusIds() {
        return indexLines().stream().map(l -> l.split("\\s+")[0]).toList();
    }

    /**
     * Removes the built-in sample corpus from the index: publishes a tombstone for every sample-corpus id
     * (the consumer deletes those documents; ids that were never published are a no-op). Returns how many.
     */
    public int removeSampleCorpus() {
        return publishAll(sampleCorpusIds().stream().map(DocumentEvent::delete).toList());
    }

    private static List<String> indexLines() {
        return resource("index.txt").lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /**
     * Every regular file in the directory (not recursive, sorted by name) as an upsert: id = file name,
     * content type from the extension (.md, .html, else plain text), version = last-modified time in
     * milliseconds (so an edited file supersedes the published one), metadata {@code source=<file name>}.
     */
    public static List<DocumentEvent> readDirectory(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<DocumentEvent> events = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String body = Files.readString(file, StandardCharsets.UTF_8);
                if (body.isBlank()) continue;
                String name = file.getFileName().toString();
                events.add(fileEvent(name, body, Files.getLastModifiedTime(file).toMillis(), Map.of("source", name)));
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read documents from " + dir, e);
        }
    }

    private static DocumentEvent fileEvent(String name, String body, long version, Map<String, String> metadata) {
        ContentType type = ContentType.fromFileName(name);
        return DocumentEvent.upsert(name, titleOf(type, body, name), body, type, metadata, version);
    }

    /** The first Markdown heading, the HTML title, or the first line of plain text. */
    static String titleOf(ContentType type, String body, String fallback) {
        String title = switch (type) {
            case MARKDOWN -> body.lines().map(String::strip).filter(l -> l.startsWith("#"))
                    .map(l -> l.replaceFirst("^#+\\s*", "")).findFirst().orElse("");
            case HTML -> Jsoup.parse(body).title();
            case PLAIN_TEXT -> body.strip().lines().findFirst().orElse("");
        };
        title = title.strip();
        return title.isEmpty() ? fallback : title;
    }

    private static String resource(String name) {
        try (InputStream in = SamplePublisher.class.getResourceAsStream(CORPUS + name)) {
            if (in == null) throw new IllegalStateException("sample corpus file missing: " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        String bootstrap = "127.0.0.1:9092";
        String topic = IngestionConfig.DEFAULT_TOPIC;
        Path dir = null;
        boolean remove = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--topic" -> topic = args[++i];
                case "--remove-sample-corpus" -> remove = true;
                case "-h", "--help" -> {
                    System.out.println("usage: SamplePublisher [--bootstrap HOST:PORT] [--topic TOPIC] [--remove-sample-corpus | DIRECTORY]");
                    System.out.println("publishes every file of DIRECTORY, or the built-in sample corpus;");
                    System.out.println("--remove-sample-corpus publishes tombstones that delete the sample corpus's documents");
                    return;
                }
                default -> dir = Path.of(args[i]);
            }
        }
        if (remove && dir != null) throw new IllegalArgumentException("--remove-sample-corpus takes no directory");
        try (SamplePublisher publisher = new SamplePublisher(bootstrap, topic)) {
            if (remove) {
                System.out.println("published " + publisher.removeSampleCorpus() + " tombstones (sample corpus removed) to " + topic + " at " + bootstrap);
                return;
            }
            int count = dir == null ? publisher.publishSampleCorpus() : publisher.publishDirectory(dir);
            System.out.println("published " + count + " documents to " + topic + " at " + bootstrap);
        }
    }
}
