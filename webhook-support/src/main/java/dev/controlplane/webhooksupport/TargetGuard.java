package dev.controlplane.webhooksupport;

import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Refuses webhook targets that would reach inside: loopback, private, link-local, shared (CGNAT), unspecified,
 * multicast, reserved and cloud metadata addresses, IPv4 and IPv6, whatever notation the URL uses (decimal
 * {@code 2130706433}, octal {@code 0177.0.0.1}, hex {@code 0x7f.1}, IPv4-mapped {@code [::ffff:127.0.0.1]}, NAT64
 * and 6to4 forms). Numeric hosts are read the way {@code inet_aton} and browsers read them, so what is checked is
 * what would be dialled. An allowlist of ranges (configuration) lets tests and standalone reach loopback.
 *
 * <p>{@link #resolve} is what the delivery client uses as its DNS resolver: the addresses it returns are the only
 * ones a connection is made to, so a name cannot resolve to a public address when checked and a private one when
 * dialled.
 */
public final class TargetGuard {

    /** Ranges no webhook may reach unless allowed. */
    private static final List<Cidr> BLOCKED = List.of(
            Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"), Cidr.parse("192.0.2.0/24"),
            Cidr.parse("192.88.99.0/24"), Cidr.parse("192.168.0.0/16"), Cidr.parse("198.18.0.0/15"), Cidr.parse("198.51.100.0/24"),
            Cidr.parse("203.0.113.0/24"), Cidr.parse("224.0.0.0/4"), Cidr.parse("240.0.0.0/4"),
            Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("fc00::/7"), Cidr.parse("fe80::/10"), Cidr.parse("fec0::/10"),
            Cidr.parse("ff00::/8"), Cidr.parse("2001:db8::/32"), Cidr.parse("fd00:ec2::254/128"));

    private final List<Cidr> allowed;
    private final Resolver resolver;

    /** Looks a host name up; the system resolver in production, a fixed table in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] lookup(String host) throws UnknownHostException;
    }

    public TargetGuard(List<String> allowedRanges) {
        this(allowedRanges, InetAddress::getAllByName);
    }

    public TargetGuard(List<String> allowedRanges, Resolver resolver) {
        this.allowed = allowedRanges.stream().map(Cidr::parse).toList();
        this.resolver = resolver;
    }

    /** Why a target URL may not be used, or null when it may. Resolves the host. */
    public String problem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            return "is not a URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return "must be an http or https URL";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry credentials";
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            return "has no host";
        }
        try {
            resolve(uri.getHost());
            return null;
        } catch (UnknownHostException e) {
            return e.getMessage();
        }
    }

    /** The addresses of {@code host} that may be dialled; throws when there are none or any is refused. */
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        byte[] numeric = numericIpv4(bare);
        if (numeric != null) {
            addresses = new InetAddress[] {InetAddress.getByAddress(bare, numeric)};
        } else if (bare.contains(":")) {
            addresses = new InetAddress[] {InetAddress.getByName(bare)};
        } else {
            addresses = resolver.lookup(IDN.toASCII(bare));
        }
        if (addresses.length == 0) {
            throw new UnknownHostException("host " + host + " does not resolve");
        }
        for (InetAddress address : addresses) {
            String why = refusal(address);
            if (why != null) {
                throw new UnknownHostException("host " + host + " resolves to " + address.getHostAddress() + ", " + why);
            }
        }
        return addresses;
    }

    /** Why an address may not be dialled, or null. */
    String refusal(InetAddress address) {
        for (InetAddress candidate : embedded(address)) {
            if (allowed.stream().anyMatch(range -> range.contains(candidate))) {
                continue;
            }
            if (candidate.isLoopbackAddress() || candidate.isAnyLocalAddress() || candidate.isLinkLocalAddress()
                    || candidate.isSiteLocalAddress() || candidate.isMulticastAddress()
                    || BLOCKED.stream().anyMatch(range -> range.contains(candidate))) {
                return "a loopback, private, link-local, shared, reserved or metadata address";
            }
        }
        return null;
    }

    /** The address itself, and any IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4, Teredo). */
    private static List<InetAddress> embedded(InetAddress address) {
        List<InetAddress> all = new ArrayList<>(List.of(address));
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            try {
                boolean zeros = true;
                for (int i = 0; i < 10; i++) {
                    zeros &= b[i] == 0;
                }
                // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; not :: and ::1, which are themselves)
                if (zeros && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0 && b[12] != 0))) {
                    all.add(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                }
                if (b[0] == 0x00 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
                    all.add(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                }
                if (b[0] == 0x20 && b[1] == 0x02) {
                    all.add(InetAddress.getByAddress(new byte[] {b[2], b[3], b[4], b[5]}));
                }
                if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
                    all.add(InetAddress.getByAddress(new byte[] {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]}));
                }
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return all;
    }

    /**
     * An all-numeric IPv4 host as {@code inet_aton} reads it: one to four parts, each decimal, octal (leading 0) or
     * hex (0x); the last part fills the remaining bytes. Null when the host is not of that form.
     */
    static byte[] numericIpv4(String host) {
        if (host.isEmpty() || host.endsWith(".") && host.length() == 1) {
            return null;
        }
        String trimmed = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] parts = trimmed.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long value = number(parts[i]);
            if (value == null) {
                return null;
            }
            values[i] = value;
        }
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 255) {
                return null;
            }
            address = (address << 8) | values[i];
        }
        int remaining = 4 - (parts.length - 1);
        long last = values[parts.length - 1];
        if (last >= (1L << (8 * remaining))) {
            return null;
        }
        address = (address << (8 * remaining)) | last;
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    private static Long number(String part) {
        try {
            if (part.isEmpty()) {
                return null;
            }
            if (part.startsWith("0x") || part.startsWith("0X")) {
                return part.length() == 2 ? 0L : Long.parseLong(part.substring(2), 16);
            }
            if (part.length() > 1 && part.startsWith("0")) {
                return Long.parseLong(part.substring(1), 8);
            }
            return Long.parseLong(part);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** An address range. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            try {
                InetAddress address = InetAddress.getByName(text.substring(0, slash));
                return new Cidr(address.getAddress(), Integer.parseInt(text.substring(slash + 1)));
            } catch (UnknownHostException | RuntimeException e) {
                throw new IllegalArgumentException("not an address range: " + text, e);
            }
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest);
            return (bytes[full] & mask) == (network[full] & mask);
        }
    }
}
