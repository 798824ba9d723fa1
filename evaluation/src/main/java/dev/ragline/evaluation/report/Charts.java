package dev.ragline.evaluation.report;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Chart data of a run; every list may be empty. The dashboard draws whatever is present, so a suite only fills
 * what it measured.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Charts(List<Reliability> reliability, List<Curve> curves, List<Confusion> confusion,
                     List<Table> tables, List<Histogram> histograms) {

    public Charts {
        reliability = reliability == null ? List.of() : List.copyOf(reliability);
        curves = curves == null ? List.of() : List.copyOf(curves);
        confusion = confusion == null ? List.of() : List.copyOf(confusion);
        tables = tables == null ? List.of() : List.copyOf(tables);
        histograms = histograms == null ? List.of() : List.copyOf(histograms);
    }

    public static Charts empty() {
        return new Charts(null, null, null, null, null);
    }

    /** Reliability diagram: per confidence bin, its range, size, mean confidence and accuracy. */
    public record Reliability(String name, List<Bin> bins) {
        public record Bin(double lower, double upper, long count, double confidence, double accuracy) {
        }
    }

    /** A line chart, for example coverage against selective accuracy, or a ROC curve. */
    public record Curve(String name, String xLabel, String yLabel, List<Point> points) {
        public record Point(double x, double y) {
        }
    }

    /** Confusion matrix: counts[gold][predicted], in the order of labels. */
    public record Confusion(String name, List<String> labels, List<List<Long>> counts) {
        public Confusion {
            if (counts.size() != labels.size()) throw new IllegalArgumentException("confusion rows != labels");
            for (List<Long> row : counts)
                if (row.size() != labels.size()) throw new IllegalArgumentException("confusion columns != labels");
        }
    }

    /** A table of values, for example nDCG/recall/MRR per retrieval configuration. */
    public record Table(String name, List<String> columns, List<List<Object>> rows) {
        public Table {
            for (List<Object> row : rows)
                if (row.size() != columns.size()) throw new IllegalArgumentException("row width != columns in " + name);
        }
    }

    /**
     * Histograms over shared bins: series[j].counts[i] values fell in [edges[i], edges[i+1]) (the last bin closed).
     */
    public record Histogram(String name, String xLabel, List<Double> edges, List<Series> series) {
        public Histogram {
            for (Series s : series)
                if (edges.size() != s.counts().size() + 1)
                    throw new IllegalArgumentException("edges must be counts + 1 in " + name);
        }

        public record Series(String name, List<Long> counts) {
        }

        /** Counts values into {@code bins} equal bins over [lo, hi]; values outside are clamped to the end bins. */
        public static Series count(String name, double[] values, int bins, double lo, double hi) {
            long[] counts = new long[bins];
            for (double v : values) {
                int b = (int) Math.floor((v - lo) / (hi - lo) * bins);
                counts[Math.max(0, Math.min(bins - 1, b))]++;
            }
            return new Series(name, java.util.Arrays.stream(counts).boxed().toList());
        }

        public static List<Double> edges(int bins, double lo, double hi) {
            List<Double> out = new java.util.ArrayList<>();
            for (int i = 0; i <= bins; i++) out.add(lo + (hi - lo) * i / bins);
            return out;
        }
    }
}
