package io.softgate.io.xdp;

/**
 * Where the XDP program runs: {@link #NATIVE} in the driver (fast; veth, mlx5, i40e, ice ...),
 * {@link #GENERIC} after the kernel has built an skb (works on every device, slower), or
 * {@link #AUTO}: native where the driver has it, generic otherwise.
 *
 * <p>Threading: immutable enum.
 */
public enum XdpMode {
    AUTO,
    NATIVE,
    GENERIC
}
