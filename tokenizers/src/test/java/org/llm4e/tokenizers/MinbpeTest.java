package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** minbpe's own tests ({@code tests/test_tokenizer.py}), ported. */
class MinbpeTest {
    private static final String LLAMA_TEXT = "<|endoftext|>The llama (/ˈlɑːmə/; Spanish pronunciation: [ˈʎama] or"
            + " [ˈʝama]) (Lama glama) is a domesticated South American camelid, widely used as a meat and pack animal"
            + " by Andean cultures since the pre-Columbian era.\nLlamas are social animals and live with others as a"
            + " herd. Their wool is soft and contains only a small amount of lanolin.[2] Llamas can learn simple"
            + " tasks after a few repetitions. When using a pack, they can carry about 25 to 30% of their body"
            + " weight for 8 to 13 km (5–8 miles).[3] The name llama (in the past also spelled \"lama\" or"
            + " \"glama\") was adopted by European settlers from native Peruvians.\n<|fim_prefix|>In Aymara"
            + " mythology, llamas are important beings.<|fim_suffix|> llamas will return to the water springs and"
            + " ponds where they come from at the end of time.<|endoftext|>";

    private static final Map<String, Integer> SPECIALS = Map.of(
            "<|endoftext|>", 100257,
            "<|fim_prefix|>", 100258,
            "<|fim_middle|>", 100259,
            "<|fim_suffix|>", 100260,
            "<|endofprompt|>", 100276);

    @Test
    void wikipediaExample() {
        for (String pattern : new String[] {null, SplitPatterns.GPT4}) {
            ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                    .vocabSize(256 + 3)
                    .splitPattern(pattern)
                    .build()
                    .train("aaabdaaabac");
            int[] ids = bpe.encode("aaabdaaabac");
            assertArrayEquals(new int[] {258, 100, 258, 97, 99}, ids);
            assertEquals("aaabdaaabac", bpe.decode(ids));
            // minbpe's merges: aa, then aa+a (tie with ab broken by first occurrence), then aaa+b
            assertEquals(
                    List.of(new Merge(97, 97, 256), new Merge(256, 97, 257), new Merge(257, 98, 258)), bpe.merges());
        }
    }

    @Test
    void encodeDecodeIdentity() {
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 64)
                .specialTokens(SPECIALS)
                .build()
                .train(LLAMA_TEXT);
        for (String s : List.of("", "?", "hello world!!!? (안녕하세요!) lol123 😉", LLAMA_TEXT)) {
            assertEquals(s, bpe.decode(bpe.encode(s)));
        }
    }

    @Test
    void specialTokensAreOrdinaryTextUnlessAllowed() {
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 64)
                .specialTokens(SPECIALS)
                .build()
                .train(LLAMA_TEXT);
        int[] ordinary = bpe.encode(LLAMA_TEXT);
        int[] special = bpe.encode(LLAMA_TEXT, SPECIALS.keySet());
        assertEquals(100257, special[0]);
        assertEquals(100257, special[special.length - 1]);
        for (int id : ordinary) {
            assertEquals(true, id < 256 + 64, "encode(text) treats special-token text as ordinary text");
        }
        assertEquals(LLAMA_TEXT, bpe.decode(ordinary));
        assertEquals(LLAMA_TEXT, bpe.decode(special));
        assertEquals(100277, bpe.vocabSize());
        // only the allowed ones are recognized
        int[] onlyEot = bpe.encode("<|fim_prefix|>x<|endoftext|>", Set.of("<|endoftext|>"));
        assertEquals(100257, onlyEot[onlyEot.length - 1]);
        assertEquals(true, onlyEot[0] < 256 + 64);
    }

    @Test
    void saveLoadRoundTripAfter64Merges(@TempDir Path dir) throws IOException {
        ByteLevelBpe bpe = ByteLevelBpeTrainer.builder()
                .vocabSize(256 + 64)
                .specialTokens(SPECIALS)
                .build()
                .train(LLAMA_TEXT);
        int[] ids = bpe.encode(LLAMA_TEXT, SPECIALS.keySet());
        Path file = dir.resolve("toy.bpe");
        bpe.save(file);
        ByteLevelBpe loaded = ByteLevelBpe.load(file);
        assertEquals(bpe.merges(), loaded.merges());
        assertEquals(bpe.specialTokens(), loaded.specialTokens());
        assertEquals(bpe.splitPattern(), loaded.splitPattern());
        assertArrayEquals(ids, loaded.encode(LLAMA_TEXT, SPECIALS.keySet()));
        assertEquals(LLAMA_TEXT, loaded.decode(ids));
        // saving again gives the same bytes
        Path again = dir.resolve("again.bpe");
        loaded.save(again);
        assertEquals(Files.readString(file), Files.readString(again));
    }
}
