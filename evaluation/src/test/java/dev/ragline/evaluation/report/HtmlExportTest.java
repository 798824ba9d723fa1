package dev.ragline.evaluation.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlExportTest {

    @Test
    void exportIsSelfContained(@TempDir Path dir) throws Exception {
        EvalReport report = new ReportRepository(ReportRepositoryTest.FIXTURES)
                .read("20250101-100000-classification-a1b2").orElseThrow();
        Path file = HtmlExport.write(report, dir.resolve("r.html"));
        String html = Files.readString(file);
        assertThat(html).contains("<script type=\"application/json\" id=\"ragline-report\">")
                .contains("20250101-100000-classification-a1b2")
                .contains("window.Chart=") // the chart library itself, not a link to it
                .contains("raglineDashboard")
                .doesNotContain("<script src=").doesNotContain("<link ")
                .doesNotContain("sourceMappingURL");
        // Inlined text cannot close its script element early.
        String embedded = html.substring(html.indexOf("id=\"ragline-report\">"));
        embedded = embedded.substring(0, embedded.indexOf("</script>"));
        assertThat(embedded).doesNotContain("</");
    }

    @Test
    void chartLibraryResourceComesFromTheFilteredWebjarVersion() {
        assertThat(HtmlExport.chartJsResource()).matches("META-INF/resources/webjars/chart\\.js/\\d+\\.\\d+\\.\\d+/dist/chart\\.umd\\.js");
        assertThat(HtmlExport.class.getClassLoader().getResource(HtmlExport.chartJsResource())).isNotNull();
    }
}
