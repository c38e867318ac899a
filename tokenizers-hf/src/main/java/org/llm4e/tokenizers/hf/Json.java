package org.llm4e.tokenizers.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JSON node together with its path in the document, so that every error names where it is ({@code
 * $.model.merges[12]}). Reading helpers check the JSON type and throw {@link HfFormatException} otherwise.
 */
final class Json {
    final JsonNode node;
    final String path;

    Json(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    boolean isNull() {
        return node == null || node.isNull() || node.isMissingNode();
    }

    boolean has(String field) {
        JsonNode n = node.get(field);
        return n != null && !n.isNull();
    }

    Json get(String field) {
        return new Json(node.get(field), path + "." + field);
    }

    Json at(int i) {
        return new Json(node.get(i), path + "[" + i + "]");
    }

    Json required(String field) throws HfFormatException {
        Json j = get(field);
        if (j.isNull()) {
            throw new HfFormatException(j.path, "is required, got " + (j.node == null ? "nothing" : "null"));
        }
        return j;
    }

    String string() throws HfFormatException {
        if (isNull() || !node.isTextual()) {
            throw new HfFormatException(path, "must be a string, got " + describe());
        }
        return node.textValue();
    }

    String string(String field) throws HfFormatException {
        return required(field).string();
    }

    String string(String field, String fallback) throws HfFormatException {
        Json j = get(field);
        return j.isNull() ? fallback : j.string();
    }

    boolean bool(String field, boolean fallback) throws HfFormatException {
        Json j = get(field);
        if (j.isNull()) {
            return fallback;
        }
        if (!j.node.isBoolean()) {
            throw new HfFormatException(j.path, "must be true or false, got " + j.describe());
        }
        return j.node.booleanValue();
    }

    int integer() throws HfFormatException {
        if (isNull() || !node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new HfFormatException(path, "must be an integer, got " + describe());
        }
        return node.intValue();
    }

    int integer(String field, int fallback) throws HfFormatException {
        Json j = get(field);
        return j.isNull() ? fallback : j.integer();
    }

    double number() throws HfFormatException {
        if (isNull() || !node.isNumber()) {
            throw new HfFormatException(path, "must be a number, got " + describe());
        }
        return node.doubleValue();
    }

    List<Json> array() throws HfFormatException {
        if (isNull() || !node.isArray()) {
            throw new HfFormatException(path, "must be an array, got " + describe());
        }
        List<Json> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(at(i));
        }
        return out;
    }

    List<Map.Entry<String, Json>> fields() throws HfFormatException {
        if (isNull() || !node.isObject()) {
            throw new HfFormatException(path, "must be an object, got " + describe());
        }
        List<Map.Entry<String, Json>> out = new ArrayList<>(node.size());
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            out.add(Map.entry(e.getKey(), new Json(e.getValue(), path + "." + e.getKey())));
        }
        return out;
    }

    /** The component's {@code type} member, required. */
    String type() throws HfFormatException {
        if (isNull() || !node.isObject()) {
            throw new HfFormatException(path, "must be an object with a \"type\", got " + describe());
        }
        return string("type");
    }

    HfFormatException unsupported(String kind, String type, String supported) {
        return new HfFormatException(
                path + ".type", "unsupported " + kind + " type \"" + type + "\" (supported: " + supported + ")");
    }

    String describe() {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String s = node.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
