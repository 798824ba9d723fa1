package dev.ragline.app.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Everything the service reads from application.properties (prefix {@code ragline}); env vars work too. */
@ConfigMapping(prefix = "ragline")
public interface RaglineConfig {

    /** Root for all local state: embedded Kafka log, Lucene index, caches. */
    @WithDefault("data")
    Path dataDir();

    Encoder encoder();

    SearchLimits search();

    Store store();

    Kafka kafka();

    Ingestion ingestion();

    Chunking chunking();

    SampleCorpus sampleCorpus();

    Classifier classifier();

    Generation generation();

    Ask ask();

    Retrieval retrieval();

    Evaluation evaluation();

    Auth auth();

    interface Encoder {
        /** bge-small-en-v1.5 | bge-small-en-v1.5-q | all-minilm-l6-v2 | a directory with model.onnx + tokenizer.json. */
        @WithDefault("bge-small-en-v1.5")
        String model();

        /** cpu or cuda (needs the gpu build profile; falls back to CPU with a warning). */
        @WithDefault("cpu")
        String device();

        /** ONNX Runtime intra-op threads; 0 lets ONNX Runtime decide. */
        @WithDefault("0")
        int intraOpThreads();

        /** Texts per encoder run; small batches of similar length measured fastest on CPU. */
        @WithDefault("4")
        int batchSize();

        /** Prefix queries with the model's query instruction (bge). */
        @WithDefault("true")
        boolean queryInstruction();

        /**
         * A query encoder distilled from {@code model} (the folder embedding/training/distill_query_encoder.py
         * writes): search and ask encode queries with it, passages stay with {@code model}. Refused at start-up
         * when it was distilled from another model.
         */
        Optional<Path> queryModel();
    }

    interface Store {
        /** lucene (embedded, default) or qdrant. */
        @WithDefault("lucene")
        String type();

        Lucene lucene();

        Qdrant qdrant();

        Search search();

        /** Keyword and hybrid search. */
        interface Search {
            /** Default mode of /v1/search and /v1/ask: dense, keyword or hybrid (best SciFact nDCG@10 measured). */
            @WithDefault("hybrid")
            String mode();

            /** Chunks each leg contributes to the fusion (at least k). */
            @WithDefault("100")
            int candidatesPerLeg();

            /** Reciprocal rank fusion constant: rank r (from 1) adds 1 / (rrf-k + r). */
            @WithDefault("60")
            int rrfK();
        }

        interface Lucene {
            /** Index directory; defaults to {data-dir}/lucene. */
            Optional<Path> path();

            /** Analyzer of the BM25 field: english (stemming, stop words) or standard. */
            @WithDefault("english")
            String analyzer();
        }

        interface Qdrant {
            @WithDefault("localhost")
            String host();

            @WithDefault("6334")
            int grpcPort();

            Optional<String> apiKey();

            @WithDefault("false")
            boolean useTls();

            @WithDefault("ragline_chunks")
            String collection();

            /** Average chunk length in BM25 tokens that qdrant/bm25 normalises with (Qdrant's default 256). */
            @WithDefault("256")
            double bm25AvgLen();
        }
    }

    interface Kafka {
        /** External brokers; when empty the service starts a single-node KRaft broker in-process. */
        Optional<String> bootstrapServers();

        /** Port of the embedded broker's listener (0 = any free port). */
        @WithDefault("9092")
        int embeddedPort();

        @WithDefault("ragline.documents")
        String topic();

        @WithDefault("ragline.documents.dlq")
        String deadLetterTopic();

        @WithDefault("ragline-indexer")
        String groupId();

        /** Turn the consumer off for a search-only replica. */
        @WithDefault("true")
        boolean consume();

        @WithDefault("64")
        int maxPollRecords();

        @WithDefault("PT0.5S")
        Duration retryInitialBackoff();

        @WithDefault("PT30S")
        Duration retryMaxBackoff();

        /**
         * Static group membership ({@code group.instance.id}), unique per instance: a restarted instance gets its
         * partitions back at once instead of after the session timeout. Unset: dynamic membership.
         */
        Optional<String> groupInstanceId();

        /** {@code session.timeout.ms}: how long a silent member keeps its partitions. */
        @WithDefault("PT45S")
        Duration sessionTimeout();

        /** A poll's records are processed and committed in sub-batches of at most this many encoder tokens. */
        @WithDefault("32768")
        int maxBatchTokens();

        /** Producers' {@code max.request.size} (HTTP publisher and dead letters); dead-letter copies are cut to fit. */
        @WithDefault("1048576")
        int maxRequestBytes();

        /**
         * Kafka client properties passed through to every client (consumer, dead-letter and HTTP producers), e.g.
         * {@code ragline.kafka.properties."security.protocol"=SASL_SSL}; they win over the service's own settings.
         */
        Map<String, String> properties();
    }

    /** What one event may be; the consumer dead-letters, and {@code POST /v1/documents} refuses, what exceeds it. */
    interface Ingestion {
        /** Largest record value; must fit {@code ragline.kafka.max-request-bytes} and the topic's message limit. */
        @WithDefault("1000000")
        int maxEventBytes();

        @WithDefault("512")
        int maxIdBytes();

        @WithDefault("64")
        int maxMetadataEntries();

        @WithDefault("256")
        int maxMetadataKeyBytes();

        /** Each metadata value is indexed as one term; Lucene refuses terms over 32,766 bytes. */
        @WithDefault("4096")
        int maxMetadataValueBytes();

        @WithDefault("100")
        int maxNestingDepth();

        @WithDefault("2000")
        int maxChunksPerEvent();

        /** A batch failing this many times while the store answers is bisected to find the event at fault. */
        @WithDefault("3")
        int bisectAfterAttempts();

        /** An event that failed alone this many times while the store answered goes to the dead-letter topic. */
        @WithDefault("3")
        int maxEventAttempts();

        /** Readiness reports ingestion DOWN once it has been failing and retrying for this long. */
        @WithDefault("PT10S")
        Duration stalledAfter();
    }

    interface Chunking {
        /** Largest chunk in encoder tokens (specials included); capped at the encoder's limit. */
        @WithDefault("256")
        int maxTokens();

        @WithDefault("32")
        int overlapTokens();
    }

    interface Classifier {
        /** Load the intent classifier and router at start-up (needed by /v1/classify and /v1/ask routing). */
        @WithDefault("true")
        boolean enabled();

        /** Trained artifact (see the classifier module); must be trained on the configured encoder. */
        @WithDefault("classifier/models/velora-bge-small-en-v1.5.json")
        Path artifact();

        /** Routing configuration JSON (which intents are answered directly, and how); built-in defaults when absent. */
        Optional<Path> routing();
    }

    interface Generation {
        /**
         * reader: the extractive reader bundled in the generation module (ONNX Runtime, in-process); embedded: a
         * GGUF decoder in-process (llama.cpp); openai: any OpenAI-compatible server (vLLM, llama.cpp server,
         * Ollama's /v1, hosted APIs); ollama: Ollama's native API; none: no generation (GENERATE → 503).
         */
        @WithDefault("reader")
        String backend();

        /**
         * reader: a reader .onnx with NAME.tokenizer.json and NAME.provenance.json beside it; embedded: a GGUF file.
         * Absent = the model bundled in the generation module.
         */
        Optional<Path> modelPath();

        /** Threads for the in-process backends (0 = all cores). */
        @WithDefault("0")
        int threads();

        /** Server base URL: for openai the part before /chat/completions (e.g. http://host:8000/v1). */
        Optional<String> baseUrl();

        /** Model name on the server (ollama default: qwen2.5:1.5b-instruct). */
        Optional<String> modelName();

        Optional<String> apiKey();

        /** Context window in tokens (prompts are fitted to it); 0 = the GGUF's own, or 8192 for servers. */
        @WithDefault("0")
        int contextSize();

        @WithDefault("PT120S")
        Duration timeout();

        @WithDefault("64")
        int maxAnswerTokens();

        /** Restrict answers to spans of the passages or the abstain phrase (embedded backend only). */
        @WithDefault("true")
        boolean constrained();
    }

    /** The optional reranking stage of search and ask. */
    interface Retrieval {
        Rerank rerank();

        interface Rerank {
            /** A cross-encoder ONNX file (one relevance logit per pair); unset = no reranking stage. */
            Optional<Path> model();

            /** Its tokenizer.json; defaults to tokenizer.json beside the model. */
            Optional<Path> tokenizer();

            /** First-stage hits re-scored per request (at least k). */
            @WithDefault("50")
            int candidates();
        }
    }

    /** The bound on /v1/search (query encoding plus search), under ragline.search. */
    interface SearchLimits {
        /**
         * Searches run at once; the rest wait in arrival order. A protective bound by default: a bound of one per core
         * cut p99 in the in-process benchmark but cost throughput over HTTP with the clients on the same 2 cores
         * (README, "Speed"); set it near the core count where the clients run elsewhere.
         */
        @WithDefault("64")
        int maxConcurrent();

        /** Searches that may wait for a slot; one more is answered 429 at once. */
        @WithDefault("256")
        int maxWaiting();

        /** How long a search waits for a slot before it is answered 503. */
        @WithDefault("PT2S")
        Duration maxWait();
    }

    interface Ask {
        /** Passages retrieved for generation. */
        @WithDefault("4")
        int k();

        /**
         * For questions the classifier calls out of scope: generate only when the best retrieved passage scores at
         * least this (cosine), else abstain without calling the decoder.
         */
        @WithDefault("0.6")
        double minRetrievalScore();

        /**
         * GENERATE answers being read at once (the decoder step; DIRECT and ABSTAIN need no slot). 8 measured best of
         * 2/4/8 on the shared 2-core build machine (README, "Bounded /v1/ask"); on a quiet machine fewer may do.
         */
        @WithDefault("8")
        int maxConcurrent();

        /** GENERATE requests that may wait for a slot; one more is answered 429 at once. */
        @WithDefault("8")
        int maxWaiting();

        /** How long a request waits for a slot before it is answered 503. */
        @WithDefault("PT2S")
        Duration maxWait();
    }

    interface Evaluation {
        /** Where the evaluation harness writes its reports; the dashboard at /dashboard/ lists them. */
        @WithDefault("evaluation-reports")
        Path reportsDir();
    }

    interface SampleCorpus {
        /**
         * auto: publish the bundled sample corpus when the embedded broker is used and the store is empty; true:
         * always publish; false: never; remove: publish tombstones for the sample corpus's ids at start-up.
         */
        @WithDefault("auto")
        String publish();
    }

    /** Who may call (README, "Security"). No keys and no JWT: the open development mode, loopback only. */
    interface Auth {
        /** The API key file (hashed keys, see bin/keys); default {@code <data-dir>/api-keys.json}. */
        Optional<Path> keysFile();

        Jwt jwt();

        /** OIDC-issued JWT bearer tokens, verified with the mp.jwt.verify.* settings (issuer, public key or JWKS). */
        interface Jwt {
            @WithDefault("false")
            boolean enabled();

            /** The claim naming the caller's tenant; roles come from the token's {@code groups} claim. */
            @WithDefault("tenant")
            String tenantClaim();
        }
    }
}
