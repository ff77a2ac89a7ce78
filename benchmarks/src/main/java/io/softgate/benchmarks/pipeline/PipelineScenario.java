package io.softgate.benchmarks.pipeline;

/**
 * The knobs of a full-pipeline run: established sessions the traffic cycles over, ACL rules in
 * each VPC's classifier, configured VPCs (VRFs) the sessions are spread over, and the inner
 * Ethernet frame size in bytes (the VXLAN frame on the wire is 50 bytes longer).
 *
 * <p>Threading: immutable value.
 */
public record PipelineScenario(int sessions, int rulesPerVpc, int vpcs, int packetBytes) {
    /** Smallest inner frame: Ethernet + IPv4 + UDP headers and no payload would be 42; 64 is the Ethernet minimum. */
    public static final int MIN_PACKET_BYTES = 64;
    /** Largest inner frame: a 1500-byte IP packet plus its Ethernet header. */
    public static final int MAX_PACKET_BYTES = 1514;

    public PipelineScenario {
        if (sessions < 1 || rulesPerVpc < 0 || vpcs < 1) {
            throw new IllegalArgumentException("sessions >= 1, rulesPerVpc >= 0, vpcs >= 1 required");
        }
        if (packetBytes < MIN_PACKET_BYTES || packetBytes > MAX_PACKET_BYTES) {
            throw new IllegalArgumentException("packetBytes must be in [" + MIN_PACKET_BYTES + ", "
                + MAX_PACKET_BYTES + "]: " + packetBytes);
        }
    }

    @Override
    public String toString() {
        return "sessions=" + sessions + " rulesPerVpc=" + rulesPerVpc + " vpcs=" + vpcs + " packetBytes=" + packetBytes;
    }
}
