package io.softgate.lb.compile;

import java.util.List;

/**
 * A load-balancer document that cannot be compiled; nothing was changed. Each error names its field.
 *
 * <p>Threading: immutable after construction.
 */
public final class LoadBalancerConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<ValidationError> errors;

    public LoadBalancerConfigException(List<ValidationError> errors) {
        super(errors.toString());
        this.errors = List.copyOf(errors);
    }

    public List<ValidationError> errors() {
        return errors;
    }
}
