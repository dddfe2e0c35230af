package dev.controlplane.schemas.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.Envelopes;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class SecretHandlingTest {

    /** JSON written with single quotes, for readability. */
    private static ObjectNode json(String singleQuoted) {
        return (ObjectNode) Envelopes.MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }

    // --- shown: hidden fields removed, at any depth, from a copy

    @Test
    void aTokenIsShown_withoutItsSecretHash() {
        ObjectNode stored = json("{'name':'t1','access_policy':'readers','secret_hash':'sha256:abc','status':'active'}");
        ObjectNode before = stored.deepCopy();

        ObjectNode shown = ResourceKinds.TOKEN.secret().shown(stored);

        assertThat(shown).isEqualTo(json("{'name':'t1','access_policy':'readers','status':'active'}"));
        assertThat(stored).isEqualTo(before);
    }

    @Test
    void apiKeysAreShown_withoutTheKeyHashOfAnyItem() {
        ObjectNode stored = json("{'name':'current','keys':["
                + "{'name':'a','key_hash':'sha256:aaa','masked':'cpk_…aaaa'},"
                + "{'name':'b','key_hash':'sha256:bbb','masked':'cpk_…bbbb'}]}");
        ObjectNode before = stored.deepCopy();

        ObjectNode shown = ResourceKinds.API_KEYS.secret().shown(stored);

        assertThat(shown).isEqualTo(json("{'name':'current','keys':["
                + "{'name':'a','masked':'cpk_…aaaa'},{'name':'b','masked':'cpk_…bbbb'}]}"));
        assertThat(shown.toString()).doesNotContain("sha256:");
        assertThat(stored).isEqualTo(before);
    }

    @Test
    void aWebhookIsShown_withoutItsSealedSecrets_butWithWhenThePreviousOneExpires() {
        ObjectNode stored = json("{'name':'w1','url':'https://example.com/hook','secret_sealed':'v1:sealed-now',"
                + "'previous_secret_sealed':'v1:sealed-before','previous_secret_expires_at':'2026-01-02T00:00:00Z'}");
        ObjectNode before = stored.deepCopy();

        ObjectNode shown = ResourceKinds.WEBHOOK.secret().shown(stored);

        assertThat(shown).isEqualTo(json("{'name':'w1','url':'https://example.com/hook',"
                + "'previous_secret_expires_at':'2026-01-02T00:00:00Z'}"));
        assertThat(stored).isEqualTo(before);
    }

    @Test
    void aHiddenField_isRemovedAtAnyDepth() {
        ObjectNode stored = json("{'name':'t1','nested':{'deeper':[{'secret_hash':'sha256:abc','kept':1}]}}");

        ObjectNode shown = ResourceKinds.TOKEN.secret().shown(stored);

        assertThat(shown).isEqualTo(json("{'name':'t1','nested':{'deeper':[{'kept':1}]}}"));
    }

    // --- redacted: audit changes keep their shape, never a secret's value

    @Test
    void apiKeyChanges_areRedactedInEveryItemOfFromAndTo() {
        ObjectNode changes = json("{'keys':{"
                + "'from':[{'name':'a','key_hash':'sha256:aaa'}],"
                + "'to':[{'name':'a','key_hash':'sha256:aaa'},{'name':'b','key_hash':'sha256:bbb'}]}}");
        ObjectNode before = changes.deepCopy();

        ObjectNode redacted = ResourceKinds.API_KEYS.secret().redacted(changes);

        assertThat(redacted.toString()).doesNotContain("sha256:");
        assertThat(redacted).isEqualTo(json("{'keys':{"
                + "'from':[{'name':'a','key_hash':'[redacted]'}],"
                + "'to':[{'name':'a','key_hash':'[redacted]'},{'name':'b','key_hash':'[redacted]'}]}}"));
        assertThat(changes).isEqualTo(before);
    }

    @Test
    void aSecretSetForTheFirstTime_isRedacted_andKeepsFromNull() {
        ObjectNode changes = json("{'secret_hash':{'from':null,'to':'sha256:x'},'display_name':{'from':'a','to':'b'}}");
        ObjectNode before = changes.deepCopy();

        ObjectNode redacted = ResourceKinds.TOKEN.secret().redacted(changes);

        assertThat(redacted.toString()).doesNotContain("sha256:");
        assertThat(redacted.path("secret_hash").path("from").isNull()).isTrue();
        assertThat(redacted.path("secret_hash").path("to").asString()).isEqualTo(SecretHandling.REDACTED);
        assertThat(redacted.path("display_name")).isEqualTo(json("{'from':'a','to':'b'}"));
        assertThat(changes).isEqualTo(before);
    }

    @Test
    void aSecretRemoved_isRedacted_andKeepsToNull() {
        ObjectNode redacted = ResourceKinds.TOKEN.secret().redacted(json("{'secret_hash':{'from':'sha256:x','to':null}}"));

        assertThat(redacted).isEqualTo(json("{'secret_hash':{'from':'[redacted]','to':null}}"));
    }

    @Test
    void aWebhookRotation_isRedacted_forTheNewAndThePreviousSecret() {
        ObjectNode changes = json("{'secret_sealed':{'from':'sha256:old','to':'sha256:new'},"
                + "'previous_secret_sealed':{'from':null,'to':'sha256:old'},"
                + "'previous_secret_expires_at':{'from':null,'to':'2026-01-02T00:00:00Z'}}");
        ObjectNode before = changes.deepCopy();

        ObjectNode redacted = ResourceKinds.WEBHOOK.secret().redacted(changes);

        assertThat(redacted.toString()).doesNotContain("sha256:");
        assertThat(redacted).isEqualTo(json("{'secret_sealed':{'from':'[redacted]','to':'[redacted]'},"
                + "'previous_secret_sealed':{'from':null,'to':'[redacted]'},"
                + "'previous_secret_expires_at':{'from':null,'to':'2026-01-02T00:00:00Z'}}"));
        assertThat(changes).isEqualTo(before);
    }

    @Test
    void changesThatMentionNoSecret_areReturnedAsTheyAre() {
        ObjectNode changes = json("{'display_name':{'from':'a','to':'b'}}");

        assertThat(ResourceKinds.TOKEN.secret().redacted(changes)).isSameAs(changes);
    }

    // --- a kind without a secret

    @Test
    void aKindWithoutASecret_showsAndRedactsItsInputUnchanged() {
        SecretHandling none = ResourceKinds.TENANT.secret();
        ObjectNode document = json("{'name':'acme','cluster':'main','secret_hash':'sha256:not-a-secret-here'}");

        assertThat(none).isInstanceOf(SecretHandling.None.class);
        assertThat(none.shown(document)).isSameAs(document);
        assertThat(none.redacted(document)).isSameAs(document);
        assertThat(none.answerField()).isNull();
    }

    // --- where the secret is answered

    @Test
    void theSecretIsAnswered_asToken_secret_orKey() {
        assertThat(ResourceKinds.TOKEN.secret().answerField()).isEqualTo("token");
        assertThat(ResourceKinds.WEBHOOK.secret().answerField()).isEqualTo("secret");
        assertThat(ResourceKinds.API_KEYS.secret().answerField()).isEqualTo("key");
    }
}
