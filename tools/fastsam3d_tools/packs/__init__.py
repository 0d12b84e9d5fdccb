"""Pack builders (build_tiny: the random-weight test pack committed as models/test-tiny)."""
