package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void consoleBarReachesItsMaximum() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress p = Progress.console("demo", 3, stream)) {
            for (int i = 0; i < 3; i++) {
                p.show("step " + i);
                p.step();
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("demo") && text.contains("3/3"), text);
    }

    @Test
    void contextWithoutStreamGivesSilentProgressAndRejectsZeroSteps() {
        TourContext context = new TourContext(Path.of("unused"), new PrintWriter(new StringWriter()), null);
        try (Progress p = context.progress("x", 1)) {
            p.show("nothing");
            p.step();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> context.progress("x", 0));
        assertTrue(e.getMessage().contains("steps must be >= 1, got 0"), e.getMessage());
    }

    @Test
    void timingRunsAtLeastTwiceAndReportsAPositiveTime() {
        int[] calls = {0};
        double s = Timing.bestSeconds(() -> calls[0]++, 0.0);
        assertTrue(calls[0] >= 2, "calls: " + calls[0]);
        assertTrue(s >= 0 && s < 1, "seconds: " + s);
        assertThrows(IllegalArgumentException.class, () -> Timing.bestSeconds(() -> {}, -1));
    }
}
