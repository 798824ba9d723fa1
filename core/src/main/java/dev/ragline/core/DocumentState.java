package dev.ragline.core;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What a store holds of one document: its chunk count per stored version, and the version of its deletion
 * marker, if it was deleted.
 */
public record DocumentState(Map<Long, Integer> chunksPerVersion, OptionalLong deletedVersion) {
    public static final DocumentState ABSENT = new DocumentState(Map.of(), OptionalLong.empty());

    public DocumentState {
        chunksPerVersion = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(chunksPerVersion));
        deletedVersion = deletedVersion == null ? OptionalLong.empty() : deletedVersion;
    }

    /** The newest version with chunks stored. */
    public OptionalLong liveVersion() {
        return chunksPerVersion.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(((java.util.SortedMap<Long, Integer>) chunksPerVersion).lastKey());
    }

    /** The highest version the store knows of, live or deleted. */
    public OptionalLong knownVersion() {
        OptionalLong live = liveVersion();
        if (live.isEmpty()) return deletedVersion;
        if (deletedVersion.isEmpty()) return live;
        return OptionalLong.of(Math.max(live.getAsLong(), deletedVersion.getAsLong()));
    }

    /** True when exactly {@code chunks} chunks of {@code version} and nothing of another version are stored. */
    public boolean holdsExactly(long version, int chunks) {
        return chunksPerVersion.size() == 1 && Integer.valueOf(chunks).equals(chunksPerVersion.get(version));
    }
}
