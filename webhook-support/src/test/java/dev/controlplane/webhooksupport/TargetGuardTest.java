package dev.controlplane.webhooksupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The SSRF guard against a corpus of internal targets, in the notations attackers use. */
class TargetGuardTest {

    /** Names resolve through a fixed table, as a hostile DNS would answer. */
    private static final Map<String, String> DNS = Map.of(
            "hooks.example.com", "93.184.216.34",
            "internal.example.com", "10.1.2.3",
            "metadata.google.internal", "169.254.169.254",
            "rebind.example.com", "127.0.0.1",
            "v6.example.com", "2606:4700::6810:85e5");

    private final TargetGuard guard = new TargetGuard(List.of(), host -> {
        String address = DNS.get(host);
        if (address == null) {
            throw new java.net.UnknownHostException("host " + host + " does not resolve");
        }
        return new InetAddress[] {InetAddress.getByName(address)};
    });

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/",
            "http://0x7f000001/", "http://017700000001/", "http://0/", "http://0.0.0.0/", "http://localhost./x",
            "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/", "http://100.64.0.1/", "http://169.254.169.254/latest/meta-data",
            "http://[::1]/", "http://[::]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[0:0:0:0:0:ffff:a00:1]/",
            "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd00:ec2::254]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:7f00:1::]/",
            "http://224.0.0.1/", "http://255.255.255.255/", "http://internal.example.com/", "http://metadata.google.internal/",
            "http://rebind.example.com:8080/", "https://192.168.0.1:8443/hook", "http://user:pass@hooks.example.com/",
            "ftp://hooks.example.com/", "file:///etc/passwd", "gopher://127.0.0.1:6379/", "not a url"})
    void refuses(String target) {
        assertThat(guard.problem(target)).as(target).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/webhooks", "http://93.184.216.34:8080/x", "https://v6.example.com/",
            "https://[2606:4700::6810:85e5]/"})
    void allowsPublicTargets(String target) {
        assertThat(guard.problem(target)).as(target).isNull();
    }

    @Test
    void anAllowlistPermitsChosenPrivateRanges_only() {
        TargetGuard loopbackAllowed = new TargetGuard(List.of("127.0.0.0/8", "::1/128"));
        assertThat(loopbackAllowed.problem("http://127.0.0.1:9999/")).isNull();
        assertThat(loopbackAllowed.problem("http://[::1]:9999/")).isNull();
        assertThat(loopbackAllowed.problem("http://10.0.0.1/")).isNotNull();
    }

    @Test
    void numericHosts_areReadAsInetAtonReadsThem() {
        assertThat(TargetGuard.numericIpv4("0177.0.0.1")).containsExactly(127, 0, 0, 1);
        assertThat(TargetGuard.numericIpv4("2130706433")).containsExactly(127, 0, 0, 1);
        assertThat(TargetGuard.numericIpv4("0x7f.1")).containsExactly(127, 0, 0, 1);
        assertThat(TargetGuard.numericIpv4("hooks.example.com")).isNull();
        assertThat(TargetGuard.numericIpv4("256.1.1.1")).isNull();
    }
}
