package org.llm4e.core;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A dense, row-major, contiguous float32 array with a shape: the one data type every llm4e module passes around.
 *
 * <p>Element {@code [i][j][k]} of a tensor of shape {@code [A, B, C]} lives at {@code data[(i * B + j) * C + k]}
 * (C order: the last index varies fastest), exactly as PyTorch lays out a contiguous tensor and as the golden files
 * store their data. There is deliberately no autograd and no broadcasting language: layers compute their gradients
 * by hand, and that code is the lesson.
 *
 * <p>Ownership: {@link #of(float[], int...)} wraps the array it is given and {@link #data()} returns the live array,
 * so kernels can work on slices without copying. {@link #reshape(int...)} shares the data; {@link #copy()} does not.
 * A tensor is mutable and not thread-safe.
 *
 * <p>Random tensors ({@link #randn(long, int...)}) come from a generator written down here ({@link SplittableRandom}
 * and the Box–Muller transform evaluated with {@link StrictMath}), so a seed gives the same numbers on every JDK.
 * They are not PyTorch's numbers: tests that compare with PyTorch read their inputs from the golden files.
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /**
     * A tensor of zeros.
     *
     * @param shape the dimensions, each ≥ 0
     * @return a new tensor
     * @throws IllegalArgumentException if a dimension is negative or the size overflows an {@code int}
     */
    public static Tensor zeros(int... shape) {
        int[] s = checkShape(shape);
        return new Tensor(new float[sizeOf(s)], s);
    }

    /**
     * Wraps {@code data} (no copy) as a tensor of the given shape.
     *
     * @param data the elements in row-major order; its length must equal the product of the dimensions
     * @param shape the dimensions, each ≥ 0
     * @return a tensor backed by {@code data}
     * @throws IllegalArgumentException if the shape is invalid or does not match {@code data.length}
     */
    public static Tensor of(float[] data, int... shape) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        int[] s = checkShape(shape);
        int size = sizeOf(s);
        if (size != data.length) {
            throw new IllegalArgumentException("data.length must equal the product of shape " + Arrays.toString(s)
                    + " = " + size + ", got " + data.length);
        }
        return new Tensor(data, s);
    }

    /**
     * A tensor of standard normal samples from a seeded, documented generator.
     *
     * <p>Pairs of uniforms {@code u1 ∈ (0, 1]}, {@code u2 ∈ [0, 1)} from {@code new SplittableRandom(seed)} give
     * {@code z0 = √(−2 ln u1)·cos(2π u2)} and {@code z1 = √(−2 ln u1)·sin(2π u2)} (Box–Muller), filled in row-major
     * order. {@link StrictMath} makes the values identical on every JDK.
     *
     * @param seed the generator seed
     * @param shape the dimensions, each ≥ 0
     * @return a new tensor
     */
    public static Tensor randn(long seed, int... shape) {
        Tensor t = zeros(shape);
        fillRandn(new SplittableRandom(seed), t.data);
        return t;
    }

    /**
     * Fills {@code out} with standard normal samples (Box–Muller, see {@link #randn(long, int...)}).
     *
     * @param random the generator to draw from
     * @param out the array to fill
     */
    public static void fillRandn(SplittableRandom random, float[] out) {
        for (int i = 0; i < out.length; i += 2) {
            double u1 = 1.0 - random.nextDouble(); // (0, 1]: log is finite
            double u2 = random.nextDouble();
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double theta = 2.0 * Math.PI * u2;
            out[i] = (float) (r * StrictMath.cos(theta));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (r * StrictMath.sin(theta));
            }
        }
    }

    /**
     * The dimensions.
     *
     * @return a copy of the shape
     */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * The number of dimensions.
     *
     * @return the rank (0 for a scalar)
     */
    public int rank() {
        return shape.length;
    }

    /**
     * One dimension; negative indices count from the end as in PyTorch ({@code dim(-1)} is the last).
     *
     * @param axis the axis, in {@code [-rank, rank)}
     * @return the size of that dimension
     */
    public int dim(int axis) {
        int a = axis < 0 ? axis + shape.length : axis;
        if (a < 0 || a >= shape.length) {
            throw new IllegalArgumentException("axis must be in [" + -shape.length + ", " + shape.length
                    + ") for shape " + Arrays.toString(shape) + ", got " + axis);
        }
        return shape[a];
    }

    /**
     * The number of elements.
     *
     * @return the product of the dimensions
     */
    public int size() {
        return data.length;
    }

    /**
     * The live backing array, row-major.
     *
     * @return the data (not a copy)
     */
    public float[] data() {
        return data;
    }

    /**
     * The flat row-major position of an element.
     *
     * @param index one index per dimension
     * @return the position in {@link #data()}
     * @throws IllegalArgumentException if the number of indices differs from the rank
     * @throws IndexOutOfBoundsException if an index is outside its dimension
     */
    public int offset(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("expected " + shape.length + " indices for shape "
                    + Arrays.toString(shape) + ", got " + index.length);
        }
        int off = 0;
        for (int d = 0; d < shape.length; d++) {
            off = off * shape[d] + checkIndex(d, index[d]);
        }
        return off;
    }

    /**
     * Reads one element.
     *
     * @param index one index per dimension
     * @return the element
     */
    public float get(int... index) {
        return data[offset(index)];
    }

    /**
     * Reads an element of a rank-1 tensor.
     *
     * @param i the index
     * @return the element
     */
    public float get(int i) {
        requireRank(1);
        return data[checkIndex(0, i)];
    }

    /**
     * Reads an element of a rank-2 tensor.
     *
     * @param i the row
     * @param j the column
     * @return the element
     */
    public float get(int i, int j) {
        requireRank(2);
        return data[checkIndex(0, i) * shape[1] + checkIndex(1, j)];
    }

    /**
     * Reads an element of a rank-3 tensor.
     *
     * @param i the first index
     * @param j the second index
     * @param k the third index
     * @return the element
     */
    public float get(int i, int j, int k) {
        requireRank(3);
        return data[(checkIndex(0, i) * shape[1] + checkIndex(1, j)) * shape[2] + checkIndex(2, k)];
    }

    /**
     * Reads an element of a rank-4 tensor.
     *
     * @param i the first index
     * @param j the second index
     * @param k the third index
     * @param l the fourth index
     * @return the element
     */
    public float get(int i, int j, int k, int l) {
        requireRank(4);
        return data[
                ((checkIndex(0, i) * shape[1] + checkIndex(1, j)) * shape[2] + checkIndex(2, k)) * shape[3]
                        + checkIndex(3, l)];
    }

    /**
     * Writes one element.
     *
     * @param value the new value
     * @param index one index per dimension
     */
    public void set(float value, int... index) {
        data[offset(index)] = value;
    }

    /**
     * Writes an element of a rank-1 tensor.
     *
     * @param i the index
     * @param value the new value
     */
    public void set(int i, float value) {
        requireRank(1);
        data[checkIndex(0, i)] = value;
    }

    /**
     * Writes an element of a rank-2 tensor.
     *
     * @param i the row
     * @param j the column
     * @param value the new value
     */
    public void set(int i, int j, float value) {
        requireRank(2);
        data[checkIndex(0, i) * shape[1] + checkIndex(1, j)] = value;
    }

    /**
     * Writes an element of a rank-3 tensor.
     *
     * @param i the first index
     * @param j the second index
     * @param k the third index
     * @param value the new value
     */
    public void set(int i, int j, int k, float value) {
        requireRank(3);
        data[(checkIndex(0, i) * shape[1] + checkIndex(1, j)) * shape[2] + checkIndex(2, k)] = value;
    }

    /**
     * Writes an element of a rank-4 tensor.
     *
     * @param i the first index
     * @param j the second index
     * @param k the third index
     * @param l the fourth index
     * @param value the new value
     */
    public void set(int i, int j, int k, int l, float value) {
        requireRank(4);
        data[
                ((checkIndex(0, i) * shape[1] + checkIndex(1, j)) * shape[2] + checkIndex(2, k)) * shape[3]
                        + checkIndex(3, l)] = value;
    }

    /**
     * A view of the same data with another shape of the same size. One dimension may be {@code -1}, meaning "what is
     * left", as in PyTorch.
     *
     * @param newShape the new dimensions
     * @return a tensor sharing this tensor's data
     * @throws IllegalArgumentException if the sizes differ or more than one dimension is {@code -1}
     */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int inferred = -1;
        int known = 1;
        for (int d = 0; d < s.length; d++) {
            if (s[d] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException(
                            "only one dimension may be -1, got shape " + Arrays.toString(newShape));
                }
                inferred = d;
            } else if (s[d] < 0) {
                throw new IllegalArgumentException(
                        "dimension " + d + " must be >= 0 or -1, got " + s[d] + " in " + Arrays.toString(newShape));
            } else {
                known *= s[d];
            }
        }
        if (inferred >= 0) {
            if (known == 0 || data.length % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " (size " + data.length
                        + ") to " + Arrays.toString(newShape));
            }
            s[inferred] = data.length / known;
        }
        int size = sizeOf(checkShape(s));
        if (size != data.length) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " (size " + data.length
                    + ") to " + Arrays.toString(newShape) + " (size " + size + ")");
        }
        return new Tensor(data, s);
    }

    /**
     * A deep copy.
     *
     * @return a new tensor with its own data
     */
    public Tensor copy() {
        return new Tensor(data.clone(), shape.clone());
    }

    /**
     * Whether two tensors have the same shape and every pair of elements satisfies
     * {@code |a − b| ≤ atol + rtol·|b|} (the rule of {@code torch.allclose}; equal infinities are close, NaN is never
     * close).
     *
     * @param a the tensor under test
     * @param b the reference
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     * @return true if the shapes match and all elements are close
     */
    public static boolean allClose(Tensor a, Tensor b, double rtol, double atol) {
        if (!Arrays.equals(a.shape, b.shape)) {
            return false;
        }
        for (int i = 0; i < a.data.length; i++) {
            if (!isClose(a.data[i], b.data[i], rtol, atol)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The element rule of {@link #allClose(Tensor, Tensor, double, double)}.
     *
     * @param actual the value under test
     * @param expected the reference
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     * @return whether {@code |actual − expected| ≤ atol + rtol·|expected|}
     */
    public static boolean isClose(double actual, double expected, double rtol, double atol) {
        if (actual == expected) {
            return true; // also equal infinities
        }
        if (Double.isNaN(actual)
                || Double.isNaN(expected)
                || Double.isInfinite(actual)
                || Double.isInfinite(expected)) {
            return false; // NaN is never close; an infinity is close only to itself (handled above)
        }
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    @Override
    public String toString() {
        StringBuilder sb =
                new StringBuilder("Tensor").append(Arrays.toString(shape)).append(' ');
        int shown = Math.min(data.length, 8);
        sb.append('[');
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(data[i]);
        }
        return sb.append(data.length > shown ? ", …]" : "]").toString();
    }

    private void requireRank(int rank) {
        if (shape.length != rank) {
            throw new IllegalArgumentException(
                    "expected " + shape.length + " indices for shape " + Arrays.toString(shape) + ", got " + rank);
        }
    }

    private int checkIndex(int axis, int i) {
        if (i < 0 || i >= shape[axis]) {
            throw new IndexOutOfBoundsException("index " + i + " out of bounds for dimension " + axis + " of size "
                    + shape[axis] + " in shape " + Arrays.toString(shape));
        }
        return i;
    }

    private static int[] checkShape(int[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException(
                        "dimension " + d + " must be >= 0, got " + shape[d] + " in shape " + Arrays.toString(shape));
            }
        }
        sizeOf(shape);
        return shape.clone();
    }

    private static int sizeOf(int[] shape) {
        long size = 1;
        for (int d : shape) {
            size *= d;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " has more elements than a Java array can hold");
            }
        }
        return (int) size;
    }
}
