package io.softgate.io.jnr;

/**
 * The two libbpf functions used to attach and detach an XDP program (they speak rtnetlink for
 * us). libbpf 1.x returns a negative errno on failure.
 *
 * <p>Threading: control thread only.
 */
public interface LibBpf {
    int bpf_xdp_attach(int ifindex, int programFd, int flags, long options);

    int bpf_xdp_detach(int ifindex, int flags, long options);
}
