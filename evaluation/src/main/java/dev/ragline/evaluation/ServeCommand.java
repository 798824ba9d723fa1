package dev.ragline.evaluation;

import dev.ragline.evaluation.report.DashboardServer;
import dev.ragline.evaluation.report.ReportRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Serves the dashboard over the reports folder on 127.0.0.1, without the Quarkus service. */
@Command(name = "serve", description = "Serves the dashboard for --reports at http://127.0.0.1:<port>/dashboard/ until stopped.")
final class ServeCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Harness harness;

    @Option(names = "--port", defaultValue = "8090", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Override
    public Integer call() throws Exception {
        DashboardServer server = DashboardServer.start(new ReportRepository(harness.reports), port);
        System.out.println("dashboard: " + server.baseUri().resolve("dashboard/") + " (reports from "
                + harness.reports.toAbsolutePath() + "); Ctrl-C stops");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await();
        return 0;
    }
}
