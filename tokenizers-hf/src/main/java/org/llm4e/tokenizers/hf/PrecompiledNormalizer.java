package org.llm4e.tokenizers.hf;

import java.util.function.UnaryOperator;

/** HF's {@code Precompiled} normalizer (pending the precompiled character map). */
final class PrecompiledNormalizer {
    private PrecompiledNormalizer() {}

    static UnaryOperator<String> parse(Json j) throws HfFormatException {
        throw new HfFormatException(j.path + ".type", "unsupported normalizer type \"Precompiled\"");
    }
}
