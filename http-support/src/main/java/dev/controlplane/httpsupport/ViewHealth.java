package dev.controlplane.httpsupport;

/**
 * A view of the log that decisions or authorizations rely on. {@code /health} reports each one, and answers 503
 * while any is not current, so an operator (or a load balancer) sees a view that stopped or fell behind.
 */
public interface ViewHealth {

    String name();

    /** Null while the view is current; otherwise why it is not. */
    String problem();

    static ViewHealth of(String name, java.util.function.Supplier<String> problem) {
        return new ViewHealth() {
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
