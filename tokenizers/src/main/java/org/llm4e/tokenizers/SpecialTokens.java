package org.llm4e.tokenizers;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Validation shared by the builders and factories that accept special tokens. */
final class SpecialTokens {
    private SpecialTokens() {}

    /**
     * Checks and copies a special-token map.
     *
     * @param specialTokens text → id
     * @param firstFreeId the smallest id not used by ordinary tokens
     * @return an unmodifiable insertion-ordered copy
     */
    static Map<String, Integer> validate(Map<String, Integer> specialTokens, int firstFreeId) {
        if (specialTokens == null) {
            throw new IllegalArgumentException("specialTokens must not be null (use an empty map)");
        }
        Map<Integer, String> byId = new HashMap<>();
        Map<String, Integer> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : specialTokens.entrySet()) {
            String text = e.getKey();
            Integer id = e.getValue();
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException(
                        "specialTokens keys must be non-empty strings, got " + (text == null ? "null" : "\"\""));
            }
            if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("specialTokens key " + quote(text)
                        + " must not contain a line break (the saved format keeps one token per line)");
            }
            if (id == null || id < firstFreeId) {
                throw new IllegalArgumentException("specialTokens[" + quote(text) + "] must be an id >= " + firstFreeId
                        + " (ids below are bytes and merges), got " + id);
            }
            String previous = byId.putIfAbsent(id, text);
            if (previous != null) {
                throw new IllegalArgumentException("specialTokens ids must be distinct, got id " + id + " for both "
                        + quote(previous) + " and " + quote(text));
            }
            copy.put(text, id);
        }
        return Collections.unmodifiableMap(copy);
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
