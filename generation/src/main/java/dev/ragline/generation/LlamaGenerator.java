package dev.ragline.generation;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.LogLevel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * In-process GGUF inference through llama.cpp ({@code de.kherud:llama}), greedy decoding, GBNF grammars.
 * One generation at a time (llama.cpp runs one slot here); callers queue on a lock.
 * <p>
 * llama.cpp keeps a native thread after {@link #close()}, so a JVM that loaded it does not exit on its own:
 * command-line tools call {@link System#exit}, tests run in forked JVMs, the service closes this on shutdown.
 */
public final class LlamaGenerator implements Generator {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaGenerator.class);
    /** Classpath location of the committed embedded reader. */
    public static final String BUNDLED_READER = "/dev/ragline/generation/ragline-reader-v1.gguf";

    static {
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {
            if (level == LogLevel.ERROR) LOG.error("llama.cpp: {}", message.strip());
            else if (level == LogLevel.WARN) LOG.warn("llama.cpp: {}", message.strip());
            else LOG.debug("llama.cpp: {}", message.strip());
        });
    }

    private final LlamaConfig config;
    private final LlamaModel model;
    private final int contextWindow;
    private final String modelId;
    private final ReentrantLock lock = new ReentrantLock(true);

    public LlamaGenerator(LlamaConfig config) {
        this.config = config;
        if (!Files.isRegularFile(config.model()))
            throw new IllegalArgumentException("GGUF model not found: " + config.model());
        int trained = trainingContext(config.model());
        this.contextWindow = config.contextSize() > 0 ? config.contextSize() : trained;
        this.modelId = config.model().getFileName().toString().replaceFirst("\\.gguf$", "");
        this.model = new LlamaModel(new ModelParameters()
                .setModel(config.model().toString())
                .setCtxSize(contextWindow)
                .setThreads(config.threads())
                .setThreadsBatch(config.threads())
                .setParallel(1));
        LOG.info("loaded {} (context {} tokens, {} threads)", config.model(), contextWindow, config.threads());
    }

    /** The committed embedded reader, copied from the classpath to a temporary file (llama.cpp loads files). */
    public static LlamaGenerator bundledReader(int threads) {
        try (InputStream in = LlamaGenerator.class.getResourceAsStream(BUNDLED_READER)) {
            if (in == null) throw new IllegalStateException("embedded reader not on the classpath: " + BUNDLED_READER);
            // Under its own name in a fresh directory, so the model id is the reader's, not a temporary name.
            Path dir = Files.createTempDirectory("ragline-reader-");
            Path file = dir.resolve(BUNDLED_READER.substring(BUNDLED_READER.lastIndexOf('/') + 1));
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return new LlamaGenerator(LlamaConfig.reader(file).withThreads(threads));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the embedded reader", e);
        }
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public int contextWindow() {
        return contextWindow;
    }

    @Override
    public int countTokens(String text) {
        return model.encode(text).length;
    }

    @Override
    public boolean supportsGrammar() {
        return true;
    }

    /** The raw prompt for a request, as this generator's template renders it. */
    public String render(GenerationRequest request) {
        return config.template().render(request.system(), request.user());
    }

    @Override
    public Generation generate(GenerationRequest request, Consumer<String> onToken) {
        String prompt = render(request);
        lock.lock();
        try {
            long t0 = System.nanoTime();
            int promptTokens = countTokens(prompt);
            if (promptTokens + request.maxTokens() > contextWindow)
                throw new IllegalArgumentException("prompt of " + promptTokens + " tokens plus " + request.maxTokens()
                        + " answer tokens exceeds the context window of " + contextWindow);
            InferenceParameters p = new InferenceParameters(prompt)
                    .setTemperature(0f)
                    .setNPredict(request.maxTokens())
                    .setCachePrompt(false);
            if (request.grammar() != null) p.setGrammar(request.grammar());
            StringBuilder text = new StringBuilder();
            int tokens = 0;
            LlamaIterator it = model.generate(p).iterator();
            while (it.hasNext()) {
                LlamaOutput out = it.next();
                if (out.text.isEmpty()) continue;
                tokens++;
                text.append(out.text);
                onToken.accept(out.text);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            return new Generation(text.toString(), promptTokens, tokens, millis, tokens >= request.maxTokens());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        model.close();
    }

    /** llama.context_length from the GGUF header, without loading the model (GGUF v2/v3 layout). */
    static int trainingContext(Path gguf) {
        try (FileChannel ch = FileChannel.open(gguf, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(ch.size(), 64L << 20)).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt() != 0x46554747) throw new IllegalArgumentException("not a GGUF file: " + gguf);
            b.getInt();
            b.getLong();
            long kvs = b.getLong();
            for (long i = 0; i < kvs; i++) {
                String key = string(b);
                int type = b.getInt();
                if (key.endsWith(".context_length") && type == 4) return b.getInt();
                skip(b, type);
            }
            throw new IllegalArgumentException("no context_length in " + gguf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gguf, e);
        }
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[(int) b.getLong()];
        b.get(s);
        return new String(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void skip(ByteBuffer b, int type) {
        switch (type) {
            case 0, 1, 7 -> b.position(b.position() + 1);
            case 2, 3 -> b.position(b.position() + 2);
            case 4, 5, 6 -> b.position(b.position() + 4);
            case 10, 11, 12 -> b.position(b.position() + 8);
            case 8 -> string(b);
            case 9 -> {
                int et = b.getInt();
                long n = b.getLong();
                for (long i = 0; i < n; i++) skip(b, et);
            }
            default -> throw new IllegalArgumentException("unknown GGUF value type " + type);
        }
    }
}
