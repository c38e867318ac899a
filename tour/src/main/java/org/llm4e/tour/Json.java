package org.llm4e.tour;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * JMH's result files read with Jackson into plain Java values: objects become {@code LinkedHashMap<String, Object>},
 * arrays {@code List<Object>}, numbers {@code Integer}/{@code Long}/{@code Double}, strings {@code String},
 * {@code true}/{@code false} {@code Boolean}, {@code null} null. JSON is not the lesson of the tour, so it uses the
 * library everybody uses (tokenizers-hf does the same); the library modules that must read a little JSON without
 * dependencies (attention's {@code config.json} reader, tokenizers' GPT-2 files) have their own small readers.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /**
     * Parses one JSON value.
     *
     * @param text the JSON text
     * @return the value
     * @throws IllegalArgumentException naming the line, column and character offset when the text is not JSON
     */
    static Object parse(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException(
                    "JSON"
                            + (at == null
                                    ? ""
                                    : " at line " + at.getLineNr() + ", column " + at.getColumnNr() + " (character "
                                            + at.getCharOffset() + ")")
                            + ": " + e.getOriginalMessage(),
                    e);
        }
    }

    /** A number, or a JMH's {@code "NaN"}/{@code "Infinity"} string, as a double; NaN when absent. */
    static double number(Object v) {
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof String) {
            try {
                return Double.parseDouble((String) v);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** The member {@code key} of an object, or null. */
    @SuppressWarnings("unchecked")
    static Object get(Object object, String key) {
        return object instanceof Map ? ((Map<String, Object>) object).get(key) : null;
    }
}
