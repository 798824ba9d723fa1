package dev.ragline.evaluation.report;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Where a run's numbers came from.
 *
 * @param gitCommit     HEAD of the checkout the harness ran from, null when not in a git checkout
 * @param gitDirty      whether tracked files had uncommitted changes (null when unknown)
 * @param encoderModel  encoder model id, null when the suite uses no encoder
 * @param encoderSha256 SHA-256 of the encoder's ONNX file
 * @param inputs        datasets, models and artifacts read, each with its checksum
 * @param javaVersion   the JVM that ran the harness
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunProvenance(String gitCommit, Boolean gitDirty, String encoderModel, String encoderSha256,
                            List<Input> inputs, String javaVersion) {

    public RunProvenance {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
    }

    /**
     * One file or folder the run read.
     *
     * @param kind   dataset, model or artifact
     * @param sha256 of the file, or for a folder of the sorted list of {@code relative-path  file-sha256} lines
     */
    public record Input(String kind, String name, String path, String sha256) {
    }
}
