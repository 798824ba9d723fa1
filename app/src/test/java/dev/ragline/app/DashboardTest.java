package dev.ragline.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The service serves the evaluation dashboard, its chart library and the reports API (fixture reports). */
@QuarkusTest
@TestProfile(EmbeddedPlatformProfile.class)
class DashboardTest {

    @Test
    void reportsAreListedNewestFirstAndReadable() {
        List<String> ids = given().get("/v1/eval/reports").then().statusCode(200).extract().jsonPath().getList("runId");
        assertThat(ids).hasSize(4).first().asString().startsWith("20250104");
        given().get("/v1/eval/reports/" + ids.get(0)).then().statusCode(200).body("runId", equalTo(ids.get(0)));
        given().get("/v1/eval/reports/20990101-000000-retrieval-ffff").then().statusCode(404);
        given().get("/v1/eval/reports/..%2Fsecret").then().statusCode(400);
    }

    @Test
    void dashboardPageAndChartLibraryAreServed() {
        String page = given().get("/dashboard/").then().statusCode(200).extract().asString();
        assertThat(page).contains("chart.umd.js").doesNotContain("@chartjs.version@");
        String script = page.replaceAll("(?s).*src=\"\\.\\./(webjars/chart\\.js/[^\"]+)\".*", "$1");
        given().get("/" + script).then().statusCode(200).body(containsString("Chart"));
    }
}
