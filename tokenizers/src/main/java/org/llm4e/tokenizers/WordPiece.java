package org.llm4e.tokenizers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.llm4e.tokenizers.internal.CodePointTrie;
import org.llm4e.tokenizers.internal.IntList;

/**
 * BERT's WordPiece tokenizer: {@link BertNormalizer} → {@link BertPreTokenizer} → greedy longest-match-first
 * WordPiece on each word.
 *
 * <pre>
 *   for each word w (at most 100 code points, else [UNK]):
 *     start = 0
 *     while start &lt; |w|:
 *       end = |w|
 *       while end &gt; start and (start == 0 ? w[start:end] : "##" + w[start:end]) ∉ vocab:  end -= 1
 *       if end == start:  the whole word becomes [UNK]        (not just the piece)
 *       emit that piece; start = end
 *   "unaffable" → [un, ##aff, ##able]
 * </pre>
 *
 * <p>Two shapes of that loop. {@link #tokenize(String)} and {@link #tokenizeWord(String)} are the readable reference
 * above: one hash-map look-up of a substring per (start, end), longest end first. {@link #encode(String)} gives the
 * same ids with two tries over the vocabulary ({@code internal.CodePointTrie}): one of every token for the start of
 * a word, one of the continuation tokens without their {@code ##} for the rest. From each start it walks the trie
 * once along the word and keeps the last node where a token ends, so a word costs one pass over its code points per
 * piece, with no substring, no hashing and no boxed id; words are found in place in the normalized text rather than
 * cut out. Property tests check that the two give identical ids on random vocabularies and texts.
 *
 * <p>Article: {@code 搞懂大模型的分词器（三）.md} (catalog A5) explains training only and notes that BERT marks a
 * piece that continues a word with {@code ##}; the encoding above is not in the article ([X]). Matches Hugging Face
 * tokenizers' {@code BertNormalizer + BertPreTokenizer + WordPiece} (unk {@code [UNK]}, prefix {@code ##}, {@code
 * max_input_chars_per_word} 100) and its {@code WordPiece} decoder with {@code cleanup = true}. Ids are the 0-based
 * line numbers of vocab.txt. {@link #encode(String)} adds no {@code [CLS]}/{@code [SEP]}: {@link BertPostProcessor}
 * does. Decoding is not the inverse of encoding: lower-casing, accent stripping, dropped control characters and the
 * spaces around punctuation are lost (the round-trip property holds for normalized text up to white space).
 *
 * <p>Immutable and thread-safe.
 */
public final class WordPiece implements Tokenizer {
    /** The unknown-word token. */
    public static final String UNK = "[UNK]";
    /** The prefix of a piece that continues a word. */
    public static final String CONTINUATION = "##";
    /** Longer words (in code points) become {@link #UNK} without trying. */
    public static final int MAX_INPUT_CHARS_PER_WORD = 100;

    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final boolean lowercase;
    private final int maxTokenChars;
    private final CodePointTrie initial;
    private final CodePointTrie continuation;
    private final int unkId;

    private WordPiece(List<String> vocabulary, boolean lowercase) {
        this.tokens = vocabulary.toArray(new String[0]);
        this.ids = new HashMap<>(tokens.length * 2);
        int longest = 1;
        for (int i = 0; i < tokens.length; i++) {
            // a duplicate line keeps the later id, as Hugging Face's vocab.txt reader (a map insert) does
            ids.put(tokens[i], i);
            longest = Math.max(longest, tokens[i].codePointCount(0, tokens[i].length()));
        }
        this.lowercase = lowercase;
        this.maxTokenChars = longest;
        // the tries hold each distinct token once, with the id the map resolved (the later one of a duplicate)
        List<String> starts = new ArrayList<>(ids.size());
        List<String> rests = new ArrayList<>();
        int[] startIds = new int[ids.size()];
        int[] restIds = new int[ids.size()];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            String t = e.getKey();
            if (t.isEmpty()) {
                continue; // the empty token matches nothing: the loop only tries non-empty pieces
            }
            startIds[starts.size()] = e.getValue();
            starts.add(t);
            if (t.startsWith(CONTINUATION) && t.length() > CONTINUATION.length()) {
                restIds[rests.size()] = e.getValue();
                rests.add(t.substring(CONTINUATION.length()));
            }
        }
        this.initial = CodePointTrie.ofStrings(starts, Arrays.copyOf(startIds, starts.size()));
        this.continuation = CodePointTrie.ofStrings(rests, Arrays.copyOf(restIds, rests.size()));
        this.unkId = ids.getOrDefault(UNK, -1);
    }

    /**
     * Builds a tokenizer from a vocabulary in id order.
     *
     * @param vocabulary token i has id i; continuation pieces start with {@code ##}
     * @param lowercase uncased model (strip accents and lower-case) or cased
     * @return the tokenizer
     * @throws IllegalArgumentException if the vocabulary is empty or holds a null token
     */
    public static WordPiece of(List<String> vocabulary, boolean lowercase) {
        if (vocabulary == null || vocabulary.isEmpty()) {
            throw new IllegalArgumentException(
                    "vocabulary must hold at least one token, got " + (vocabulary == null ? "null" : "an empty list"));
        }
        for (int i = 0; i < vocabulary.size(); i++) {
            if (vocabulary.get(i) == null) {
                throw new IllegalArgumentException("vocabulary[" + i + "] must be a token, got null");
            }
        }
        return new WordPiece(vocabulary, lowercase);
    }

    /**
     * Loads a BERT vocab.txt: one token per line, the line number (from 0) is the id, trailing white space of a line
     * is dropped (as Hugging Face's reader does).
     *
     * @param vocabTxt the file, UTF-8
     * @param lowercase uncased model (strip accents and lower-case) or cased
     * @return the tokenizer
     * @throws IOException if the file cannot be read
     * @throws TokenizerFormatException if the file is empty
     */
    public static WordPiece load(Path vocabTxt, boolean lowercase) throws IOException {
        List<String> vocabulary = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(vocabTxt, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                vocabulary.add(stripTrailingWhitespace(line));
            }
        }
        if (vocabulary.isEmpty()) {
            throw new TokenizerFormatException(vocabTxt, 1, "a vocab.txt must hold at least one token, got none");
        }
        return new WordPiece(vocabulary, lowercase);
    }

    /**
     * Writes the vocabulary as vocab.txt, one token per line in id order, so that {@link #load(Path, boolean)}
     * gives back the same tokenizer.
     *
     * @param vocabTxt the file to write (UTF-8, replaced if it exists)
     * @throws IOException if the file cannot be written
     * @throws IllegalStateException if a token holds a line break or trailing white space, which the format
     *     cannot keep
     */
    public void save(Path vocabTxt) throws IOException {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].indexOf('\n') >= 0
                    || tokens[i].indexOf('\r') >= 0
                    || !stripTrailingWhitespace(tokens[i]).equals(tokens[i])) {
                throw new IllegalStateException("token " + i + " " + SpecialTokens.quote(tokens[i])
                        + " cannot be written to vocab.txt: it holds a line break or trailing white space");
            }
        }
        try (Writer w = Files.newBufferedWriter(vocabTxt, StandardCharsets.UTF_8)) {
            for (String t : tokens) {
                w.write(t);
                w.write('\n');
            }
        }
    }

    /**
     * Encodes a text: normalization, the pre-split and greedy longest-match-first on each word, walking the tries
     * (the ids of {@link #tokenize(String)}'s tokens, without building them).
     *
     * @param text the text
     * @return the token ids (no {@code [CLS]}/{@code [SEP]})
     * @throws IllegalArgumentException if a word needs {@link #UNK} and the vocabulary lacks it
     */
    @Override
    public int[] encode(String text) {
        String s = BertNormalizer.normalize(text, lowercase);
        IntList out = new IntList(s.length() / 3 + 8);
        // the words of BertPreTokenizer.split, as char ranges of s
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (BertNormalizer.isWhitespace(cp)) {
                if (start >= 0) {
                    encodeWord(s, start, i, out);
                    start = -1;
                }
            } else if (BertPreTokenizer.isPunctuation(cp)) {
                if (start >= 0) {
                    encodeWord(s, start, i, out);
                    start = -1;
                }
                encodeWord(s, i, next, out);
            } else if (start < 0) {
                start = i;
            }
            i = next;
        }
        if (start >= 0) {
            encodeWord(s, start, s.length(), out);
        }
        return out.toArray();
    }

    /** The ids of the reference {@link #tokenize(String)}: the readable path that {@code encode} must match. */
    int[] encodeByLookup(String text) {
        List<String> pieces = tokenize(text);
        int[] out = new int[pieces.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.get(pieces.get(i));
        }
        return out;
    }

    /** Greedy longest match on the word {@code s[from, to)} by trie walks; appends the ids. */
    private void encodeWord(String s, int from, int to, IntList out) {
        if (to - from > MAX_INPUT_CHARS_PER_WORD && s.codePointCount(from, to) > MAX_INPUT_CHARS_PER_WORD) {
            out.add(unkId(s, from, to));
            return;
        }
        int mark = out.size();
        CodePointTrie trie = initial;
        int start = from;
        while (start < to) {
            long match = trie.longestPrefix(s, start, to);
            if (match < 0) {
                // one unmatched position makes the whole word unknown, not just the rest of it
                out.truncate(mark);
                out.add(unkId(s, from, to));
                return;
            }
            out.add((int) match);
            start = (int) (match >>> 32);
            trie = continuation;
        }
    }

    private int unkId(String s, int from, int to) {
        if (unkId < 0) {
            unk(s.substring(from, to)); // throws, with the same message as the reference
        }
        return unkId;
    }

    /**
     * Splits a text into WordPiece tokens (the strings whose ids {@link #encode(String)} returns).
     *
     * @param text the text
     * @return the tokens, e.g. {@code [un, ##aff, ##able]}
     * @throws IllegalArgumentException if a word needs {@link #UNK} and the vocabulary lacks it
     */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String word : BertPreTokenizer.split(BertNormalizer.normalize(text, lowercase))) {
            tokenizeWord(word, out);
        }
        return out;
    }

    /**
     * Splits one pre-tokenized word, greedily, longest match first.
     *
     * @param word the word (no white space)
     * @return the pieces, or {@code [[UNK]]}
     * @throws IllegalArgumentException if the word needs {@link #UNK} and the vocabulary lacks it
     */
    public List<String> tokenizeWord(String word) {
        List<String> out = new ArrayList<>();
        tokenizeWord(word, out);
        return out;
    }

    private void tokenizeWord(String word, List<String> out) {
        int chars = word.codePointCount(0, word.length());
        if (chars > MAX_INPUT_CHARS_PER_WORD) {
            out.add(unk(word));
            return;
        }
        int mark = out.size();
        int start = 0;
        while (start < word.length()) {
            // no token is longer than maxTokenChars code points: start the search there (same result, less work)
            int end =
                    word.offsetByCodePoints(start, Math.min(maxTokenChars, word.codePointCount(start, word.length())));
            String found = null;
            while (end > start) {
                String piece = start == 0 ? word.substring(0, end) : CONTINUATION + word.substring(start, end);
                if (ids.containsKey(piece)) {
                    found = piece;
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found == null) {
                // one unmatched position makes the whole word unknown, not just the rest of it
                out.subList(mark, out.size()).clear();
                out.add(unk(word));
                return;
            }
            out.add(found);
            start = end;
        }
    }

    private String unk(String word) {
        if (!ids.containsKey(UNK)) {
            throw new IllegalArgumentException("word " + SpecialTokens.quote(word)
                    + " cannot be split into vocabulary pieces and the vocabulary has no " + UNK + " token");
        }
        return UNK;
    }

    /**
     * Decodes as Hugging Face's WordPiece decoder (prefix {@code ##}, cleanup on): pieces after the first are
     * joined to the previous one when they start with {@code ##} and by a space otherwise; then {@code " ."},
     * {@code " ?"}, {@code " !"}, {@code " ,"}, {@code " ' "}, {@code " n't"}, {@code " 'm"}, {@code " do not"},
     * {@code " 's"}, {@code " 've"}, {@code " 're"} are tidied in each piece. Special tokens are kept.
     *
     * @param ids the token ids
     * @return the text
     * @throws IllegalArgumentException if an id is not in the vocabulary
     */
    @Override
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            String t = token(ids[i]);
            if (i != 0) {
                t = t.startsWith(CONTINUATION) ? t.substring(CONTINUATION.length()) : " " + t;
            }
            out.append(cleanup(t));
        }
        return out.toString();
    }

    private static String cleanup(String s) {
        if (s.indexOf(' ') < 0) {
            return s;
        }
        return s.replace(" .", ".")
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

    /**
     * Returns the token of an id.
     *
     * @param id the id
     * @return the token text as in vocab.txt
     * @throws IllegalArgumentException if the id is not in [0, vocabSize)
     */
    public String token(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("id must be in [0, " + tokens.length + "), got " + id);
        }
        return tokens[id];
    }

    /**
     * Returns the id of a token.
     *
     * @param token the token text
     * @return its id, or -1 if it is not in the vocabulary
     */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /**
     * Returns the vocabulary in id order.
     *
     * @return an unmodifiable list
     */
    public List<String> vocabulary() {
        return Collections.unmodifiableList(Arrays.asList(tokens.clone()));
    }

    /**
     * Tells whether this tokenizer strips accents and lower-cases (an uncased model).
     *
     * @return the {@code lowercase} flag
     */
    public boolean lowercase() {
        return lowercase;
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    private static String stripTrailingWhitespace(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!BertNormalizer.isWhitespace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(0, end);
    }
}
