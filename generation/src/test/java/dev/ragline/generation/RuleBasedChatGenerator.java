package dev.ragline.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test {@link Generator} with a few facts and rules, for the tests of LangChain4j's conformance suites that
 * assert world knowledge or instruction following the bundled reader cannot have (it was trained from scratch on
 * SQuAD passages): "capital of Germany" is Berlin, a system message asking for German translates "I love you",
 * "Say 'X'" says X, and "What is my favorite color?" is answered from an earlier turn of the conversation.
 * It reads only what the server puts into the {@link GenerationRequest} (system prompt, and the user prompt or
 * the server's User:/Assistant: transcript), so a server that dropped the system message, earlier turns, the
 * token cap or the stop sequences fails those tests. Not a stub of the server: the server under test is the real
 * {@link OpenAiCompatibleServer}; this stands in for the model behind it. Tokens are words with their leading space.
 */
final class RuleBasedChatGenerator implements Generator {
    static final String MODEL_ID = "rule-based-test";
    private static final Pattern SAY = Pattern.compile("Say '([^']+)'");
    private static final Pattern RECALL = Pattern.compile("What is my favou?rite (\\w+)\\?");
    private static final String STORY = "Once upon a time a fox, a badger and an owl lived at the edge of an old forest. "
            + "Every evening the owl told the others what it had seen from the tallest oak: the river rising in spring, "
            + "the deer crossing the meadow, the farmer mending his fence. One winter the river froze, and the three "
            + "friends walked across the ice to the far bank, where they found a hollow full of acorns and stayed until spring.";

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    @Override
    public int contextWindow() {
        return 4096;
    }

    @Override
    public int countTokens(String text) {
        return tokens(text).size();
    }

    @Override
    public boolean supportsGrammar() {
        return false;
    }

    @Override
    public Generation generate(GenerationRequest request, Consumer<String> onToken) {
        long t0 = System.nanoTime();
        List<String> answer = tokens(answer(request.system(), request.user()));
        int n = Math.min(answer.size(), request.maxTokens());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            text.append(answer.get(i));
            onToken.accept(answer.get(i));
        }
        int prompt = Math.max(1, countTokens(request.system()) + countTokens(request.user()));
        return new Generation(text.toString(), prompt, n, (System.nanoTime() - t0) / 1_000_000, n < answer.size());
    }

    static String answer(String system, String user) {
        int last = user.lastIndexOf("User: ");
        String question = last >= 0 ? user.substring(last + "User: ".length()) : user;
        if (system.contains("into German") && question.contains("I love you")) return "Ich liebe dich.";
        Matcher recall = RECALL.matcher(question);
        if (recall.find()) {
            Matcher stated = Pattern.compile("my favou?rite " + recall.group(1) + " is (\\w+)").matcher(user);
            return stated.find() ? "Your favorite " + recall.group(1) + " is " + stated.group(1) + "."
                    : "You have not told me your favorite " + recall.group(1) + ".";
        }
        Matcher say = SAY.matcher(question);
        if (say.find()) return say.group(1);
        if (question.contains("capital of Germany"))
            return "The capital of Germany is Berlin." + (question.contains("2 + 2") ? " 2 + 2 is 4." : "");
        if (question.contains("story")) return STORY;
        return "I do not know.";
    }

    /** Words with their leading whitespace: "Hello World" is "Hello", " World". */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\s*\\S+").matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }
}
