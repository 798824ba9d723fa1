package dev.ragline.evaluation.routing;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RoutingEconomicsTest {
    // classifier 1 / 10 ms, retrieval 2 / 20 ms, decoder 100 / 1000 ms: baseline 102 / 1020 ms per request.
    private final CostModel model = new CostModel(new CostModel.Stage(1, 10), new CostModel.Stage(2, 20),
            new CostModel.Stage(100, 1000));

    @Test
    void routeCostsFollowTheStagesEachRouteUses() {
        assertThat(model.route("DIRECT")).isEqualTo(new CostModel.Stage(1, 10));
        assertThat(model.route("ABSTAIN")).isEqualTo(new CostModel.Stage(3, 30));
        assertThat(model.route("GENERATE")).isEqualTo(new CostModel.Stage(103, 1030));
        assertThat(model.baseline()).isEqualTo(new CostModel.Stage(102, 1020));
    }

    @Test
    void sharesAndSavingsByHand() {
        // 2 DIRECT (1 each), 1 GENERATE (103), 1 ABSTAIN (3): cost 108 vs baseline 4 * 102 = 408.
        RoutingEconomics e = RoutingEconomics.of(List.of("DIRECT", "GENERATE", "DIRECT", "ABSTAIN"), model);
        assertThat(e.requests()).isEqualTo(4);
        assertThat(e.counts()).containsEntry("DIRECT", 2L).containsEntry("GENERATE", 1L).containsEntry("ABSTAIN", 1L);
        assertThat(e.shares()).containsEntry("DIRECT", 0.5).containsEntry("GENERATE", 0.25);
        assertThat(e.cost()).isEqualTo(108);
        assertThat(e.baselineCost()).isEqualTo(408);
        assertThat(e.costSaved()).isEqualTo(300);
        assertThat(e.costSavedShare()).isCloseTo(300.0 / 408, within(1e-12));
        // latency: (10 + 1030 + 10 + 30) / 4 = 270 ms against 1020 ms.
        assertThat(e.meanLatencyMs()).isEqualTo(270);
        assertThat(e.latencySavedMs()).isEqualTo(750);
    }

    @Test
    void countsGiveTheSameAnswerAsTheListOfRoutes() {
        RoutingEconomics fromCounts = RoutingEconomics.of(java.util.Map.of("DIRECT", 2L, "GENERATE", 1L, "ABSTAIN", 1L), model);
        RoutingEconomics fromList = RoutingEconomics.of(List.of("DIRECT", "GENERATE", "DIRECT", "ABSTAIN"), model);
        assertThat(fromCounts.cost()).isEqualTo(fromList.cost());
        assertThat(fromCounts.shares()).isEqualTo(fromList.shares());
        assertThatThrownBy(() -> RoutingEconomics.of(java.util.Map.of("DIRECT", 0L), model)).hasMessageContaining("no routed");
    }

    @Test
    void everythingGeneratedCostsMoreThanTheBaseline() {
        RoutingEconomics e = RoutingEconomics.of(List.of("GENERATE", "GENERATE"), model);
        assertThat(e.costSaved()).isEqualTo(-2);
        assertThat(e.shares()).containsEntry("DIRECT", 0.0).containsEntry("ABSTAIN", 0.0);
    }

    @Test
    void zeroCostModelSavesNothingWithoutDividingByZero() {
        CostModel free = new CostModel(new CostModel.Stage(0, 0), new CostModel.Stage(0, 0), new CostModel.Stage(0, 0));
        assertThat(RoutingEconomics.of(List.of("DIRECT"), free).costSavedShare()).isZero();
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> RoutingEconomics.of(List.of(), model)).hasMessageContaining("no routed requests");
        assertThatThrownBy(() -> RoutingEconomics.of(List.of("DIRECT", "LATER"), model)).hasMessageContaining("LATER");
        assertThatThrownBy(() -> new CostModel.Stage(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
