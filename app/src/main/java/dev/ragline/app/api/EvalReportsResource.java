package dev.ragline.app.api;

import dev.ragline.app.config.RaglineConfig;
import dev.ragline.evaluation.report.ReportRepository;
import dev.ragline.evaluation.report.ReportSummary;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The evaluation harness's reports, for the dashboard at /dashboard/ (static page from the evaluation module). */
@Path("/v1/eval/reports")
@Tag(name = "evaluation")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
public class EvalReportsResource {
    private final ReportRepository reports;

    public EvalReportsResource(RaglineConfig config) {
        reports = new ReportRepository(config.evaluation().reportsDir());
    }

    @GET
    @Operation(summary = "Evaluation runs, newest first, with their headline metrics.")
    public List<ReportSummary> list() {
        return reports.list();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One evaluation report as the harness wrote it.")
    public String get(@PathParam("id") String id) {
        if (!ReportRepository.isValidId(id)) throw new InvalidRequestException("not a report id: '" + id + "'");
        return reports.readJson(id).orElseThrow(() -> new NotFoundException("no report '" + id + "'"));
    }
}
