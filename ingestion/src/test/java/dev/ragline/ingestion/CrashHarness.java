package dev.ragline.ingestion;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.Encoder;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.InMemoryChunkStore;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Shared by the crash tests (here and the service's, in the app module) and the recovery benchmark: forked indexer
 * processes, a workload, its expected end state, committed offsets.
 */
public final class CrashHarness {
    private CrashHarness() {
    }

    /** Starts {@link IngestionWorkerMain} in a new JVM (same class path), output appended to {@code log}. */
    static Process startWorker(Path log, String bootstrap, String topic, String group, String instance, String store,
                               String... jvmArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        command.addAll(List.of(jvmArgs));
        command.add("-cp");
        command.add(classPath());
        command.add(IngestionWorkerMain.class.getName());
        command.addAll(List.of(bootstrap, topic, group, instance, store));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** SIGKILL, and wait for the process to be gone. */
    static void kill9(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * {@code documents} new documents, then {@code changes} updates, tombstones (half with a version header), stale
     * replays of older versions, and re-creations of deleted documents, in a random order per seed.
     */
    public static List<DocumentEvent> workload(long seed, int documents, int changes) {
        return workload(seed, documents, changes, 2, 9);
    }

    /** The same with texts of {@code minSentences} to {@code maxSentences} short sentences (about 12 tokens each). */
    public static List<DocumentEvent> workload(long seed, int documents, int changes, int minSentences, int maxSentences) {
        Random random = new Random(seed);
        List<DocumentEvent> events = new ArrayList<>();
        Map<String, long[]> model = new LinkedHashMap<>(); // id -> {live version or -1, marker or -1}
        for (int d = 0; d < documents; d++) {
            events.add(upsert("doc-" + d, 1, random, minSentences, maxSentences));
            model.put("doc-" + d, new long[] {1, -1});
        }
        for (int c = 0; c < changes; c++) {
            String id = "doc-" + random.nextInt(documents);
            long[] m = model.get(id);
            int kind = random.nextInt(10);
            if (m[0] < 0) { // deleted: re-create above the marker, or replay something stale
                if (kind < 6) {
                    events.add(upsert(id, m[1] + 1, random, minSentences, maxSentences));
                    m[0] = m[1] + 1;
                } else {
                    events.add(upsert(id, Math.max(0, m[1] - random.nextInt(2)), random, minSentences, maxSentences)); // refused: not above the marker
                }
            } else if (kind < 5) {
                events.add(upsert(id, m[0] + 1, random, minSentences, maxSentences));
                m[0]++;
            } else if (kind < 7) {
                // Half without a version header: delivered again after a crash, such a tombstone must not delete a
                // re-creation that followed it (the store's source positions recognise it as written).
                events.add(random.nextBoolean() ? DocumentEvent.delete(id, m[0]) : DocumentEvent.delete(id));
                m[1] = Math.max(m[1], m[0]);
                m[0] = -1;
            } else if (kind < 9 && m[0] > 1) {
                events.add(upsert(id, m[0] - 1, random, minSentences, maxSentences)); // stale replay
            } else {
                events.add(upsert(id, m[0], random, minSentences, maxSentences)); // same-version redelivery with other text: ignored as stored
            }
        }
        return events;
    }

    private static DocumentEvent upsert(String id, long version, Random random, int minSentences, int maxSentences) {
        String text = DocumentIndexerTest.sentences("v" + version + "w" + random.nextInt(1000),
                minSentences + random.nextInt(maxSentences - minSentences + 1));
        return DocumentEvent.upsert(id, "", text, ContentType.PLAIN_TEXT, Map.of("id", id), version);
    }

    /**
     * The end state, computed by applying the events one by one to an in-memory store with the same indexer rules
     * (so it is the sequential, crash-free result).
     */
    static Map<String, DocumentState> expectedStates(List<DocumentEvent> events) {
        HashingEncoder encoder = new HashingEncoder(IngestionWorkerMain.DIMENSION, 64);
        return expectedStates(events, encoder, TokenAwareSplitter.forEncoder(encoder, 64, 8));
    }

    /**
     * The same for another indexer's chunking: {@code encoder} must count tokens as the indexer under test does (its
     * vectors do not matter), {@code splitter} must be that indexer's.
     */
    public static Map<String, DocumentState> expectedStates(List<DocumentEvent> events, Encoder encoder, TokenAwareSplitter splitter) {
        InMemoryChunkStore reference = new InMemoryChunkStore(encoder.dimension());
        DocumentIndexer indexer = new DocumentIndexer(encoder, reference, splitter, 16);
        for (DocumentEvent e : events) indexer.index(e);
        return reference.documentStates(events.stream().map(DocumentEvent::storeId).distinct().toList());
    }

    public static long committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                .filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }

    public static long endOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        return admin.listOffsets(request).all().get().values().stream().mapToLong(r -> r.offset()).sum();
    }

    /** Waits until the group's committed offsets pass {@code above}; returns the time it took, or null on timeout. */
    public static Duration awaitCommitAbove(Admin admin, String group, long above, Duration timeout) throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < timeout.toNanos()) {
            if (committed(admin, group) > above) return Duration.ofNanos(System.nanoTime() - start);
            Thread.sleep(20);
        }
        return null;
    }

    /** Differences between what the store holds and what it should, as readable lines (empty when equal). */
    public static List<String> differences(ChunkStore store, Map<String, DocumentState> expected) {
        Map<String, DocumentState> actual = store.documentStates(expected.keySet());
        List<String> diffs = new ArrayList<>();
        long expectedChunks = 0;
        for (var e : expected.entrySet()) {
            DocumentState want = e.getValue(), got = actual.get(e.getKey());
            expectedChunks += want.chunksPerVersion().values().stream().mapToInt(Integer::intValue).sum();
            if (!want.chunksPerVersion().equals(got.chunksPerVersion()))
                diffs.add(e.getKey() + ": expected chunks per version " + want.chunksPerVersion() + ", stored " + got.chunksPerVersion());
        }
        long count = store.count();
        if (count != expectedChunks) diffs.add("store holds " + count + " chunks, expected " + expectedChunks);
        return diffs;
    }

    /** This JVM's class path, or the class loader's URLs when run from Maven's exec:java (the benchmark). */
    static String classPath() {
        if (Thread.currentThread().getContextClassLoader() instanceof java.net.URLClassLoader urls && urls.getURLs().length > 1) {
            List<String> entries = new ArrayList<>();
            for (java.net.URL url : urls.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }
}
