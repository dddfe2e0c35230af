package dev.controlplane.httpsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenSecretsTest {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final byte[] KEY = "a server-held key of some length".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_KEY = "another server-held key entirely".getBytes(StandardCharsets.UTF_8);

    @Test
    void aNewToken_isThePrefix_43CharactersOfBase62_andA6CharacterChecksum() {
        String token = TokenSecrets.newToken();

        assertThat(token).startsWith("cpat_").hasSize(5 + 43 + 6);
        assertThat(token.substring(5)).matches("[0-9A-Za-z]{49}");
        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, token)).isTrue();
    }

    @Test
    void twoNewTokens_differ() {
        assertThat(TokenSecrets.newToken()).isNotEqualTo(TokenSecrets.newToken());
    }

    @Test
    void aNewApiKey_isWellFormedForItsOwnPrefix_only() {
        String key = TokenSecrets.newSecret(TokenSecrets.API_KEY_PREFIX);

        assertThat(key).startsWith("cpk_").hasSize(4 + 43 + 6);
        assertThat(TokenSecrets.wellFormed(TokenSecrets.API_KEY_PREFIX, key)).isTrue();
        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, key)).isFalse();
    }

    @Test
    void aMistypedToken_failsItsChecksum_whicheverCharacterOfTheBodyOrChecksumIsChanged() {
        String token = TokenSecrets.newToken();

        for (int position = TokenSecrets.TOKEN_PREFIX.length(); position < token.length(); position++) {
            for (char replacement : BASE62.toCharArray()) {
                if (replacement == token.charAt(position)) {
                    continue;
                }
                String mistyped = token.substring(0, position) + replacement + token.substring(position + 1);
                assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, mistyped))
                        .as("%s with position %d changed to %s", token, position, replacement).isFalse();
            }
        }
    }

    @Test
    void aTokenWithAnotherPrefix_isNotWellFormed() {
        String token = TokenSecrets.newToken();

        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, "cpxt_" + token.substring(5))).isFalse();
        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, "CPAT_" + token.substring(5))).isFalse();
        assertThat(TokenSecrets.wellFormed(TokenSecrets.API_KEY_PREFIX, token)).isFalse();
    }

    @Test
    void aTokenOfAnotherLength_isNotWellFormed() {
        String token = TokenSecrets.newToken();

        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, token + "0")).isFalse();
        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, token.substring(0, token.length() - 1))).isFalse();
        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, TokenSecrets.TOKEN_PREFIX)).isFalse();
        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, "")).isFalse();
        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, null)).isFalse();
    }

    @Test
    void aTokenWithACharacterOutsideBase62_isNotWellFormed() {
        String token = TokenSecrets.newToken();

        for (char outside : "-_+/=. é".toCharArray()) {
            String body = token.substring(0, 10) + outside + token.substring(11);
            String checksum = token.substring(0, token.length() - 1) + outside;
            assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, body)).as("body with %s", outside).isFalse();
            assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX, checksum)).as("checksum with %s", outside).isFalse();
        }
    }

    @Test
    void aDerivedSecret_isTheSameForTheSameKeyAndPurpose() {
        String first = TokenSecrets.derived(TokenSecrets.TOKEN_PREFIX, KEY, "command-1/token");
        String again = TokenSecrets.derived(TokenSecrets.TOKEN_PREFIX, KEY.clone(), "command-1/token");

        assertThat(again).isEqualTo(first);
    }

    @Test
    void aDerivedSecret_differsForAnotherPurpose_anotherKey_orAnotherPrefix() {
        String secret = TokenSecrets.derived(TokenSecrets.TOKEN_PREFIX, KEY, "command-1/token");

        assertThat(TokenSecrets.derived(TokenSecrets.TOKEN_PREFIX, KEY, "command-2/token")).isNotEqualTo(secret);
        assertThat(TokenSecrets.derived(TokenSecrets.TOKEN_PREFIX, OTHER_KEY, "command-1/token")).isNotEqualTo(secret);
        assertThat(TokenSecrets.derived(TokenSecrets.API_KEY_PREFIX, KEY, "command-1/token").substring(4))
                .isNotEqualTo(secret.substring(5));
    }

    @Test
    void aDerivedSecret_isWellFormed() {
        assertThat(TokenSecrets.wellFormed(TokenSecrets.TOKEN_PREFIX,
                TokenSecrets.derived(TokenSecrets.TOKEN_PREFIX, KEY, "command-1/token"))).isTrue();
        assertThat(TokenSecrets.wellFormed(TokenSecrets.API_KEY_PREFIX,
                TokenSecrets.derived(TokenSecrets.API_KEY_PREFIX, KEY, "command-1/key/a"))).isTrue();
    }

    @Test
    void theHash_isSha256InLowercaseHex() {
        assertThat(TokenSecrets.hash(TokenSecrets.newToken())).matches("sha256:[0-9a-f]{64}");
        assertThat(TokenSecrets.hash("abc"))
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void theHash_isTheSameForTheSameSecret_andDiffersForAnother() {
        String token = TokenSecrets.newToken();

        assertThat(TokenSecrets.hash(token)).isEqualTo(TokenSecrets.hash(new String(token)));
        assertThat(TokenSecrets.hash(TokenSecrets.newToken())).isNotEqualTo(TokenSecrets.hash(token));
    }

    @Test
    void theMask_showsThePrefixAndTheLastFourCharacters_only() {
        for (int i = 0; i < 20; i++) {
            String token = TokenSecrets.newToken();
            String key = TokenSecrets.newSecret(TokenSecrets.API_KEY_PREFIX);

            assertThat(TokenSecrets.mask(token)).isEqualTo("cpat_…" + token.substring(token.length() - 4));
            assertThat(TokenSecrets.mask(key)).isEqualTo("cpk_…" + key.substring(key.length() - 4));
        }
    }

    @Test
    void theMask_ofASecretWithoutAPrefix_showsTheLastFourCharacters_only() {
        assertThat(TokenSecrets.mask("a-secret-chosen-by-an-operator-9f3k")).isEqualTo("…9f3k");
    }
}
