package dev.ragline.classifier.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetReaderTest {

    private static Path fixture(String name) {
        return dev.ragline.classifier.Fixtures.path(name);
    }

    @Test
    void csvWithQuotedCommasAndCategoryColumn() {
        List<LabeledText> rows = DatasetReader.readCsv(fixture("intents.csv"));
        assertThat(rows).hasSize(18);
        assertThat(rows.getFirst()).isEqualTo(new LabeledText("where is my card, it has not arrived", "card_arrival"));
        assertThat(rows).extracting(LabeledText::label).containsOnly("card_arrival", "balance", "transfer");
    }

    @Test
    void jsonlSkipsBlankLinesAndAcceptsIntentKey() {
        List<LabeledText> rows = DatasetReader.readJsonl(fixture("intents.jsonl"));
        assertThat(rows).extracting(LabeledText::label).containsExactly("card_arrival", "balance", "transfer");
    }

    @Test
    void clincSplits() {
        Map<String, List<LabeledText>> splits = DatasetReader.readClinc(fixture("clinc-mini.json"));
        assertThat(splits.keySet()).containsExactly("train", "val", "test", "oos_train", "oos_val", "oos_test");
        assertThat(splits.get("train")).hasSize(12);
        assertThat(splits.get("oos_test").getFirst().label()).isEqualTo("oos");
    }

    @Test
    void badRowsFailWithTheirLocation() {
        assertThatThrownBy(() -> DatasetReader.readCsv(fixture("bad-missing-label.csv")))
                .hasMessageContaining("bad-missing-label.csv line 3").hasMessageContaining("label");
        assertThatThrownBy(() -> DatasetReader.readCsv(fixture("bad-first-row.csv")))
                .hasMessageContaining("bad-first-row.csv line 2").hasMessageContaining("text");
        assertThatThrownBy(() -> DatasetReader.readCsv(fixture("bad-header.csv")))
                .hasMessageContaining("'text' column");
        assertThatThrownBy(() -> DatasetReader.readJsonl(fixture("bad-line.jsonl")))
                .hasMessageContaining("bad-line.jsonl line 2").hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> DatasetReader.readClinc(fixture("bad-clinc.json")))
                .hasMessageContaining("split 'train' item 1").hasMessageContaining("[text, intent]");
        assertThatThrownBy(() -> DatasetReader.Format.parse("xml")).hasMessageContaining("csv, jsonl or clinc");
    }
}
