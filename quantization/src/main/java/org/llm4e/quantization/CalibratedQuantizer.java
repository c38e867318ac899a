package org.llm4e.quantization;

import java.util.Arrays;
import org.llm4e.core.Tensor;

/**
 * Static quantization: a {@link LinearQuantizer} whose scales and zero points were computed once from calibration
 * batches ({@link LinearQuantizer#calibrate(java.util.List)}) and are now frozen.
 *
 * <p>{@code 10分钟理解大模型的量化.md} and {@code 大模型量化认知的三重境界.md} contrast static quantization (parameters
 * obtained offline from a calibration set) with dynamic quantization (parameters computed online for every input,
 * {@link LinearQuantizer#quantize(Tensor)}). With static parameters a value outside the calibrated range clamps to
 * q_min or q_max; when the calibration set is the input itself the two give the same parameters. Immutable and
 * thread-safe.
 */
public final class CalibratedQuantizer {
    private final LinearQuantizer quantizer;
    private final int[] shape; // null: per tensor, any shape
    private final int groupLen;
    private final float[] scales;
    private final int[] zeroPoints;
    private final int[] scalesShape;

    CalibratedQuantizer(
            LinearQuantizer quantizer, int[] shape, int groupLen, float[] scales, int[] zeroPoints, int[] scalesShape) {
        this.quantizer = quantizer;
        this.shape = shape == null ? null : shape.clone();
        this.groupLen = groupLen;
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        this.scalesShape = scalesShape;
    }

    /**
     * The scheme these parameters belong to.
     *
     * @return the quantizer that was calibrated
     */
    public LinearQuantizer quantizer() {
        return quantizer;
    }

    /**
     * The frozen scales, row-major over {@link #scalesShape()}.
     *
     * @return a copy
     */
    public float[] scales() {
        return scales.clone();
    }

    /**
     * The frozen zero points (0 for symmetric signed schemes).
     *
     * @return a copy
     */
    public int[] zeroPoints() {
        return zeroPoints.clone();
    }

    /**
     * The shape of the parameter grid: [1, 1] per tensor, [rows, 1] per channel, [rows, cols / G] per group.
     *
     * @return a copy
     */
    public int[] scalesShape() {
        return scalesShape.clone();
    }

    /**
     * Quantizes with the frozen parameters; values outside the calibrated range clamp.
     *
     * @param x the tensor; per channel or group it must have the calibration shape
     * @return the codes with these parameters
     * @throws IllegalArgumentException if the shape differs from the calibration shape or an element is not finite
     */
    public QuantizedTensor quantize(Tensor x) {
        if (shape != null && !Arrays.equals(shape, x.shape())) {
            throw new IllegalArgumentException("x shape " + Arrays.toString(x.shape())
                    + " must equal the calibration shape " + Arrays.toString(shape));
        }
        float[] data = x.data();
        LinearQuantizer.checkFinite(data, "x");
        int len = shape == null ? Math.max(1, data.length) : groupLen;
        byte[] codes = LinearQuantizer.encode(data, len, scales, zeroPoints, quantizer.qmin(), quantizer.qmax());
        return new QuantizedTensor(
                x.shape(), quantizer, codes, scales.clone(), zeroPoints.clone(), scalesShape.clone(), len);
    }
}
