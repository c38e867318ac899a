package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.attention.CrossEntropy;
import org.llm4e.attention.DecoderStack;
import org.llm4e.attention.MixtureOfExperts;

class TransformerChapterTest {

    @Test
    void trainsPlotsAndRoutes(@TempDir Path dir) throws Exception {
        TourContext[] ctx = new TourContext[1];
        String out = Pngs.run(new TransformerChapter(40, 10), ctx, dir);
        Pngs.assertRealPngs(ctx[0].written(), "transformer-loss.png", "transformer-moe-load.png");

        // the untrained loss is the library's cross-entropy of a fresh stack on the held-out batch
        int[][][] heldOut = TransformerChapter.batch(new SplittableRandom(TransformerChapter.SEED ^ 0x5DEECE66DL), 64);
        DecoderStack fresh = TransformerChapter.stack(TransformerChapter.SEED, false);
        double initial = CrossEntropy.loss(fresh.forward(heldOut[0], 0), TransformerChapter.flat(heldOut[1]));
        assertTrue(out.contains(String.format(Locale.ROOT, "— from %.4f", initial)), out);
        assertTrue(initial > 0.8 * Math.log(10), "an untrained model is near chance: " + initial);

        // 40 steps already take the held-out loss well below the untrained one
        String line = out.lines()
                .filter(l -> l.startsWith("after 40 steps"))
                .findFirst()
                .orElseThrow();
        double trained = Double.parseDouble(line.replaceAll(".*held-out loss ([0-9.]+).*", "$1"));
        assertTrue(trained < initial - 0.3, "trained " + trained + " vs untrained " + initial);
        assertTrue(out.contains("n·Σ fᵢPᵢ"), out);
        assertTrue(out.contains("Switch top-1 (raw P)"), out);
    }

    @Test
    void routingTableShowsTwoDistinctExpertsWhoseGatesSumToOne() {
        DecoderStack moe = TransformerChapter.stack(1, true);
        int[] sequence = TransformerChapter.batch(new SplittableRandom(5), 1)[0][0];
        String table = TransformerChapter.routingTable(moe, sequence).render().replaceAll(" +", " ");
        MixtureOfExperts.Routing r = moe.blocks().get(0).moe().lastRouting();
        List<String> rows = table.lines().skip(2).toList();
        assertEquals(sequence.length, rows.size());
        for (int p = 0; p < rows.size(); p++) {
            String[] cells = rows.get(p).split(" \\| ");
            String[] experts = cells[2].trim().split(", ");
            assertTrue(!experts[0].equals(experts[1]), rows.get(p));
            assertEquals(r.experts()[p][0] + ", " + r.experts()[p][1], cells[2].trim());
            String[] gates = cells[3].trim().split(", ");
            assertEquals(1.0, Double.parseDouble(gates[0]) + Double.parseDouble(gates[1]), 0.0015, rows.get(p));
            // top-2 renormalised: gᵢ = Pᵢ / (P_a + P_b)
            float[] prob = r.probabilities()[p];
            int a = r.experts()[p][0];
            int b = r.experts()[p][1];
            assertEquals(prob[a] / (prob[a] + prob[b]), r.gates()[p][0], 1e-5);
        }
    }

    @Test
    void expertLoadSharesSumToOne() {
        DecoderStack moe = TransformerChapter.stack(2, true);
        TransformerChapter.Load load =
                TransformerChapter.load(moe, TransformerChapter.batch(new SplittableRandom(9), 8)[0]);
        for (double[] block : load.share()) {
            double sum = 0;
            for (double s : block) {
                sum += s;
            }
            assertEquals(1.0, sum, 1e-9);
        }
        for (double b : load.balance()) {
            assertTrue(b > 0 && b <= TransformerChapter.EXPERTS, "n·Σ fᵢPᵢ lies in (0, n]: " + b);
        }
    }
}
