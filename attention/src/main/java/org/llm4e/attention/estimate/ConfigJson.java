package org.llm4e.attention.estimate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for Hugging Face {@code config.json} files (objects, arrays, strings, numbers, booleans, null),
 * so that the library needs no JSON dependency. Objects become {@code LinkedHashMap<String, Object>}, arrays
 * {@code List<Object>}, numbers {@code Double}.
 */
final class ConfigJson {
    private final String text;
    private int pos;

    /** Corrupt content, with the character offset where reading stopped. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        final int offset;

        SyntaxError(String message, int offset) {
            super(message);
            this.offset = offset;
        }
    }

    private ConfigJson(String text) {
        this.text = text;
    }

    static Object parse(String text) throws SyntaxError {
        ConfigJson p = new ConfigJson(text);
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw new SyntaxError("unexpected text after the JSON value", p.pos);
        }
        return v;
    }

    private Object value() throws SyntaxError {
        skipSpace();
        if (pos >= text.length()) {
            throw new SyntaxError("unexpected end of input", pos);
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw new SyntaxError("unexpected character '" + c + "'", pos);
        }
    }

    private Map<String, Object> object() throws SyntaxError {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw new SyntaxError("expected a key string", pos);
            }
            String key = string();
            skipSpace();
            expect(':');
            m.put(key, value());
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw new SyntaxError("expected ',' or '}'", pos - 1);
            }
        }
    }

    private List<Object> array() throws SyntaxError {
        List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value());
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw new SyntaxError("expected ',' or ']'", pos - 1);
            }
        }
    }

    private String string() throws SyntaxError {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                break;
            }
            char e = text.charAt(pos++);
            switch (e) {
                case 'n':
                    sb.append('\n');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case 'u':
                    if (pos + 4 > text.length()) {
                        throw new SyntaxError("truncated \\u escape", pos);
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw new SyntaxError("bad \\u escape", pos);
                    }
                    pos += 4;
                    break;
                default:
                    sb.append(e);
            }
        }
        throw new SyntaxError("unterminated string", pos);
    }

    private Double number() throws SyntaxError {
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        try {
            return Double.valueOf(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw new SyntaxError("bad number '" + text.substring(start, pos) + "'", start);
        }
    }

    private Object literal(String word, Object value) throws SyntaxError {
        if (!text.startsWith(word, pos)) {
            throw new SyntaxError("expected " + word, pos);
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) throws SyntaxError {
        if (peek() != c) {
            throw new SyntaxError("expected '" + c + "'", pos);
        }
        pos++;
    }

    private char peek() throws SyntaxError {
        if (pos >= text.length()) {
            throw new SyntaxError("unexpected end of input", pos);
        }
        return text.charAt(pos);
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }
}
