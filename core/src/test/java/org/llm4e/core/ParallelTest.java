package org.llm4e.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void coversEveryIndexExactlyOnce() {
        for (int chunks : new int[] {1, 2, 3, 4, 7}) {
            int[] hits = new int[1000];
            Parallel.withParallelism(chunks, () -> {
                Parallel.forRange(0, hits.length, 1, (lo, hi) -> {
                    for (int i = lo; i < hi; i++) {
                        hits[i]++;
                    }
                });
                return null;
            });
            for (int h : hits) {
                assertEquals(1, h, "chunks=" + chunks);
            }
        }
    }

    @Test
    void grainLimitsTheNumberOfChunks() {
        AtomicInteger calls = new AtomicInteger();
        Parallel.withParallelism(8, () -> {
            Parallel.forRange(0, 10, 5, (lo, hi) -> calls.incrementAndGet());
            return null;
        });
        assertEquals(2, calls.get());
    }

    @Test
    void nestedCallsRunInline() {
        ConcurrentHashMap<Integer, Integer> innerParallelism = new ConcurrentHashMap<>();
        Parallel.withParallelism(4, () -> {
            Parallel.forRange(0, 4, 1, (lo, hi) -> innerParallelism.put(lo, Parallel.parallelism()));
            return null;
        });
        assertEquals(4, innerParallelism.size());
        innerParallelism.values().forEach(p -> assertEquals(1, p));
        // outside any chunk the override is gone again
        assertEquals(Parallel.threads(), Parallel.parallelism());
    }

    @Test
    void exceptionsPropagateUnwrapped() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> Parallel.withParallelism(3, () -> {
                    Parallel.forRange(0, 30, 1, (lo, hi) -> {
                        if (lo > 0) {
                            throw boom;
                        }
                    });
                    return null;
                }));
        assertSame(boom, thrown);
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(0, 10, 0, (lo, hi) -> {}));
        assertTrue(e.getMessage().contains("grain"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(5, 1, 1, (lo, hi) -> {}));
        assertTrue(e.getMessage().contains("from=5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Parallel.withParallelism(0, () -> null));
        assertTrue(e.getMessage().contains("chunks"), e.getMessage());
        assertTrue(Parallel.threads() >= 1);
    }
}
