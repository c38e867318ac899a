package org.llm4e.tokenizers.hf;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.llm4e.tokenizers.ByteLevelBpe;
import org.llm4e.tokenizers.Tokenizer;
import org.llm4e.tokenizers.Unigram;
import org.llm4e.tokenizers.WordPiece;
import org.llm4e.tokenizers.internal.IntList;

/**
 * A Hugging Face {@code tokenizer.json} read in pure Java: the same pipeline as the Rust library ({@code
 * tokenizers/src/tokenizer/mod.rs}, {@code encode_single_sequence}), with no native code.
 *
 * <pre>
 *   encode(text) = post_process(                          (only when special tokens are asked for)
 *                    for each segment of added_tokens.split(text):          (raw text: tokens with normalized=false)
 *                      an added token → its id
 *                      else for each segment of added_tokens.split(normalizer(segment)):   (normalized=true)
 *                        an added token → its id
 *                        else for each word of pre_tokenizer(segment):  model(word)
 *                  )
 *   decode(ids)  = concat(decoder([token(id) for id in ids]))
 * </pre>
 *
 * <p>Supported components (each mirrors the Rust file named in its class):
 *
 * <ul>
 *   <li>models: {@code BPE} (vocab, merges as {@code "a b"} or {@code ["a", "b"]}, {@code unk_token}, {@code
 *       fuse_unk}, {@code byte_fallback}, {@code continuing_subword_prefix}, {@code end_of_word_suffix}, {@code
 *       ignore_merges}; {@code dropout} must be null or 0 because it is random), {@code WordPiece} ({@code [UNK]},
 *       {@code ##}, 100), {@code Unigram} (with {@code byte_fallback});
 *   <li>normalizers: NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, BertNormalizer, Precompiled, Replace, Prepend,
 *       Strip, Nmt, Sequence;
 *   <li>pre-tokenizers: ByteLevel ({@code add_prefix_space}, {@code use_regex}; {@code trim_offsets} only moves
 *       offsets), Whitespace, WhitespaceSplit, BertPreTokenizer, Metaspace ({@code replacement}, {@code
 *       prepend_scheme}, {@code split}), Split (String or Regex pattern, behavior, invert), Digits, Punctuation,
 *       CharDelimiterSplit, Sequence;
 *   <li>post-processors: TemplateProcessing (single sequences), BertProcessing, RobertaProcessing, ByteLevel,
 *       Sequence; decoders: ByteLevel, WordPiece, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence.
 * </ul>
 *
 * Anything else fails to load with an {@link HfFormatException} naming the JSON path and the type. The {@code
 * truncation} and {@code padding} sections are ignored: this class encodes one text and never truncates or pads.
 *
 * <p>The reused parts of the library: {@link org.llm4e.tokenizers.BertNormalizer}, {@link
 * org.llm4e.tokenizers.BertPreTokenizer}, {@link org.llm4e.tokenizers.ByteToUnicode}, the pair merger of byte-level
 * BPE, {@link WordPiece#tokenizeWord(String)} and {@link Unigram#viterbi(String)}. The {@code save} methods write the
 * tokenizers llm4e trains ({@link ByteLevelBpe}, {@link WordPiece}, {@link Unigram}) as {@code tokenizer.json} files
 * that the Rust library loads and encodes identically.
 *
 * <p>Immutable and thread-safe.
 */
public final class HfTokenizer implements Tokenizer {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonNode document;
    private final UnaryOperator<String> normalizer;
    private final PreTokenizers.PreTokenizer preTokenizer;
    private final Model model;
    private final UnaryOperator<int[]> postProcessor;
    private final UnaryOperator<List<String>> decoder;
    private final AddedVocabulary rawAdded;
    private final AddedVocabulary normalizedAdded;
    private final String[] tokens;
    private final Map<String, Integer> tokenIds;
    private final Set<Integer> specialIds;

    private HfTokenizer(JsonNode document) throws HfFormatException {
        this.document = document;
        Json root = new Json(document, "$");
        if (!document.isObject()) {
            throw new HfFormatException("$", "a tokenizer.json must be a JSON object, got " + root.describe());
        }
        this.normalizer = Normalizers.parse(root.get("normalizer"));
        this.preTokenizer = PreTokenizers.parse(root.get("pre_tokenizer"));
        Map<String, Integer> vocab = new HashMap<>();
        this.model = Models.parse(root.required("model"), vocab);
        this.postProcessor = PostProcessors.parse(root.get("post_processor"));
        this.decoder = Decoders.parse(root.get("decoder"));
        List<AddedVocabulary.Token> raw = new ArrayList<>();
        List<AddedVocabulary.Token> normalized = new ArrayList<>();
        Set<Integer> special = new HashSet<>();
        Map<Integer, String> addedById = new HashMap<>();
        Json added = root.get("added_tokens");
        if (!added.isNull()) {
            for (Json t : added.array()) {
                int id = t.required("id").integer();
                String content = t.string("content");
                boolean norm = t.bool("normalized", true);
                boolean isSpecial = t.bool("special", false);
                AddedVocabulary.Token token = new AddedVocabulary.Token(
                        id,
                        norm ? normalizer.apply(content) : content,
                        t.bool("single_word", false),
                        t.bool("lstrip", false),
                        t.bool("rstrip", false),
                        norm,
                        isSpecial);
                (norm ? normalized : raw).add(token);
                if (isSpecial) {
                    special.add(id);
                }
                addedById.put(id, content);
            }
        }
        this.rawAdded = new AddedVocabulary(raw);
        this.normalizedAdded = new AddedVocabulary(normalized);
        this.specialIds = Set.copyOf(special);
        int max = -1;
        for (int id : vocab.values()) {
            max = Math.max(max, id);
        }
        for (int id : addedById.keySet()) {
            max = Math.max(max, id);
        }
        this.tokens = new String[max + 1];
        Map<String, Integer> ids = new HashMap<>(vocab);
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            tokens[e.getValue()] = e.getKey();
        }
        // HF looks an id up in the added tokens first
        for (Map.Entry<Integer, String> e : addedById.entrySet()) {
            tokens[e.getKey()] = e.getValue();
            ids.put(e.getValue(), e.getKey());
        }
        this.tokenIds = ids;
    }

    /**
     * Loads a {@code tokenizer.json}.
     *
     * @param tokenizerJson the file (UTF-8)
     * @return the tokenizer
     * @throws IOException if the file cannot be read
     * @throws HfFormatException if it is not valid JSON (the message names line, column and offset) or holds a
     *     component that is malformed or not supported (the message names its JSON path)
     */
    public static HfTokenizer load(Path tokenizerJson) throws IOException {
        return fromJson(Files.readString(tokenizerJson, StandardCharsets.UTF_8));
    }

    /**
     * Reads a {@code tokenizer.json} document from a string.
     *
     * @param json the document
     * @return the tokenizer
     * @throws HfFormatException if it is not valid JSON or holds a component that is malformed or not supported
     */
    public static HfTokenizer fromJson(String json) throws HfFormatException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null
                    ? "$"
                    : "line " + at.getLineNr() + ", column " + at.getColumnNr() + " (offset " + at.getCharOffset()
                            + ")";
            throw new HfFormatException(where, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new HfFormatException("$", "empty document, expected a tokenizer.json object");
        }
        return new HfTokenizer(node);
    }

    /**
     * Encodes a text with the special tokens of the post-processor, as Hugging Face's {@code encode(text)} does by
     * default ({@code add_special_tokens=True}).
     *
     * @param text the text
     * @return the token ids
     */
    @Override
    public int[] encode(String text) {
        return encode(text, true);
    }

    /**
     * Encodes a text.
     *
     * @param text the text
     * @param addSpecialTokens whether the post-processor adds its special tokens ({@code [CLS]}, {@code [SEP]}, …)
     * @return the token ids
     * @throws IllegalStateException if the text needs the unknown token and the model has none it can use
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        List<AddedVocabulary.Segment> segments = new ArrayList<>();
        rawAdded.split(text, true, segments);
        List<AddedVocabulary.Segment> inner = new ArrayList<>();
        List<Piece> words = new ArrayList<>();
        for (AddedVocabulary.Segment s : segments) {
            if (s.id() >= 0) {
                out.add(s.id());
                continue;
            }
            inner.clear();
            normalizedAdded.split(normalizer.apply(s.text()), s.atStart(), inner);
            for (AddedVocabulary.Segment n : inner) {
                if (n.id() >= 0) {
                    out.add(n.id());
                    continue;
                }
                words.clear();
                preTokenizer.split(new Piece(n.text(), n.atStart()), words);
                for (Piece w : words) {
                    model.tokenize(w.text(), out);
                }
            }
        }
        int[] ids = out.toArray();
        return addSpecialTokens ? postProcessor.apply(ids) : ids;
    }

    /**
     * Decodes ids with the decoder, keeping special tokens (Hugging Face's {@code decode(ids,
     * skip_special_tokens=False)}).
     *
     * @param ids the token ids
     * @return the text
     * @throws IllegalArgumentException if an id is not in the vocabulary
     */
    @Override
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * Decodes ids with the decoder.
     *
     * @param ids the token ids
     * @param skipSpecialTokens drop the ids of special added tokens first
     * @return the text
     * @throws IllegalArgumentException if an id is not in the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> pieces = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            if (skipSpecialTokens && specialIds.contains(ids[i])) {
                continue;
            }
            String t = ids[i] >= 0 && ids[i] < tokens.length ? tokens[ids[i]] : null;
            if (t == null) {
                throw new IllegalArgumentException("ids[" + i + "] must be a token id in [0, " + tokens.length
                        + ") present in the vocabulary, got " + ids[i]);
            }
            pieces.add(t);
        }
        return String.join("", decoder.apply(pieces));
    }

    /**
     * Returns one more than the largest id of the model's vocabulary and the added tokens.
     *
     * @return the vocabulary size
     */
    @Override
    public int vocabSize() {
        return tokens.length;
    }

    /**
     * Returns the string of a token (an added token's content, or the model's vocabulary entry).
     *
     * @param id the id
     * @return the token, or {@code null} if no token has that id
     */
    public String idToToken(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    /**
     * Returns the id of a token string.
     *
     * @param token the token as the vocabulary writes it (byte-level characters, {@code ##} prefix, {@code ▁}, …)
     * @return the id, or -1 if it is not in the vocabulary
     */
    public int tokenToId(String token) {
        Integer id = tokenIds.get(token);
        return id == null ? -1 : id;
    }

    /**
     * Writes the document this tokenizer was read from (re-serialized, same content).
     *
     * @param tokenizerJson the file to write (UTF-8, replaced if it exists)
     * @throws IOException if it cannot be written
     */
    public void save(Path tokenizerJson) throws IOException {
        Files.writeString(tokenizerJson, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(document));
    }

    /**
     * Writes a byte-level BPE (tokenizers I) as a {@code tokenizer.json}: a {@code BPE} model whose tokens are the
     * byte strings rendered by GPT-2's byte-to-character map, merges in rank order, the {@code ByteLevel}
     * pre-tokenizer with GPT-2's regex (or a {@code Split} on the tokenizer's own pattern before a regex-free {@code
     * ByteLevel}, or no split at all), the {@code ByteLevel} decoder, and the special tokens as special added tokens.
     * Loaded by Hugging Face tokenizers, it encodes every text as {@link ByteLevelBpe#encode(String)} does.
     *
     * @param bpe the tokenizer
     * @param tokenizerJson the file to write (UTF-8, replaced if it exists)
     * @throws IOException if it cannot be written
     * @throws IllegalArgumentException if two tokens have the same bytes (a vocabulary keyed by string cannot hold
     *     them)
     */
    public static void save(ByteLevelBpe bpe, Path tokenizerJson) throws IOException {
        write(TokenizerJsonWriter.byteLevelBpe(bpe), tokenizerJson);
    }

    /**
     * Writes a WordPiece tokenizer (tokenizers III) as a BERT {@code tokenizer.json}: {@code BertNormalizer} (cased
     * or uncased as the tokenizer), {@code BertPreTokenizer}, the {@code WordPiece} model ({@code [UNK]}, {@code ##},
     * 100), the {@code [CLS] $A [SEP]} template when both tokens are in the vocabulary, the {@code WordPiece} decoder,
     * and the bracketed tokens {@code [PAD] [UNK] [CLS] [SEP] [MASK]} that are in the vocabulary as special added
     * tokens.
     *
     * @param wordPiece the tokenizer
     * @param tokenizerJson the file to write (UTF-8, replaced if it exists)
     * @throws IOException if it cannot be written
     */
    public static void save(WordPiece wordPiece, Path tokenizerJson) throws IOException {
        write(TokenizerJsonWriter.wordPiece(wordPiece), tokenizerJson);
    }

    /**
     * Writes a Unigram model (tokenizers III) as a {@code tokenizer.json} that encodes as {@link
     * Unigram#encode(String)}: a {@code Replace} normalizer from space to {@code ▁}, no pre-tokenizer (the whole text
     * is one lattice), the {@code Unigram} model with its scores, {@code unk_id} and {@code byte_fallback} (on when
     * the model holds all 256 byte pieces), and a decoder that maps {@code ▁} back to a space and byte pieces to text.
     * One difference remains in Hugging Face's encoding: a run of unknown characters without byte fallback is one
     * {@code <unk>} there and one per character in {@link Unigram}.
     *
     * @param unigram the model
     * @param tokenizerJson the file to write (UTF-8, replaced if it exists)
     * @throws IOException if it cannot be written
     */
    public static void save(Unigram unigram, Path tokenizerJson) throws IOException {
        write(TokenizerJsonWriter.unigram(unigram), tokenizerJson);
    }

    private static void write(JsonNode doc, Path file) throws IOException {
        Files.writeString(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }

    @Override
    public String toString() {
        return "HfTokenizer[vocabSize=" + tokens.length + "]";
    }
}
