package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** llm4e's SentencePiece against the ids {@code spm_encode --output_format=id} (sentencepiece 0.1.97) wrote. */
class SentencePieceGoldenTest {
    static List<String> models() {
        return SentencePieceTestData.MODELS;
    }

    @ParameterizedTest
    @MethodSource("models")
    void encodesAsSpmEncode(String name) {
        SentencePiece sp = SentencePieceTestData.model(name);
        List<String> lines = SentencePieceTestData.lines();
        List<int[]> golden = SentencePieceTestData.goldenIds(name);
        assertEquals(lines.size(), golden.size(), "lines in test.txt vs " + name + ".ids.txt.gz");
        int mismatches = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            int[] actual = sp.encode(lines.get(i));
            if (!Arrays.equals(golden.get(i), actual)) {
                if (mismatches++ < 3) {
                    first.append("\nline ")
                            .append(i + 1)
                            .append(": ")
                            .append(lines.get(i))
                            .append("\n  spm_encode: ")
                            .append(Arrays.toString(golden.get(i)))
                            .append("\n  llm4e:      ")
                            .append(Arrays.toString(actual));
                }
            }
        }
        if (mismatches > 0) {
            fail(name + ": " + mismatches + " of " + lines.size() + " lines differ" + first);
        }
    }
}
