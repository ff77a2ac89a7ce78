package io.softgate.evpn.bgp.system;

/**
 * A network namespace joined to the root namespace by a veth pair: {@code rootAddress} on the
 * root side, {@code namespaceAddress} inside, a /24 between them. Names carry a unique suffix.
 */
final class VethNamespace implements AutoCloseable {
    final String name;
    final String rootLink;
    final String rootAddress;
    final String namespaceAddress;

    VethNamespace(String suffix, int subnet) {
        this.name = "sg" + suffix;
        this.rootLink = "sgv" + suffix + "a";
        this.rootAddress = "10.254." + subnet + ".1";
        this.namespaceAddress = "10.254." + subnet + ".2";
        String inner = "sgv" + suffix + "b";
        Shell.run("ip netns add " + name);
        Shell.run("ip link add " + rootLink + " type veth peer name " + inner);
        Shell.run("ip link set " + inner + " netns " + name);
        Shell.run("ip addr add " + rootAddress + "/24 dev " + rootLink + " && ip link set " + rootLink + " up");
        exec("ip addr add " + namespaceAddress + "/24 dev " + inner + " && ip link set " + inner + " up && ip link set lo up");
    }

    String exec(String command) {
        return Shell.run("ip netns exec " + name + " sh -c '" + command + "'");
    }

    @Override
    public void close() {
        Shell.run("ip link del " + rootLink + " 2>/dev/null; ip netns del " + name + " 2>/dev/null; true", false);
    }
}
