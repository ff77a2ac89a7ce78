package io.softgate.service.config;

/**
 * Settings of the pcap backend used by {@code softgate run}: the capture to read and the file to
 * write (relative paths resolve against the configuration file's directory).
 * {@code softgate replay} takes both from its command line instead.
 *
 * <p>Threading: immutable.
 */
public record PcapConfig(String input, String output) {
    static final PcapConfig NONE = new PcapConfig(null, null);
}
