package dev.googlenet.testing;

import dev.googlenet.kernels.Parallel;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A one-thread and a two-thread engine pool for tests that compare results across thread counts, closed after
 * the test class: {@code @RegisterExtension static final ThreadPools POOLS = new ThreadPools();}.
 */
public final class ThreadPools implements AfterAllCallback {
    private final Parallel one = new Parallel(1);
    private final Parallel two = new Parallel(2);

    public Parallel one() {
        return one;
    }

    public Parallel two() {
        return two;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        one.close();
        two.close();
    }
}
