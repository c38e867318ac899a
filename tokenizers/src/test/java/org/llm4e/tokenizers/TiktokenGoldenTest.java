package org.llm4e.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.llm4e.testsupport.Golden;

/**
 * {@code golden/tokenizers.json} (tiktoken's Rust core via WASM and js-tiktoken, identical): every public text in
 * the four encodings, exact ids, token bytes, decoded text; and the special-token cases.
 */
class TiktokenGoldenTest {
    private static final JsonNode GOLDEN = Golden.load("tokenizers.json");

    static Stream<Arguments> texts() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode t : GOLDEN.get("texts")) {
            for (String enc : Tiktoken.names()) {
                out.add(Arguments.of(t.get("id").asText() + " " + enc, enc, t));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> specials() {
        return StreamSupport.stream(GOLDEN.get("special_tokens").spliterator(), false)
                .map(s -> Arguments.of(
                        s.get("encoding").asText() + " " + s.get("text").asText(), s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("texts")
    void encodeOrdinaryMatchesTiktoken(String label, String encoding, JsonNode t) {
        Tiktoken enc = Tiktoken.load(encoding);
        String text = t.get("text").asText();
        JsonNode r = t.get("results").get(encoding);
        int[] ids = enc.encode(text);
        assertArrayEquals(Golden.ints(r.get("ids")), ids, label);
        assertEquals(r.get("decoded").asText(), enc.decode(ids));
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), enc.decodeBytes(ids));
        JsonNode hex = r.get("token_bytes_hex");
        if (hex != null) {
            for (int i = 0; i < ids.length; i++) {
                assertEquals(hex.get(i).asText(), HexFormat.of().formatHex(enc.decodeBytes(new int[] {ids[i]})));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specials")
    void specialTokenBehaviour(String label, JsonNode s) {
        Tiktoken enc = Tiktoken.load(s.get("encoding").asText());
        String text = s.get("text").asText();
        Set<String> all = enc.specialTokens().keySet();
        assertArrayEquals(Golden.ints(s.get("allowed_all")), enc.encode(text, all), "allowed all");
        assertArrayEquals(Golden.ints(s.get("as_plain_text")), enc.encode(text, Set.of(), Set.of()), "plain");
        assertArrayEquals(Golden.ints(s.get("as_plain_text")), enc.encodeOrdinary(text), "ordinary");
        if (s.get("default_disallow_all_raises").asBoolean()) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> enc.encode(text, Set.of(), all));
            assertEquals(true, e.getMessage().startsWith("text contains the disallowed special token"));
        } else {
            assertArrayEquals(Golden.ints(s.get("default_ids")), enc.encode(text, Set.of(), all), "default");
        }
        assertEquals(text, enc.decode(enc.encode(text, all)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specials")
    void specialTokenIds(String label, JsonNode s) {
        String encoding = s.get("encoding").asText();
        JsonNode ids = GOLDEN.get("special_token_ids").get(encoding);
        Tiktoken enc = Tiktoken.load(encoding);
        ids.fields()
                .forEachRemaining(e ->
                        assertEquals(e.getValue().asInt(), enc.specialTokens().get(e.getKey())));
        assertEquals(ids.size(), enc.specialTokens().size());
    }
}
