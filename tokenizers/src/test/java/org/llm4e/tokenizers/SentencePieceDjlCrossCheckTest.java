package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * llm4e's SentencePiece against DJL's bundled native sentencepiece ({@code ai.djl.sentencepiece} 0.34.0) on the
 * 3000 mixed lines: identical ids, and identical decoded text for those ids (on lines without supplementary
 * characters, which DJL's decode garbles).
 */
class SentencePieceDjlCrossCheckTest {
    static List<String> models() {
        return SentencePieceTestData.MODELS;
    }

    @ParameterizedTest
    @MethodSource("models")
    void sameIdsAndDecodingAsNativeSentencePiece(String name) throws IOException {
        SentencePiece sp = SentencePieceTestData.model(name);
        List<String> lines = SentencePieceTestData.lines();
        try (SpTokenizer djl = new SpTokenizer(SentencePieceTestData.modelPath(name))) {
            SpProcessor processor = djl.getProcessor();
            int encodeMismatches = 0;
            int decodeMismatches = 0;
            StringBuilder first = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                int[] expected = processor.encode(lines.get(i));
                int[] actual = sp.encode(lines.get(i));
                if (!Arrays.equals(expected, actual) && encodeMismatches++ < 3) {
                    first.append("\nline ").append(i + 1).append(": ").append(lines.get(i));
                    first.append("\n  DJL:   ").append(Arrays.toString(expected));
                    first.append("\n  llm4e: ").append(Arrays.toString(actual));
                }
                // DJL's JNI returns decoded text through modified UTF-8, which garbles characters above U+FFFF
                // (emoji): decodings are compared on lines without them.
                if (expected.length > 0 && lines.get(i).codePoints().allMatch(c -> c <= 0xFFFF)) {
                    String expectedText = processor.decode(expected);
                    String actualText = sp.decode(expected);
                    if (!expectedText.equals(actualText) && decodeMismatches++ < 3) {
                        first.append("\ndecode of line ").append(i + 1);
                        first.append("\n  DJL:   ").append(expectedText);
                        first.append("\n  llm4e: ").append(actualText);
                    }
                }
            }
            if (encodeMismatches + decodeMismatches > 0) {
                fail(name + ": " + encodeMismatches + " encodings and " + decodeMismatches + " decodings of "
                        + lines.size() + " lines differ" + first);
            }
            assertEquals(processor.getToken(0), sp.idToPiece(0));
        }
    }
}
