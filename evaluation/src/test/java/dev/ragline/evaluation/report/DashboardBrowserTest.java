package dev.ragline.evaluation.report;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loads the dashboard in headless Chromium from a real local HTTP server over the committed fixture reports. Fails
 * (never skips) when Chromium is missing: install Debian's chromium and chromium-driver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String RUN_A = "20250101-100000-classification-a1b2";
    static final String RUN_B = "20250102-100000-classification-c3d4";

    /** Per chart: datasets, points per dataset, and whether its canvas has any painted pixel. */
    static final String CHART_STATE = """
            return window.raglineDashboard.charts.map(c => {
              const ctx = c.canvas.getContext('2d');
              const px = ctx.getImageData(0, 0, c.canvas.width, c.canvas.height).data;
              let painted = 0;
              for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) painted++;
              return { type: c.config.type, datasets: c.data.datasets.length,
                       points: c.data.datasets.map(d => d.data.filter(v => v !== null).length),
                       painted: painted, width: c.canvas.width };
            });""";

    DashboardServer server;
    ChromeDriver driver;

    @BeforeAll
    void start(@TempDir Path profile) throws Exception {
        assertThat(CHROMIUM).as("headless Chromium is required: apt-get install -y chromium chromium-driver").isExecutable();
        assertThat(CHROMEDRIVER).as("chromedriver is required: apt-get install -y chromium-driver").isExecutable();
        server = DashboardServer.start(new ReportRepository(ReportRepositoryTest.FIXTURES), 0);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                "--user-data-dir=" + profile.resolve("chromium"), "--window-size=1400,2200");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() {
        if (driver != null) driver.quit();
        if (server != null) server.close();
    }

    private void open(String url) {
        driver.get(url);
        waitReady();
    }

    private void waitReady() {
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(
                ((JavascriptExecutor) d).executeScript("return !!(window.raglineDashboard && window.raglineDashboard.ready)")));
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> charts() {
        return (List<Map<String, Object>>) driver.executeScript(CHART_STATE);
    }

    private void assertChartsDrawnWithData(int atLeast) {
        List<Map<String, Object>> charts = charts();
        assertThat(charts).hasSizeGreaterThanOrEqualTo(atLeast);
        for (Map<String, Object> c : charts) {
            assertThat((Long) c.get("datasets")).as("datasets of %s", c).isPositive();
            assertThat((List<Long>) c.get("points")).as("points of %s", c).allSatisfy(n -> assertThat(n).isPositive());
            assertThat((Long) c.get("painted")).as("painted pixels of %s", c).isGreaterThan(500);
        }
    }

    private void assertNoConsoleErrors() {
        List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(severe).as("browser console errors").isEmpty();
    }

    @Test
    void listsRunsShowsChartsAndComparesTwoRuns() throws Exception {
        String dashboard = server.baseUri().resolve("dashboard/").toString();
        open(dashboard);
        assertThat(driver.findElements(By.cssSelector("#runs tbody tr"))).hasSize(4);
        assertThat(driver.findElements(By.id("load-error"))).isEmpty();
        assertNoConsoleErrors();

        // One classification run: reliability diagrams, coverage curve, confusion heatmap.
        open(dashboard + "#/run/" + RUN_A);
        assertThat(driver.findElements(By.cssSelector(".card"))).hasSize(4);
        assertChartsDrawnWithData(4);
        assertThat(charts()).extracting(c -> c.get("type")).contains("bar", "scatter");
        Files.createDirectories(Path.of("target"));
        screenshot("target/dashboard-run.png");

        // Retrieval table and faithfulness distribution.
        open(dashboard + "#/run/20250103-100000-retrieval-e5f6");
        assertThat(driver.findElements(By.cssSelector("table.data tbody tr"))).hasSize(3);
        open(dashboard + "#/run/20250104-100000-faithfulness-a7b8");
        assertChartsDrawnWithData(2);

        // Compare through the list, as a user would.
        open(dashboard);
        driver.findElement(By.cssSelector("input[data-run='" + RUN_A + "']")).click();
        WebElement compare = driver.findElement(By.id("compare-button"));
        assertThat(compare.isEnabled()).isFalse();
        driver.findElement(By.cssSelector("input[data-run='" + RUN_B + "']")).click();
        assertThat(compare.isEnabled()).isTrue();
        compare.click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> !d.findElements(By.id("headline-diff")).isEmpty());
        waitReady();
        assertThat(rowClass("accuracy")).isEqualTo("better");    // 0.90 -> 0.92, higher is better
        assertThat(rowClass("ece")).isEqualTo("better");         // 0.05 -> 0.03, lower is better
        assertThat(rowClass("macroF1")).isEqualTo("worse");      // 0.88 -> 0.87
        assertThat(rowClass("temperature")).isEqualTo("changed");
        String betterColour = driver.findElement(By.cssSelector("tr[data-metric='accuracy'] td.delta")).getCssValue("background-color");
        String plainColour = driver.findElement(By.cssSelector("tr[data-metric='accuracy'] td")).getCssValue("background-color");
        assertThat(betterColour).isNotEqualTo(plainColour);
        assertThat(driver.findElements(By.cssSelector("#config-diff tbody tr"))).hasSize(1); // l2 differs
        assertChartsDrawnWithData(8); // both runs' charts side by side
        screenshot("target/dashboard.png");
        assertNoConsoleErrors();
    }

    @Test
    void unknownRunShowsAnErrorInThePage() {
        open(server.baseUri().resolve("dashboard/") + "#/run/no-such-run");
        assertThat(driver.findElement(By.id("load-error")).getText()).contains("HTTP 404");
        driver.manage().logs().get(LogType.BROWSER); // the 404 is expected here: drain it
    }

    @Test
    void htmlExportRendersFromDiskWithoutAServer(@TempDir Path dir) {
        EvalReport report = new ReportRepository(ReportRepositoryTest.FIXTURES).read(RUN_A).orElseThrow();
        Path file = HtmlExport.write(report, dir.resolve("report.html"));
        open(file.toUri().toString());
        assertChartsDrawnWithData(4);
        assertThat(driver.findElement(By.tagName("h2")).getText()).contains(RUN_A);
        assertNoConsoleErrors();
    }

    private String rowClass(String metric) {
        return driver.findElement(By.cssSelector("#headline-diff tr[data-metric='" + metric + "']")).getAttribute("class");
    }

    private void screenshot(String path) throws Exception {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), Path.of(path), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(Path.of(path)).isNotEmptyFile();
    }
}
