package org.llm4e.tokenizers.hf;

/**
 * A piece of the input during pre-tokenization: its text and whether it starts at the very beginning of the input
 * (HF's {@code offsets_original().0 == 0}, which Metaspace's {@code prepend_scheme: "first"} looks at).
 */
record Piece(String text, boolean atStart) {}
