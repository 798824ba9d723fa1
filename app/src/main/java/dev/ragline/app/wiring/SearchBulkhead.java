package dev.ragline.app.wiring;

import dev.ragline.app.config.RaglineConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Bounds {@code /v1/search} (query encoding plus search; {@code ragline.search.max-concurrent}, {@code max-waiting},
 * {@code max-wait}): a line that cannot grow without end, and, set near the core count, searches that run to their
 * end instead of taking turns on the cores mid-search.
 */
@Singleton
public class SearchBulkhead extends Bulkhead {

    @Inject
    public SearchBulkhead(RaglineConfig config, Platform platform) {
        this(config.search().maxConcurrent(), config.search().maxWaiting(), config.search().maxWait());
        platform.metrics().bindBulkhead(this, "ragline.search", "ragline.search.rejected", "Searches running",
                "Searches waiting for a slot", "Searches refused for want of a slot");
    }

    SearchBulkhead(int maxConcurrent, int maxWaiting, Duration maxWait) {
        super("search", "searches are running", "ragline.search", maxConcurrent, maxWaiting, maxWait);
    }
}
