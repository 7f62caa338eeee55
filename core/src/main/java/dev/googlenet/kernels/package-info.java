/**
 * Hot loops on arrays (GEMM, Winograd, im2col, strided convolution, pooling, BatchNorm, LRN, element-wise) and the
 * engine's thread pool ({@link dev.googlenet.kernels.Parallel}), configured once by
 * {@link dev.googlenet.kernels.Engine#configure} with {@link dev.googlenet.kernels.EngineOptions}.
 *
 * <p>Two kernel families, chosen once per JVM ({@link dev.googlenet.kernels.Kernels}): the Vector API kernels and
 * the plain scalar references. Vector API code lives only in classes named {@code Vector*}, because without the
 * {@code jdk.incubator.vector} module a class that names a vector type anywhere (a field, a signature, a method
 * body) fails to link; every other class must load in any JVM ({@code VectorIsolationTest} checks the compiled
 * classes). The public classes are facades: each call tests the static final {@code Kernels.VECTOR}, which the JIT
 * folds, and goes to its {@code Vector*} twin or to the scalar reference beside it, so the vector paths pay nothing
 * for the choice and the scalar JVM never loads a {@code Vector*} class.
 */
package dev.googlenet.kernels;
