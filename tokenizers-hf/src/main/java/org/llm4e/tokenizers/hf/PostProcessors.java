package org.llm4e.tokenizers.hf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.llm4e.tokenizers.internal.IntList;

/**
 * The {@code post_processor} section of a {@code tokenizer.json}: adds the special tokens around an encoded sequence
 * when special tokens are asked for. Mirrors Hugging Face tokenizers' {@code processors/}: {@code template.rs}
 * (TemplateProcessing's {@code single} template: {@code $A} for the sequence, special tokens by their {@code ids}),
 * {@code bert.rs} ({@code [CLS] $A [SEP]}), {@code roberta.rs} ({@code <s> $A </s>}), {@code byte_level.rs} (offsets
 * only: no change to ids) and {@code sequence.rs}. Only single sequences are encoded by this library (no pairs).
 */
final class PostProcessors {
    private PostProcessors() {}

    static final String SUPPORTED = "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence";

    /** Parses a post-processor; {@code null} JSON means none. */
    static UnaryOperator<int[]> parse(Json j) throws HfFormatException {
        if (j.isNull()) {
            return UnaryOperator.identity();
        }
        String type = j.type();
        switch (type) {
            case "TemplateProcessing":
                return template(j);
            case "BertProcessing":
            case "RobertaProcessing": {
                int cls = pairId(j.required("cls"));
                int sep = pairId(j.required("sep"));
                return ids -> {
                    int[] out = new int[ids.length + 2];
                    out[0] = cls;
                    System.arraycopy(ids, 0, out, 1, ids.length);
                    out[ids.length + 1] = sep;
                    return out;
                };
            }
            case "ByteLevel":
                return UnaryOperator.identity();
            case "Sequence": {
                List<UnaryOperator<int[]>> steps = new ArrayList<>();
                for (Json p : j.required("processors").array()) {
                    steps.add(parse(p));
                }
                return ids -> {
                    for (UnaryOperator<int[]> s : steps) {
                        ids = s.apply(ids);
                    }
                    return ids;
                };
            }
            default:
                throw j.unsupported("post-processor", type, SUPPORTED);
        }
    }

    /** {@code ["[CLS]", 101]}: the id. */
    private static int pairId(Json j) throws HfFormatException {
        List<Json> a = j.array();
        if (a.size() != 2) {
            throw new HfFormatException(j.path, "must be [token, id], got " + j.describe());
        }
        a.get(0).string();
        return a.get(1).integer();
    }

    private static UnaryOperator<int[]> template(Json j) throws HfFormatException {
        Map<String, int[]> special = new HashMap<>();
        Json st = j.get("special_tokens");
        if (!st.isNull()) {
            for (Map.Entry<String, Json> e : st.fields()) {
                List<Json> idsJson = e.getValue().required("ids").array();
                int[] ids = new int[idsJson.size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = idsJson.get(i).integer();
                }
                special.put(e.getKey(), ids);
            }
        }
        // each template piece: null = the sequence, else the ids of a special token
        List<int[]> pieces = new ArrayList<>();
        for (Json p : j.required("single").array()) {
            if (p.has("Sequence")) {
                String id = p.get("Sequence").string("id");
                if (!id.equals("A")) {
                    throw new HfFormatException(
                            p.path + ".Sequence.id", "a single-sequence template can only hold $A, got \"" + id + "\"");
                }
                pieces.add(null);
            } else if (p.has("SpecialToken")) {
                Json sp = p.get("SpecialToken");
                String id = sp.string("id");
                int[] ids = special.get(id);
                if (ids == null) {
                    throw new HfFormatException(
                            sp.path + ".id", "special token \"" + id + "\" is not in $.post_processor.special_tokens");
                }
                pieces.add(ids);
            } else {
                throw new HfFormatException(
                        p.path, "must be {\"Sequence\": ...} or {\"SpecialToken\": ...}, got " + p.describe());
            }
        }
        return ids -> {
            IntList out = new IntList(ids.length + 4);
            for (int[] piece : pieces) {
                int[] add = piece == null ? ids : piece;
                out.addAll(add, 0, add.length);
            }
            return out.toArray();
        };
    }
}
