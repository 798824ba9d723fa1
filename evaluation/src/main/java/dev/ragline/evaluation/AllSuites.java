package dev.ragline.evaluation;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Runs every suite with its default options; one failing suite does not stop the others, but fails the command. */
@Command(name = "all", description = "Runs every suite with default options over --datasets.")
final class AllSuites implements java.util.concurrent.Callable<Integer> {
    @CommandLine.ParentCommand
    Harness harness;

    /** Suites in the order they run; a new suite is one more line here. */
    static final List<Supplier<Harness.Suite>> SUITES = List.of(RetrievalSuite::new, ClassificationSuite::new, RoutingSuite::new,
            GenerationSuite::new, FaithfulnessSuite::new);

    @Override
    public Integer call() {
        List<String> failed = new ArrayList<>();
        for (Supplier<Harness.Suite> factory : SUITES) {
            Harness.Suite suite = factory.get();
            new CommandLine(suite).parseArgs(); // applies the suite's option defaults
            suite.harness = harness;
            try {
                System.err.println("== " + suite.name());
                harness.publish(suite.run());
            } catch (Exception e) {
                System.err.println(suite.name() + " failed: " + e);
                failed.add(suite.name());
            }
        }
        if (!failed.isEmpty()) System.err.println("failed suites: " + failed);
        return failed.isEmpty() ? 0 : 1;
    }
}
