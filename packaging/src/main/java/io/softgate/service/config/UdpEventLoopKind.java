package io.softgate.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which thread drives a worker's UDP socket ({@code io.udp.eventLoop}): {@code worker} (the
 * default) — the worker itself runs the socket's Netty event loop inside its receive and transmit
 * calls, no hand-off between threads; {@code separate} — a Netty event loop thread reads and
 * writes and hands datagrams to the worker through queues, worth it only when that thread has a
 * core of its own (measured in benchmarks/README.md, end-to-end harness).
 *
 * <p>Threading: immutable.
 */
public enum UdpEventLoopKind {
    @JsonProperty("worker") WORKER,
    @JsonProperty("separate") SEPARATE
}
