package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.positional.RotaryEmbedding;

class PositionalChapterTest {

    @Test
    void writesTheChartsAndTheArticlesNumbers(@TempDir Path dir) throws Exception {
        TourContext[] ctx = new TourContext[1];
        String out = Pngs.run(new PositionalChapter(), ctx, dir);
        Pngs.assertRealPngs(
                ctx[0].written(),
                "positional-sinusoidal.png",
                "positional-rope-rotation.png",
                "positional-rope-decay.png",
                "positional-rope-scaling.png");
        // catalog check 14: PE(1, 0) = sin 1, PE(1, 1) = cos 1, PE(0) = [0, 1, 0, 1, …]
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s*1 \\|\\s+0\\.841471 \\|\\s+0\\.540302 \\|.*")), out);
        assertTrue(
                out.lines()
                        .anyMatch(l -> l.matches(
                                "\\s*0 \\|\\s+0\\.000000 \\|\\s+1\\.000000 \\|\\s+0\\.000000 \\|\\s+1\\.000000 \\|.*")),
                out);
        // check 16: the relative example gives 0.713324 by all three computations (not the erratum's −1.060160)
        assertEquals(3, out.lines().filter(l -> l.trim().endsWith("| 0.713324")).count(), out);
        // the rotation keeps the norm at every position of the RoFormer figure
        assertEquals(
                6,
                out.lines()
                        .filter(l -> l.matches("\\d \\| \\w+ .*\\| 1\\.5620"))
                        .count(),
                out);
        assertTrue(out.contains("6 | Embedding"), out);
    }

    @Test
    void decayBoundTrendsDownward() {
        double[] b = PositionalChapter.decayBound(128, 10000, 256);
        assertEquals(32.5, b[0], 1e-12); // (1 + 2 + … + 64) / 64
        assertTrue(b[0] > b[16] && b[16] > b[64] && b[64] > b[256], b[16] + " " + b[64] + " " + b[256]);
    }

    @Test
    void wavelengthsFollowEachScaling() {
        Map<String, RotaryEmbedding> ropes = PositionalChapter.scalings();
        double[] none = PositionalChapter.wavelengths(ropes.get("none (RoFormer, Llama 2)"));
        double[] linear = PositionalChapter.wavelengths(ropes.get("linear interpolation"));
        assertEquals(2 * Math.PI, none[0], 1e-12); // θ₀ = 1
        for (int j = 0; j < none.length; j++) {
            assertEquals(4 * none[j], linear[j], 1e-9 * linear[j]); // position interpolation stretches every pair
        }
        assertEquals(0.1 * Math.log(4) + 1, ropes.get("YaRN").attentionScaling(), 1e-12);
        String table = PositionalChapter.wavelengthTable(ropes).render().replaceAll(" +", " ");
        assertTrue(table.contains("| 25.1327"), table);
        assertTrue(table.contains("| 1.1386"), table);
    }
}
