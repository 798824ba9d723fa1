package dev.ragline.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's kcat commands put every document id on the partition the Java client (the HTTP publisher,
 * {@link SamplePublisher}) picks, so one id's events stay on one partition whoever produced them; kcat's default
 * partitioner would not. Needs Debian's {@code kcat} ({@code bin/test} installs it); skipped, saying so, without it.
 */
class KcatPartitionerTest {
    private static final int PARTITIONS = 6;
    private static final int IDS = 120;
    /** The README's producer command, without the topic. */
    private static final List<String> README_FLAGS = List.of("-X", "partitioner=murmur2_random");
    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        assumeTrue(kcat() != null, "kcat is not installed (Debian package kcat; bin/test installs it): the README's kcat examples are not checked");
        broker = EmbeddedKafkaBroker.startTemporary();
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    private static String kcat() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(p -> Path.of(p, "kcat")).filter(Files::isExecutable).map(Path::toString).findFirst().orElse(null);
    }

    /** Runs kcat as the README does: {@code kcat -b BROKER [flags] -P -t TOPIC -K: [extra]}, lines on stdin. */
    private void kcatProduce(List<String> flags, String topic, List<String> lines, String... extra) throws Exception {
        Path input = Files.write(dir.resolve(topic + "-" + System.nanoTime() + ".txt"), lines, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(kcat(), "-b", broker.bootstrapServers()));
        command.addAll(flags);
        command.addAll(List.of("-P", "-t", topic, "-K:"));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command).redirectInput(input.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("kcat finished").isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("kcat exit status; output: %s", output).isZero();
    }

    private static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < IDS; i++) ids.add(i % 2 == 0 ? "doc-" + i : "manual/" + i + "-Ünïcode");
        return ids;
    }

    /** Publishes version 1 of every id with the Java client; returns id → partition. */
    private static Map<String, Integer> javaPartitions(String topic) {
        Map<String, Integer> partitions = new HashMap<>();
        try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), topic)) {
            for (String id : ids()) {
                var event = DocumentEvent.upsert(id, "", "Version one of " + id + ".", ContentType.PLAIN_TEXT, Map.of(), 1);
                partitions.put(id, publisher.publish(event).partition());
            }
        }
        return partitions;
    }

    /** Every record of the topic: key → the partitions its records are on, and how many records there were. */
    private static Map<String, List<Integer>> partitionsByKey(String topic, int expectedRecords) {
        List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.readFromStart(broker.bootstrapServers(), topic,
                expectedRecords, Duration.ofSeconds(60));
        assertThat(records).hasSize(expectedRecords);
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (var r : records) byKey.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(r.partition());
        return byKey;
    }

    private static List<String> upsertLines(long version) {
        return ids().stream().map(id -> id + ":{\"text\":\"Version " + version + " of " + id + ".\",\"version\":" + version + "}").toList();
    }

    @Test
    void theReadmesKcatCommandsPutEachIdOnTheJavaClientsPartition() throws Exception {
        String topic = "kcat-readme";
        broker.createTopic(topic, PARTITIONS);
        Map<String, Integer> java = javaPartitions(topic);
        kcatProduce(README_FLAGS, topic, upsertLines(2));
        // The README's tombstone: -Z sends the empty value as null, the header carries the delete's version.
        kcatProduce(README_FLAGS, topic, ids().stream().map(id -> id + ":").toList(), "-Z", "-H", "ragline.version=2");

        Map<String, List<Integer>> byKey = partitionsByKey(topic, 3 * IDS);
        assertThat(byKey).hasSize(IDS);
        for (var e : byKey.entrySet())
            assertThat(e.getValue()).as("partitions of %s's three events (Java, kcat, kcat tombstone)", e.getKey())
                    .containsOnly(java.get(e.getKey()));
        assertThat(java.values().stream().distinct().count()).as("the ids spread over the partitions").isEqualTo(PARTITIONS);
    }

    @Test
    void kcatsDefaultPartitionerWouldSplitAnIdsEventsOverTwoPartitions() throws Exception {
        // Why the README insists on the flag: librdkafka's default (consistent_random, CRC32) disagrees with murmur2.
        String topic = "kcat-default";
        broker.createTopic(topic, PARTITIONS);
        Map<String, Integer> java = javaPartitions(topic);
        kcatProduce(List.of(), topic, upsertLines(2));
        Map<String, List<Integer>> byKey = partitionsByKey(topic, 2 * IDS);
        long split = byKey.entrySet().stream().filter(e -> !e.getValue().stream().allMatch(p -> p.equals(java.get(e.getKey())))).count();
        assertThat(split).as("ids whose kcat event landed on another partition than their Java event").isGreaterThan(IDS / 2);
    }
}
