package org.llm4e.tokenizers.hf;

import java.util.Base64;
import java.util.function.UnaryOperator;
import org.llm4e.tokenizers.PrecompiledCharsMap;

/**
 * HF's {@code Precompiled} normalizer ({@code normalizers/precompiled.rs}, after the {@code spm_precompiled} crate):
 * the {@code precompiled_charsmap} of a SentencePiece model ({@code nmt_nfkc} and its relatives), base64 in the JSON,
 * applied grapheme cluster by grapheme cluster as HF does. The map itself (a Darts-clone double-array trie) is the
 * library's {@link PrecompiledCharsMap}; {@link PrecompiledCharsMap#normalizeGraphemes(String)} is HF's order of
 * application (SentencePiece's own, longest match first, is {@link PrecompiledCharsMap#normalize(String)}).
 */
final class PrecompiledNormalizer {
    private PrecompiledNormalizer() {}

    static UnaryOperator<String> parse(Json j) throws HfFormatException {
        Json blob = j.required("precompiled_charsmap");
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(blob.string());
        } catch (IllegalArgumentException e) {
            throw new HfFormatException(blob.path, "must be base64, " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            // an empty map normalizes nothing (HF accepts it)
            return UnaryOperator.identity();
        }
        PrecompiledCharsMap map;
        try {
            map = PrecompiledCharsMap.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new HfFormatException(blob.path, "not a precompiled character map: " + e.getMessage(), e);
        }
        return map::normalizeGraphemes;
    }
}
