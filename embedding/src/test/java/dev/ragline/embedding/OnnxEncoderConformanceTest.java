package dev.ragline.embedding;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.common.AbstractEmbeddingModelIT;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import org.junit.jupiter.api.AfterAll;

import java.util.ArrayList;
import java.util.List;

/**
 * LangChain4j's own conformance suite for embedding models, run on the real bge-small-en-v1.5 (int8) encoder. The
 * switches turned off are the capabilities the README says we do not offer: a {@code dimensions} parameter (the
 * model's size is fixed) and image input; the suite then checks that both are refused with
 * {@code UnsupportedFeatureException}. The failing model for the {@code onError} listener test is a closed encoder.
 */
class OnnxEncoderConformanceTest extends AbstractEmbeddingModelIT {
    private final List<OnnxEncoder> opened = new ArrayList<>();

    private OnnxEncoder open(List<EmbeddingModelListener> listeners) {
        OnnxEncoder encoder = Encoders.open(EncoderConfig.of("bge-small-en-v1.5-q"), listeners);
        opened.add(encoder);
        return encoder;
    }

    @AfterAll
    void close() {
        opened.forEach(OnnxEncoder::close);
    }

    /** A fresh encoder per test method: JUnit closes AutoCloseable arguments after each parameterized test. */
    @Override
    protected List<EmbeddingModel> models() {
        return List.of(open(List.of()));
    }

    @Override
    protected EmbeddingModel modelWith(EmbeddingModelListener listener) {
        return open(List.of(listener));
    }

    @Override
    protected EmbeddingModel failingModelWith(EmbeddingModelListener listener) {
        OnnxEncoder encoder = open(List.of(listener));
        encoder.close(); // embedding with a closed encoder fails: IllegalStateException
        return encoder;
    }

    @Override
    protected boolean supportsDimensionsParameter() {
        return false;
    }

    @Override
    protected boolean supportsImageInput() {
        return false;
    }
}
