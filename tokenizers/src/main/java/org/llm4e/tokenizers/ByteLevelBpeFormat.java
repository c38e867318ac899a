package org.llm4e.tokenizers;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reader of {@link ByteLevelBpe#save(Path)}'s text format; every error names the file and the line. */
final class ByteLevelBpeFormat {
    private final Path file;
    private final String text;
    private int pos;
    /** The 1-based number of the last line read. */
    private int line;

    private ByteLevelBpeFormat(Path file, String text) {
        this.file = file;
        this.text = text;
    }

    static ByteLevelBpe read(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerFormatException(file, 1, "the file is not valid UTF-8");
        }
        return new ByteLevelBpeFormat(file, text).parse();
    }

    private ByteLevelBpe parse() throws IOException {
        String header = nextLine();
        if (!ByteLevelBpe.FORMAT_HEADER.equals(header)) {
            throw error("expected the header \"" + ByteLevelBpe.FORMAT_HEADER + "\", got " + quote(header));
        }
        String patternLine = nextLine();
        String pattern;
        if ("pattern none".equals(patternLine)) {
            pattern = null;
        } else {
            int n = count(patternLine, "pattern");
            if (pos + n >= text.length() || text.charAt(pos + n) != '\n') {
                throw error("expected " + n + " chars of split pattern followed by a line break");
            }
            pattern = text.substring(pos, pos + n);
            line++;
            for (int i = 0; i < n; i++) {
                if (text.charAt(pos + i) == '\n') {
                    line++;
                }
            }
            pos += n + 1;
            try {
                ByteLevelBpe.validatePattern(pattern);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }
        int k = count(nextLine(), "special");
        int specialLine = line;
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (int i = 0; i < k; i++) {
            String l = nextLine();
            int space = l.indexOf(' ');
            if (space <= 0 || space == l.length() - 1) {
                throw error("expected \"<id> <text>\" for a special token, got " + quote(l));
            }
            int id = parseInt(l.substring(0, space), "special token id");
            if (specials.put(l.substring(space + 1), id) != null) {
                throw error("duplicate special token " + quote(l.substring(space + 1)));
            }
        }
        int m = count(nextLine(), "merges");
        List<Merge> merges = new ArrayList<>(m);
        List<String> rendered = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            String l = nextLine();
            int tab = l.indexOf('\t');
            String ids = tab >= 0 ? l.substring(0, tab) : l;
            String[] parts = ids.split(" ", -1);
            if (parts.length != 2) {
                throw error("expected \"<left> <right>\" for merge " + i + ", got " + quote(l));
            }
            int left = parseInt(parts[0], "left id");
            int right = parseInt(parts[1], "right id");
            int id = 256 + i;
            if (left >= id || right >= id) {
                throw error("merge " + i + " creates id " + id + " and must use ids below it, got (" + left + ", "
                        + right + ")");
            }
            merges.add(new Merge(left, right, id));
            rendered.add(tab >= 0 ? l.substring(tab + 1) : null);
        }
        if (pos < text.length()) {
            line++;
            throw error("unexpected content after " + m + " merges");
        }
        ByteLevelBpe bpe;
        try {
            bpe = ByteLevelBpe.of(pattern, merges, specials);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(file, specialLine, e.getMessage());
        }
        int firstMergeLine = line - m + 1;
        for (int i = 0; i < m; i++) {
            String r = rendered.get(i);
            if (r != null && !r.equals(bpe.renderToken(256 + i))) {
                throw new TokenizerFormatException(
                        file,
                        firstMergeLine + i,
                        "merge " + i + " spells " + quote(bpe.renderToken(256 + i)) + " but the file says " + quote(r));
            }
        }
        return bpe;
    }

    private String nextLine() throws TokenizerFormatException {
        line++;
        if (pos >= text.length()) {
            throw error("unexpected end of file");
        }
        int end = text.indexOf('\n', pos);
        if (end < 0) {
            throw error("missing line break at the end of the line");
        }
        String l = text.substring(pos, end);
        pos = end + 1;
        return l;
    }

    private int count(String l, String keyword) throws TokenizerFormatException {
        if (!l.startsWith(keyword + " ")) {
            throw error("expected \"" + keyword + " <count>\", got " + quote(l));
        }
        return parseInt(l.substring(keyword.length() + 1), keyword + " count");
    }

    private int parseInt(String s, String what) throws TokenizerFormatException {
        try {
            int v = Integer.parseInt(s);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw error("expected a non-negative integer " + what + ", got " + quote(s));
        }
    }

    private TokenizerFormatException error(String reason) {
        return new TokenizerFormatException(file, line, reason);
    }

    private static String quote(String s) {
        return SpecialTokens.quote(s.length() > 80 ? s.substring(0, 80) + "…" : s);
    }
}
