/**
 * Native bindings shared by the native packet I/O backends (TUN/TAP, AF_XDP), through JNR-FFI:
 * the C library ({@link io.softgate.io.jnr.LibC}), errno handling ({@link io.softgate.io.jnr.Native}),
 * per-thread network namespace switching for setup ({@link io.softgate.io.jnr.NetworkNamespace})
 * and capability checks. These calls belong to setup and the control path; the data path calls
 * only read/write (TUN) and, once per batch when the kernel asks, an AF_XDP kick.
 */
package io.softgate.io.jnr;
