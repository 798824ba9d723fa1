package dev.ragline.app.wiring;

import dev.ragline.app.config.RaglineConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;

/** Bounds the decoder step of {@code /v1/ask} ({@code ragline.ask.max-concurrent}, {@code max-waiting}, {@code max-wait}). */
@Singleton
public class AskBulkhead extends Bulkhead {

    @Inject
    public AskBulkhead(RaglineConfig config, Platform platform) {
        this(config.ask().maxConcurrent(), config.ask().maxWaiting(), config.ask().maxWait());
        platform.metrics().bindBulkhead(this, "ragline.ask.decoder", "ragline.ask.rejected", "GENERATE answers being read",
                "GENERATE requests waiting for a decoder slot", "Asks refused for want of a decoder slot");
    }

    AskBulkhead(int maxConcurrent, int maxWaiting, Duration maxWait) {
        super("the decoder", "answers are being read", "ragline.ask", maxConcurrent, maxWaiting, maxWait);
    }
}
