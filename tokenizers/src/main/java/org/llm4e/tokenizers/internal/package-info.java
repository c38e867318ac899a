/**
 * Implementation details of {@code org.llm4e.tokenizers}: primitive collections, UTF-8 coding, the pre-split
 * and the rank-ordered pair merger shared by every byte-level BPE encoding. Not API: anything here may change.
 */
package org.llm4e.tokenizers.internal;
