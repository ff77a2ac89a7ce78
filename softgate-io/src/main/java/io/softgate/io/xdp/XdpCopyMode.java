package io.softgate.io.xdp;

/**
 * How packets reach the UMEM: {@link #ZERO_COPY} (the NIC DMAs into our frames; needs driver
 * support and native mode), {@link #COPY} (the kernel copies; always works, the only choice on
 * veth) or {@link #AUTO}: zero-copy when the bind succeeds, copy otherwise.
 *
 * <p>Threading: immutable enum.
 */
public enum XdpCopyMode {
    AUTO,
    ZERO_COPY,
    COPY
}
