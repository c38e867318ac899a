package org.llm4e.optimizers;

/**
 * The classic optimizer test functions, each with its analytic gradient.
 *
 * <ul>
 *   <li>{@link #rosenbrock(double, double)}: f = (a − x)² + b(y − x²)², minimum (a, a²); a curved, narrow valley. The
 *       gradient follows the golden file's order of operations: t = y − x², g₀ = −2(a − x) − 4b·x·t, g₁ = 2b·t.
 *   <li>{@link #beale()}: f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)², minimum (3, 0.5): the function
 *       of the overview article's optimizer race animation ({@code 神经网络的优化器（一）概述.md}).
 *   <li>{@link #saddle()}: f = x² − y², the saddle of the SGD article's figure: from (1, 0) plain gradient descent
 *       converges to the saddle point (0, 0), since ∂f/∂y stays 0 on y = 0; a tiny perturbation of y lets it escape.
 *   <li>{@link #quadratic(double[][], double[])}: f = ½xᵀAx + bᵀx with A symmetric positive definite, minimum −A⁻¹b.
 * </ul>
 */
public final class TestFunctions {
    private TestFunctions() {}

    /**
     * Rosenbrock's function in two dimensions.
     *
     * @param a the valley's x at the minimum (classically 1)
     * @param b the valley's steepness (classically 100), &gt; 0
     * @return the objective
     * @throws IllegalArgumentException if {@code b} is not positive or a parameter is not finite
     */
    public static Objective rosenbrock(double a, double b) {
        if (!Double.isFinite(a) || !(b > 0) || Double.isInfinite(b)) {
            throw new IllegalArgumentException("rosenbrock needs finite a and b > 0, got a=" + a + ", b=" + b);
        }
        return new Objective() {
            @Override
            public String name() {
                return "rosenbrock";
            }

            @Override
            public int dim() {
                return 2;
            }

            @Override
            public double value(double[] x) {
                check(this, x);
                double t = x[1] - x[0] * x[0];
                return (a - x[0]) * (a - x[0]) + b * t * t;
            }

            @Override
            public double[] gradient(double[] x) {
                check(this, x);
                double t = x[1] - x[0] * x[0];
                return new double[] {(-2 * (a - x[0])) - ((4 * b) * x[0]) * t, (2 * b) * t};
            }

            @Override
            public double[] minimizer() {
                return new double[] {a, a * a};
            }
        };
    }

    /**
     * Beale's function.
     *
     * @return the objective, minimum 0 at (3, 0.5)
     */
    public static Objective beale() {
        return new Objective() {
            @Override
            public String name() {
                return "beale";
            }

            @Override
            public int dim() {
                return 2;
            }

            @Override
            public double value(double[] p) {
                check(this, p);
                double x = p[0];
                double y = p[1];
                double t1 = 1.5 - x + x * y;
                double t2 = 2.25 - x + x * y * y;
                double t3 = 2.625 - x + x * y * y * y;
                return t1 * t1 + t2 * t2 + t3 * t3;
            }

            @Override
            public double[] gradient(double[] p) {
                check(this, p);
                double x = p[0];
                double y = p[1];
                double t1 = 1.5 - x + x * y;
                double t2 = 2.25 - x + x * y * y;
                double t3 = 2.625 - x + x * y * y * y;
                double gx = 2 * t1 * (y - 1) + 2 * t2 * (y * y - 1) + 2 * t3 * (y * y * y - 1);
                double gy = 2 * t1 * x + 2 * t2 * 2 * x * y + 2 * t3 * 3 * x * y * y;
                return new double[] {gx, gy};
            }

            @Override
            public double[] minimizer() {
                return new double[] {3, 0.5};
            }
        };
    }

    /**
     * The saddle x² − y².
     *
     * @return the objective (unbounded below; saddle point at the origin)
     */
    public static Objective saddle() {
        return new Objective() {
            @Override
            public String name() {
                return "saddle";
            }

            @Override
            public int dim() {
                return 2;
            }

            @Override
            public double value(double[] p) {
                check(this, p);
                return p[0] * p[0] - p[1] * p[1];
            }

            @Override
            public double[] gradient(double[] p) {
                check(this, p);
                return new double[] {2 * p[0], -2 * p[1]};
            }

            @Override
            public double[] minimizer() {
                return null;
            }
        };
    }

    /**
     * The convex quadratic ½xᵀAx + bᵀx.
     *
     * @param a a symmetric positive definite n×n matrix (copied; symmetry is checked, definiteness by a Cholesky
     *     factorization)
     * @param b a vector of length n (copied)
     * @return the objective
     * @throws IllegalArgumentException if the shapes do not match or A is not symmetric positive definite
     */
    public static Objective quadratic(double[][] a, double[] b) {
        int n = b.length;
        if (n == 0 || a.length != n) {
            throw new IllegalArgumentException(
                    "A must be n×n with n = b.length = " + n + ", got " + a.length + " rows");
        }
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) {
                throw new IllegalArgumentException("A row " + i + " has length " + a[i].length + ", expected " + n);
            }
            m[i] = a[i].clone();
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (m[i][j] != m[j][i]) {
                    throw new IllegalArgumentException("A must be symmetric, but A[" + i + "][" + j + "] = " + m[i][j]
                            + " and A[" + j + "][" + i + "] = " + m[j][i]);
                }
            }
        }
        double[][] chol = cholesky(m);
        double[] bb = b.clone();
        double[] xStar = solve(chol, bb);
        for (int i = 0; i < n; i++) {
            xStar[i] = -xStar[i];
        }
        return new Objective() {
            @Override
            public String name() {
                return "quadratic";
            }

            @Override
            public int dim() {
                return n;
            }

            @Override
            public double value(double[] x) {
                check(this, x);
                double f = 0;
                for (int i = 0; i < n; i++) {
                    double ax = 0;
                    for (int j = 0; j < n; j++) {
                        ax += m[i][j] * x[j];
                    }
                    f += 0.5 * x[i] * ax + bb[i] * x[i];
                }
                return f;
            }

            @Override
            public double[] gradient(double[] x) {
                check(this, x);
                double[] g = new double[n];
                for (int i = 0; i < n; i++) {
                    double ax = 0;
                    for (int j = 0; j < n; j++) {
                        ax += m[i][j] * x[j];
                    }
                    g[i] = ax + bb[i]; // torch.mv(A, x) + b
                }
                return g;
            }

            @Override
            public double[] minimizer() {
                return xStar.clone();
            }
        };
    }

    private static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalArgumentException(
                                "A must be positive definite; the Cholesky pivot " + i + " is " + s);
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    private static double[] solve(double[][] l, double[] b) {
        int n = b.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }

    static void check(Objective f, double[] x) {
        if (x == null || x.length != f.dim()) {
            throw new IllegalArgumentException(f.name() + " takes a point of length " + f.dim() + ", got "
                    + (x == null ? "null" : String.valueOf(x.length)));
        }
    }
}
