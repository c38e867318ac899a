package org.llm4e.tokenizers.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link CodePointTrie} against a hash map of its keys: every prefix look-up (longest, all) gives what trying each
 * (start, end) substring in the map gives, on random keys over small alphabets that mix ASCII, BMP, supplementary
 * code points and lone surrogates, with duplicate keys (the last value wins).
 */
class CodePointTrieProperties {
    private static final int[] ALPHABET = {
        'a', 'b', 'c', 'd', '#', 0xE9, 0x4E2D, 0x2581, 0x1F600, 0x10400, 0xD800, 0xDC00
    };

    private static String randomString(Random rnd, int alphabet, int maxLength) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(maxLength);
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(ALPHABET[rnd.nextInt(alphabet)]);
        }
        return sb.toString();
    }

    @Property(tries = 150)
    void lookupsAgreeWithAHashMap(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 12) int alphabet,
            @ForAll @IntRange(max = 300) int keyCount) {
        Random rnd = new Random(seed);
        List<String> keys = new ArrayList<>();
        int[] values = new int[keyCount];
        Map<String, Integer> map = new HashMap<>();
        for (int i = 0; i < keyCount; i++) {
            String k = randomString(rnd, alphabet, 6);
            keys.add(k);
            values[i] = rnd.nextInt(1000);
            map.put(k, values[i]);
        }
        CodePointTrie trie = CodePointTrie.ofStrings(keys, values);
        assertEquals(map.size(), trie.size());
        int maxLength = map.keySet().stream()
                .mapToInt(k -> k.codePointCount(0, k.length()))
                .max()
                .orElse(0);
        assertEquals(maxLength, trie.maxKeyLength());
        String text = randomString(rnd, Math.min(12, alphabet + 1), 60);
        int[] cps = text.codePoints().toArray();
        int[] lengths = new int[Math.max(1, maxLength)];
        int[] ids = new int[lengths.length];
        int charAt = 0;
        for (int s = 0; s < cps.length; s++) {
            List<Integer> expectedLengths = new ArrayList<>();
            List<Integer> expectedIds = new ArrayList<>();
            for (int e = s + 1; e <= cps.length; e++) {
                Integer v = map.get(new String(cps, s, e - s));
                if (v != null) {
                    expectedLengths.add(e - s);
                    expectedIds.add(v);
                }
            }
            int found = trie.prefixes(cps, s, cps.length, lengths, ids);
            assertEquals(expectedLengths.size(), found, "matches at " + s);
            for (int k = 0; k < found; k++) {
                assertEquals(expectedLengths.get(k), lengths[k]);
                assertEquals(expectedIds.get(k), ids[k]);
            }
            long longest = trie.longestPrefix(cps, s, cps.length);
            long longestChars = trie.longestPrefix(text, charAt, text.length());
            if (found == 0) {
                assertEquals(-1, longest);
                assertEquals(-1, longestChars);
            } else {
                int len = expectedLengths.get(found - 1);
                assertEquals(((long) len << 32) | expectedIds.get(found - 1), longest);
                int end = text.offsetByCodePoints(charAt, len);
                assertEquals(((long) end << 32) | expectedIds.get(found - 1), longestChars);
            }
            charAt += Character.charCount(cps[s]);
        }
    }

    @Property(tries = 50)
    void walkingNodeByNodeFindsEveryKey(@ForAll long seed, @ForAll @IntRange(min = 1, max = 400) int keyCount) {
        Random rnd = new Random(seed);
        int[][] keys = new int[keyCount][];
        int[] values = new int[keyCount];
        for (int i = 0; i < keyCount; i++) {
            // a wide alphabet: children spread over many symbols, which stresses the placement of bases
            keys[i] = rnd.ints(1 + rnd.nextInt(5), 0, 3000).toArray();
            values[i] = i;
        }
        CodePointTrie trie = CodePointTrie.of(keys, values);
        Map<String, Integer> last = new HashMap<>();
        for (int i = 0; i < keyCount; i++) {
            last.put(java.util.Arrays.toString(keys[i]), i);
        }
        for (int[] key : keys) {
            int node = trie.root();
            for (int cp : key) {
                node = trie.child(node, cp);
                assertTrue(node > 0);
            }
            assertEquals(last.get(java.util.Arrays.toString(key)), trie.value(node));
        }
        assertEquals(-1, trie.child(trie.root(), 5000));
        assertTrue(trie.slots() < 8 * (keyCount * 5 + 3000), "slots " + trie.slots());
    }

    @Example
    void emptyTrieMatchesNothing() {
        CodePointTrie trie = CodePointTrie.of(new int[0][], new int[0]);
        assertEquals(0, trie.size());
        assertEquals(-1, trie.longestPrefix(new int[] {'a'}, 0, 1));
        assertEquals(-1, trie.longestPrefix("a", 0, 1));
        assertEquals(0, trie.prefixes(new int[] {'a'}, 0, 1, new int[1], new int[1]));
    }

    @Example
    void aSurrogatePairCutByTheRangeCountsAsALoneSurrogate() {
        CodePointTrie trie = CodePointTrie.ofStrings(List.of("a\uD83D", "a\uD83D\uDE00"), new int[] {1, 2});
        String text = "a\uD83D\uDE00";
        assertEquals((3L << 32) | 2, trie.longestPrefix(text, 0, 3));
        // the range ends inside the pair: its code points are a, U+D83D (as String.codePoints of the substring)
        assertArrayEquals(
                new int[] {'a', 0xD83D}, text.substring(0, 2).codePoints().toArray());
        assertEquals((2L << 32) | 1, trie.longestPrefix(text, 0, 2));
    }

    @Example
    void badInputIsRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CodePointTrie.of(new int[][] {{1}}, new int[] {-3}));
        assertTrue(e.getMessage().contains("values[0]") && e.getMessage().contains("-3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CodePointTrie.of(new int[][] {{}}, new int[] {0}));
        assertTrue(e.getMessage().contains("keys[0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CodePointTrie.of(new int[][] {{1}}, new int[0]));
        assertTrue(e.getMessage().contains("1 keys and 0 values"), e.getMessage());
    }
}
