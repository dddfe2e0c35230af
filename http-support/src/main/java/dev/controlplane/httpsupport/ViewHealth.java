package dev.controlplane.httpsupport;

/**
 * A view of the log that decisions or authorizations rely on. {@code /health} reports each one, and answers 503
 * while any is not current, so an operator (or a load balancer) sees a view that stopped or fell behind.
 */
public interface ViewHealth {

    String name();

    /** Null while the view is current; otherwise why it is not. */
    String problem();

    /** True when the view stopped for good and only a restart helps (liveness), not merely behind (readiness). */
    default boolean dead() {
        return false;
    }

    static ViewHealth of(String name, java.util.function.Supplier<String> problem) {
        return of(name, problem, () -> false);
    }

    static ViewHealth of(String name, java.util.function.Supplier<String> problem, java.util.function.BooleanSupplier dead) {
        return new ViewHealth() {
            @Override
            public boolean dead() {
                return dead.getAsBoolean();
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String problem() {
                return problem.get();
            }
        };
    }
}
