package dev.ragline.generation;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeneratorConfigTest {

    @Test
    void bundledReaderOpensFromTheClasspath() {
        try (Generator g = GeneratorConfig.embedded().open()) {
            assertThat(g.supportsGrammar()).isTrue();
            assertThat(g.contextWindow()).isEqualTo(1024);
            assertThat(g.countTokens("Answer:")).isPositive();
        }
    }

    @Test
    void serverBackendsAreConfiguredNotContacted() {
        var ollama = new GeneratorConfig(GeneratorConfig.backend("ollama"), null, null, null, null, 0, 0, Duration.ofSeconds(5));
        try (Generator g = ollama.open()) {
            assertThat(g.modelId()).isEqualTo(GeneratorConfig.DEFAULT_OLLAMA_MODEL);
            assertThat(g.supportsGrammar()).isFalse();
            assertThat(g.contextWindow()).isEqualTo(8192);
        }
        assertThatThrownBy(() -> new GeneratorConfig(GeneratorConfig.Backend.OPENAI, null, "m", null, null, 0, 0, null))
                .hasMessageContaining("base-url");
        assertThatThrownBy(() -> GeneratorConfig.backend("gpt")).hasMessageContaining("embedded, openai or ollama");
    }
}
