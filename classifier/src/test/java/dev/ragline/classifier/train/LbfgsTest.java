package dev.ragline.classifier.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LbfgsTest {
    @Test
    void minimisesRosenbrock() {
        Lbfgs.Objective rosenbrock = (x, g) -> {
            double a = 1 - x[0], b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        };
        Lbfgs.Result r = new Lbfgs(500, 1e-8, 0).minimize(rosenbrock, new double[]{-1.2, 1});
        assertThat(r.converged()).isTrue();
        assertThat(r.x()[0]).isCloseTo(1.0, within(1e-5));
        assertThat(r.x()[1]).isCloseTo(1.0, within(1e-5));
    }
}
