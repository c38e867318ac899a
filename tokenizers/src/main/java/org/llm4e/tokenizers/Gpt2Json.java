package org.llm4e.tokenizers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON shape GPT-2's {@code encoder.json} uses, a flat object of string keys and integer values, read
 * without a JSON library (this module has no dependencies): RFC 8259 strings with every escape, including UTF-16
 * surrogate pairs as two {@code \}{@code u} escapes; integer values; any whitespace. Errors name the file and line.
 */
final class Gpt2Json {
    private final Path file;
    private final String s;
    private int pos;
    private int line = 1;

    private Gpt2Json(Path file, String s) {
        this.file = file;
        this.s = s;
    }

    /**
     * Reads the object.
     *
     * @param file the file
     * @param lineOfKey receives the line on which each key starts
     * @return key → value in file order
     */
    static Map<String, Integer> read(Path file, Map<String, Integer> lineOfKey) throws IOException {
        Gpt2Json p = new Gpt2Json(file, Files.readString(file, StandardCharsets.UTF_8));
        Map<String, Integer> out = new LinkedHashMap<>();
        p.skipSpace();
        p.expect('{');
        p.skipSpace();
        if (p.peek() == '}') {
            p.pos++;
        } else {
            while (true) {
                p.skipSpace();
                int keyLine = p.line;
                String key = p.string();
                p.skipSpace();
                p.expect(':');
                p.skipSpace();
                int value = p.integer();
                if (out.put(key, value) != null) {
                    throw new TokenizerFormatException(file, keyLine, "key " + SpecialTokens.quote(key) + " repeats");
                }
                lineOfKey.put(key, keyLine);
                p.skipSpace();
                char c = p.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw p.error("expected ',' or '}', got '" + c + "'");
                }
            }
        }
        p.skipSpace();
        if (p.pos < p.s.length()) {
            throw p.error("unexpected text after the object");
        }
        return out;
    }

    private TokenizerFormatException error(String reason) {
        return new TokenizerFormatException(file, line, reason);
    }

    private char peek() throws TokenizerFormatException {
        if (pos >= s.length()) {
            throw error("unexpected end of file");
        }
        return s.charAt(pos);
    }

    private char next() throws TokenizerFormatException {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) throws TokenizerFormatException {
        char got = next();
        if (got != c) {
            throw error("expected '" + c + "', got '" + got + "'");
        }
    }

    private void skipSpace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '\n') {
                line++;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private String string() throws TokenizerFormatException {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("control character U+" + String.format("%04X", (int) c) + " in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    sb.append(e);
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'u':
                    if (pos + 4 > s.length()) {
                        throw error("unexpected end of file in a \\u escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException bad) {
                        throw error("invalid \\u escape \"\\u" + s.substring(pos, pos + 4) + "\"");
                    }
                    pos += 4;
                    break;
                default:
                    throw error("invalid escape \"\\" + e + "\"");
            }
        }
    }

    private int integer() throws TokenizerFormatException {
        int start = pos;
        if (pos < s.length() && s.charAt(pos) == '-') {
            pos++;
        }
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        try {
            return Integer.parseInt(s.substring(start, pos));
        } catch (NumberFormatException bad) {
            throw error("expected an integer id, got \""
                    + s.substring(start, Math.min(s.length(), Math.max(pos, start + 1))) + "\"");
        }
    }
}
