package dev.ragline.evaluation.report;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * One self-contained HTML file for a report: the dashboard's own script and style and the chart library inlined,
 * the report embedded as JSON. Opens from disk with no server and no network.
 */
public final class HtmlExport {
    static final String DASHBOARD = "META-INF/resources/dashboard/";

    private HtmlExport() {
    }

    public static String render(EvalReport report) {
        String json;
        try {
            json = ReportJson.mapper().writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise report " + report.runId(), e);
        }
        String chartJs = resource(chartJsResource())
                .replaceAll("(?m)^//# sourceMappingURL=.*$", ""); // the map is not inlined; no failed fetch
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>Ragline evaluation: %s</title>
                <style>%s</style>
                <script>%s</script>
                </head>
                <body data-mode="export">
                <div id="app"></div>
                <script type="application/json" id="ragline-report">%s</script>
                <script>%s</script>
                </body>
                </html>
                """.formatted(escapeHtml(report.runId()), resource(DASHBOARD + "dashboard.css"), inline(chartJs),
                inline(json), inline(resource(DASHBOARD + "dashboard.js")));
    }

    public static Path write(EvalReport report, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, render(report));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Class-path location of the chart library's UMD build, from the webjar whose version the build fixed. */
    public static String chartJsResource() {
        Properties p = new Properties();
        try (InputStream in = HtmlExport.class.getResourceAsStream("dashboard.properties")) {
            if (in == null) throw new IllegalStateException("dashboard.properties missing from the class path");
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("chartjs.resource");
    }

    static String resource(String name) {
        try (InputStream in = HtmlExport.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing class-path resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** Keeps inlined text from closing its script or style element early. */
    private static String inline(String text) {
        return text.replace("</", "<\\/");
    }

    private static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
