package org.llm4e.tokenizers.hf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.llm4e.tokenizers.ByteToUnicode;

/**
 * The {@code decoder} section of a {@code tokenizer.json}: turns the list of token strings back into text (HF's
 * {@code decode_chain}, whose results are then concatenated). Mirrors Hugging Face tokenizers' {@code decoders/}:
 * {@code byte_level.rs} (printable characters back to bytes, UTF-8 with U+FFFD for invalid sequences), {@code
 * wordpiece.rs} ({@code ##} joins, a space otherwise, optional cleanup of spaces before punctuation), {@code
 * metaspace.rs}, {@code byte_fallback.rs} ({@code <0xNN>} runs to text, one U+FFFD per byte when invalid), {@code
 * fuse.rs}, {@code strip.rs}, {@code replace} (in {@code normalizers/replace.rs}) and {@code sequence.rs}.
 */
final class Decoders {
    private Decoders() {}

    static final String SUPPORTED = "ByteLevel, WordPiece, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence";

    /** Parses a decoder; {@code null} JSON means none: HF then joins the tokens with spaces. */
    static UnaryOperator<List<String>> parse(Json j) throws HfFormatException {
        if (j.isNull()) {
            return tokens -> List.of(String.join(" ", tokens));
        }
        String type = j.type();
        switch (type) {
            case "ByteLevel":
                return Decoders::byteLevel;
            case "WordPiece": {
                String prefix = j.string("prefix", "##");
                boolean cleanup = j.bool("cleanup", true);
                return tokens -> wordPiece(tokens, prefix, cleanup);
            }
            case "Metaspace": {
                String rep = j.string("replacement", "\u2581");
                String scheme = j.has("prepend_scheme")
                        ? j.string("prepend_scheme")
                        : (j.bool("add_prefix_space", true) ? "always" : "never");
                boolean strip = !scheme.equals("never");
                return tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (int i = 0; i < tokens.size(); i++) {
                        String t = tokens.get(i).replace(rep, " ");
                        if (i == 0 && strip && t.startsWith(" ")) {
                            t = t.substring(1);
                        }
                        out.add(t);
                    }
                    return out;
                };
            }
            case "ByteFallback":
                return Decoders::byteFallback;
            case "Fuse":
                return tokens -> List.of(String.join("", tokens));
            case "Strip": {
                String content = j.string("content");
                int start = j.integer("start", 0);
                int stop = j.integer("stop", 0);
                return tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (String t : tokens) {
                        out.add(strip(t, content, start, stop));
                    }
                    return out;
                };
            }
            case "Replace": {
                Pattern p = Patterns.parse(j.required("pattern"));
                String content = Matcher.quoteReplacement(j.string("content"));
                return tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (String t : tokens) {
                        out.add(p.matcher(t).replaceAll(content));
                    }
                    return out;
                };
            }
            case "Sequence": {
                List<UnaryOperator<List<String>>> steps = new ArrayList<>();
                for (Json d : j.required("decoders").array()) {
                    steps.add(parse(d));
                }
                return tokens -> {
                    for (UnaryOperator<List<String>> s : steps) {
                        tokens = s.apply(tokens);
                    }
                    return tokens;
                };
            }
            default:
                throw j.unsupported("decoder", type, SUPPORTED);
        }
    }

    /** The inverse of {@link ByteToUnicode#toChar(byte)}, -1 for other characters. */
    private static final int[] CHAR_TO_BYTE = new int[0x180];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[ByteToUnicode.toChar((byte) b)] = b;
        }
    }

    /** HF's ByteLevel decoder: a token made only of byte characters gives those bytes, any other its UTF-8. */
    static List<String> byteLevel(List<String> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String t : tokens) {
            byte[] tokenBytes = new byte[t.length()];
            boolean allBytes = true;
            for (int i = 0; i < t.length() && allBytes; i++) {
                char c = t.charAt(i);
                int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
                allBytes = b >= 0;
                tokenBytes[i] = (byte) b;
            }
            byte[] raw = allBytes ? tokenBytes : t.getBytes(StandardCharsets.UTF_8);
            bytes.write(raw, 0, raw.length);
        }
        return List.of(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
    }

    static List<String> wordPiece(List<String> tokens, String prefix, boolean cleanup) {
        List<String> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (i != 0) {
                t = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
            }
            if (cleanup) {
                t = t.replace(" .", ".")
                        .replace(" ?", "?")
                        .replace(" !", "!")
                        .replace(" ,", ",")
                        .replace(" ' ", "'")
                        .replace(" n't", "n't")
                        .replace(" 'm", "'m")
                        .replace(" do not", " don't")
                        .replace(" 's", "'s")
                        .replace(" 've", "'ve")
                        .replace(" 're", "'re");
            }
            out.add(t);
        }
        return out;
    }

    static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (String t : tokens) {
            int b = byteValue(t);
            if (b >= 0) {
                pending.write(b);
                continue;
            }
            flush(pending, out);
            out.add(t);
        }
        flush(pending, out);
        return out;
    }

    private static void flush(ByteArrayOutputStream pending, List<String> out) {
        if (pending.size() == 0) {
            return;
        }
        byte[] b = pending.toByteArray();
        try {
            out.add(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString());
        } catch (CharacterCodingException e) {
            for (int i = 0; i < b.length; i++) {
                out.add("\uFFFD");
            }
        }
        pending.reset();
    }

    /** {@code <0xNN>} (exactly six characters, hex digits in either case as Rust's from_str_radix) → NN, else -1. */
    static int byteValue(String t) {
        if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(t.charAt(3), 16);
        int lo = Character.digit(t.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    static String strip(String t, String content, int start, int stop) {
        int from = 0;
        int to = t.length();
        for (int i = 0; i < start && t.startsWith(content, from); i++) {
            from += content.length();
        }
        for (int i = 0;
                i < stop && to - content.length() >= from && t.startsWith(content, to - content.length());
                i++) {
            to -= content.length();
        }
        return t.substring(from, to);
    }
}
