package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * The secrets the API issues (tokens, API keys, webhook signing secrets), once issued and used, exist in clear in no
 * file, log record, output line, audit record or webhook body; the files that do hold keys are the owner's alone;
 * and a retried write that issues a secret answers the same secret without writing a second event.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretHygieneIT {

    private static final WebhookReceiver RECEIVER = new WebhookReceiver();
    /** The stored fields that hold a secret's hash or its sealed form: anywhere a reader sees them, only redacted. */
    private static final Set<String> SECRET_FIELDS = Set.of("secret_hash", "key_hash", "secret_sealed", "previous_secret_sealed");
    private static final String REDACTED = "[redacted]";

    private final Standalone system = TestSystem.shared();
    private final Api api = Api.of(system);

    @AfterAll
    static void deactivateSubscriptions_thenStopTheReceiver() {
        RECEIVER.deactivateSubscriptionsAndClose(Api.of(TestSystem.shared()));
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The secrets one scenario issued, with the names of what holds them. */
    private record Issued(String tokenName, String token, String apiKeyName, String apiKey, String webhookName, String webhookPath,
                          String webhookSecret) {

        /**
         * What to search for, by what it is: each secret without its prefix ({@code cpat_}, {@code cpk_},
         * {@code whsec_}), so that a copy stored without the prefix is found too.
         */
        Map<String, String> needles() {
            Map<String, String> needles = new LinkedHashMap<>();
            needles.put("the token", withoutPrefix(token));
            needles.put("the API key", withoutPrefix(apiKey));
            needles.put("the webhook secret", withoutPrefix(webhookSecret));
            return needles;
        }

        private static String withoutPrefix(String secret) {
            return secret.substring(secret.indexOf('_') + 1);
        }
    }

    /**
     * Registers a webhook for every event, then issues a token, an API key and the webhook's secret and uses them:
     * the token reads the tenants, and a tenant write is delivered, signed with the webhook's secret.
     */
    private Issued issueAndUse() {
        String webhook = unique("hygiene");
        String path = "/" + webhook;
        Api.Response hook = api.post("/api/v1/webhooks", "{\"name\":\"" + webhook + "\",\"url\":\"" + RECEIVER.url(path)
                + "\",\"events\":[\"*\"]}");
        assertThat(hook.status()).as(hook.body()).isEqualTo(201);
        RECEIVER.subscribed(webhook);
        String webhookSecret = hook.json().path("secret").asString();
        assertThat(webhookSecret).startsWith("whsec_");
        RECEIVER.script(path).secrets.add(webhookSecret);
        await("the dispatcher knows the subscription").atMost(Duration.ofSeconds(15))
                .until(() -> api.get("/api/v1/webhooks/" + webhook + "/deliveries").status() == 200);

        String policy = unique("policy");
        assertThat(api.post("/api/v1/accesspolicies", "{\"name\":\"" + policy
                + "\",\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\"}],\"scopes\":[\"tenants:read\"]}").status()).isEqualTo(201);
        String tokenName = unique("token");
        Api.Response token = api.post("/api/v1/tokens", "{\"name\":\"" + tokenName + "\",\"access_policy\":\"" + policy + "\"}");
        assertThat(token.status()).as(token.body()).isEqualTo(201);
        String tokenSecret = token.json().path("token").asString();
        assertThat(tokenSecret).startsWith("cpat_");

        String keyName = unique("key");
        Api.Response key = api.post("/api/v1/api-keys", "{\"name\":\"" + keyName + "\"}");
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        String apiKey = key.json().path("key").asString();
        assertThat(apiKey).startsWith("cpk_");

        assertThat(api.withToken(tokenSecret).get("/api/v1/tenants").status()).as("the token authenticates").isEqualTo(200);
        String tenant = unique("tenant");
        assertThat(api.post("/api/v1/tenants", "{\"name\":\"" + tenant + "\",\"cluster\":\"main\"}").status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(RECEIVER.received(path))
                .extracting(request -> resourceOf(request.body()))
                .contains("token/" + tokenName, "api_keys/current", "tenant/" + tenant));
        // The subscription's own creation may be delivered before the receiver knows its secret: check the others.
        assertThat(RECEIVER.received(path)).filteredOn(request -> !resourceOf(request.body()).equals("webhook/" + webhook))
                .as("the deliveries are signed with the secret searched for")
                .allSatisfy(request -> assertThat(request.verifiedWith()).containsExactly(webhookSecret));
        return new Issued(tokenName, tokenSecret, keyName, apiKey, webhook, path, webhookSecret);
    }

    private static String resourceOf(String deliveryBody) {
        JsonNode resource = Envelopes.MAPPER.readTree(deliveryBody).path("data").path("resource");
        return resource.path("kind").asString("") + "/" + resource.path("name").asString("");
    }

    @Test
    void issuedSecrets_areInNoFileUnderTheDataDirectory() throws IOException {
        Issued issued = issueAndUse();

        assertThat(filesHolding(system.dataDir(), issued.needles()))
                .as("files under %s (Kafka's log, the SQLite stores and their WAL, the processor's state, the keys)", system.dataDir())
                .isEmpty();
    }

    @Test
    void issuedSecrets_areInNoRecordOfAnyTopic() throws Exception {
        Issued issued = issueAndUse();

        assertThat(recordsHolding(system.bootstrapServers(), issued.needles())).as("keys, values and headers of every topic").isEmpty();
    }

    @Test
    void issuedSecrets_areInNoLineOfTheOutput(CapturedOutput output) {
        Issued issued = issueAndUse();

        issued.needles().forEach((what, needle) -> assertThat(output.getAll()).as(what).doesNotContain(needle));
    }

    @Test
    void auditChangesAndWebhookBodies_holdNoSecret_andShowSecretFieldsOnlyRedacted() {
        Issued issued = issueAndUse();

        await().atMost(Duration.ofSeconds(15)).until(() ->
                api.get("/api/v1/audit?resource=token/" + issued.tokenName()).json().path("items").size() == 1);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                api.get("/api/v1/audit?resource=webhook/" + issued.webhookName()).json().path("items").size() == 1);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                api.get("/api/v1/audit?resource=api_keys&limit=100").body().contains(issued.apiKeyName()));
        Map<String, String> documents = new LinkedHashMap<>();
        documents.put("audit of the token", api.get("/api/v1/audit?resource=token/" + issued.tokenName()).body());
        documents.put("audit of the API keys", api.get("/api/v1/audit?resource=api_keys&limit=100").body());
        documents.put("audit of the webhook", api.get("/api/v1/audit?resource=webhook/" + issued.webhookName()).body());
        List<WebhookReceiver.Received> deliveries = RECEIVER.received(issued.webhookPath());
        for (int i = 0; i < deliveries.size(); i++) {
            documents.put("delivery " + i + " (" + resourceOf(deliveries.get(i).body()) + ")", deliveries.get(i).body());
        }

        assertThat(documents.get("audit of the token")).as("the check below has something to check").contains("secret_hash");
        assertThat(documents.get("audit of the API keys")).as("the check below has something to check").contains("key_hash");
        assertThat(documents.get("audit of the webhook")).as("the check below has something to check").contains("secret_sealed");
        documents.forEach((what, json) -> {
            assertThat(json).as(what).doesNotContain("sha256:");
            issued.needles().forEach((secret, needle) -> assertThat(json).as(what + " holds " + secret).doesNotContain(needle));
            assertThat(unredacted(Envelopes.MAPPER.readTree(json))).as(what + ": secret fields not redacted").isEmpty();
        });
    }

    @Test
    void theDataDirectory_itsStoresAndItsKeys_areTheOwnersAlone() throws IOException {
        Path dataDir = system.dataDir();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).as(dataDir.toString()).isEqualTo("rwx------");

        List<String> ownerOnly = new ArrayList<>(List.of("read-model.db", "audit.db", "webhooks.db", "cursor-secret", "secret-key",
                "webhook-key"));
        for (String optional : List.of("admin-token", "read-model.db-wal", "read-model.db-shm", "audit.db-wal", "audit.db-shm",
                "webhooks.db-wal", "webhooks.db-shm")) {
            if (Files.exists(dataDir.resolve(optional))) {
                ownerOnly.add(optional);
            }
        }
        for (String name : ownerOnly) {
            Path file = dataDir.resolve(name);
            assertThat(file).as(name).isRegularFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(name).isEqualTo("rw-------");
        }
    }

    @Test
    void retryingAWriteThatIssuesASecret_withItsIdempotencyKey_answersTheSameSecret_andWritesOneEvent() {
        String policy = unique("policy");
        assertThat(api.post("/api/v1/accesspolicies", "{\"name\":\"" + policy
                + "\",\"realms\":[{\"tenant\":\"*\",\"cluster\":\"main\"}],\"scopes\":[\"tenants:read\"]}").status()).isEqualTo(201);

        String token = unique("token");
        String tokenBody = "{\"name\":\"" + token + "\",\"access_policy\":\"" + policy + "\"}";
        String tokenSecret = sameSecretOnRetry("/api/v1/tokens", tokenBody, "token");
        assertThat(tokenSecret).startsWith("cpat_");
        await().atMost(Duration.ofSeconds(15)).until(() ->
                api.get("/api/v1/tokens/" + token + "/history").json().path("items").size() >= 1);
        assertThat(api.get("/api/v1/tokens/" + token + "/history").json().path("items")).hasSize(1);
        assertThat(LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "token/" + token)).isEqualTo(1);
        assertThat(api.withToken(tokenSecret).get("/api/v1/tenants").status()).as("the secret answered twice authenticates").isEqualTo(200);

        // One key reused for a second token is refused: a key belongs to its first request, and a secret is never
        // handed out twice.
        String reused = "reused-" + UUID.randomUUID();
        Api.Response one = api.post("/api/v1/tokens", "{\"name\":\"" + unique("token") + "\",\"access_policy\":\"" + policy + "\"}",
                "Idempotency-Key", reused);
        Api.Response two = api.post("/api/v1/tokens", "{\"name\":\"" + unique("token") + "\",\"access_policy\":\"" + policy + "\"}",
                "Idempotency-Key", reused);
        assertThat(one.status()).as(one.body()).isEqualTo(201);
        assertThat(two.status()).as(two.body()).isEqualTo(422);
        assertThat(two.body()).doesNotContain(one.json().path("token").asString());

        String key = unique("key");
        long apiKeyEvents = LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "api_keys/current");
        assertThat(sameSecretOnRetry("/api/v1/api-keys", "{\"name\":\"" + key + "\"}", "key")).startsWith("cpk_");
        assertThat(LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "api_keys/current"))
                .as("one event for the API key however often it was asked for").isEqualTo(apiKeyEvents + 1);

        String webhook = unique("retried");
        String webhookBody = "{\"name\":\"" + webhook + "\",\"url\":\"" + RECEIVER.url("/" + webhook) + "\",\"events\":[\"tenant.created\"]}";
        RECEIVER.subscribed(webhook);
        String webhookSecret = sameSecretOnRetry("/api/v1/webhooks", webhookBody, "secret");
        assertThat(webhookSecret).startsWith("whsec_");
        assertThat(LogProbe.count(system.bootstrapServers(), Topics.EVENTS, "webhook/" + webhook)).isEqualTo(1);
    }

    /** POSTs {@code body} twice with one Idempotency-Key; both answers carry the same secret in {@code field}, returned. */
    private String sameSecretOnRetry(String path, String body, String field) {
        String idempotencyKey = "retry-" + UUID.randomUUID();
        Api.Response first = api.post(path, body, "Idempotency-Key", idempotencyKey);
        Api.Response retry = api.post(path, body, "Idempotency-Key", idempotencyKey);
        assertThat(first.status()).as(path + ": " + first.body()).isEqualTo(201);
        assertThat(retry.status()).as(path + " retried: " + retry.body()).isIn(200, 201);
        String secret = first.json().path(field).asString("");
        assertThat(secret).as(path + ": the secret in " + field).isNotBlank();
        assertThat(retry.json().path(field).asString("")).as(path + " retried: the secret in " + field).isEqualTo(secret);
        return secret;
    }

    // --- where a secret could have ended up

    /** Every regular file under {@code root} whose bytes contain a needle, as "what in which file". */
    private static Set<String> filesHolding(Path root, Map<String, String> needles) throws IOException {
        Set<String> found = new LinkedHashSet<>();
        int overlap = needles.values().stream().mapToInt(String::length).max().orElse(1) - 1;
        Files.walkFileTree(root, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (attributes.isRegularFile()) {
                    scan(file, root.relativize(file).toString(), needles, overlap, found);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                if (failure instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // removed while walking: a rolled segment, a temporary file
                }
                throw failure;
            }
        });
        return found;
    }

    /** Reads {@code file} in chunks, each searched with the tail of the one before, so no match is split. */
    private static void scan(Path file, String name, Map<String, String> needles, int overlap, Set<String> found) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            String carried = "";
            int read;
            while ((read = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                // ISO-8859-1 maps each byte to one char, so an ASCII secret matches its bytes exactly.
                String window = carried + new String(buffer, 0, read, StandardCharsets.ISO_8859_1);
                needles.forEach((what, needle) -> {
                    if (window.contains(needle)) {
                        found.add(what + " in " + name);
                    }
                });
                carried = window.substring(Math.max(0, window.length() - overlap));
            }
        } catch (NoSuchFileException e) {
            // removed since it was listed
        }
    }

    /** Every record of every topic (internal ones included) whose key, value or a header contains a needle. */
    private static List<String> recordsHolding(String bootstrap, Map<String, String> needles) throws Exception {
        Set<String> topics;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
        }
        assertThat(topics).contains(Topics.COMMANDS, Topics.EVENTS, Topics.COMMAND_RESULTS);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() - deadline > 0) {
                    fail("could not read every topic to its end in 120 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String where = record.topic() + "-" + record.partition() + "@" + record.offset();
                    check(where + " key", record.key(), needles, found);
                    check(where + " value", record.value(), needles, found);
                    for (Header header : record.headers()) {
                        check(where + " header " + header.key(), header.value(), needles, found);
                    }
                }
            }
        }
        return found;
    }

    private static void check(String where, byte[] bytes, Map<String, String> needles, List<String> found) {
        if (bytes == null) {
            return;
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        needles.forEach((what, needle) -> {
            if (text.contains(needle)) {
                found.add(what + " in " + where);
            }
        });
    }

    // --- redaction

    /** Every occurrence of a secret field whose value is anything but redacted, with its JSON path. */
    private static List<String> unredacted(JsonNode document) {
        List<String> found = new ArrayList<>();
        collectUnredacted(document, "$", found);
        return found;
    }

    private static void collectUnredacted(JsonNode node, String at, List<String> found) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String where = at + "." + field.getKey();
                if (SECRET_FIELDS.contains(field.getKey())) {
                    if (!redacted(field.getValue())) {
                        found.add(where + " = " + field.getValue());
                    }
                } else {
                    collectUnredacted(field.getValue(), where, found);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectUnredacted(node.get(i), at + "[" + i + "]", found);
            }
        }
    }

    /** {@code "[redacted]"}, null, or a change {@code {"from": …, "to": …}} whose sides are each one of those. */
    private static boolean redacted(JsonNode value) {
        if (value.isObject()) {
            return !value.isEmpty() && value.properties().stream().allMatch(side ->
                    (side.getKey().equals("from") || side.getKey().equals("to")) && redactedOrNull(side.getValue()));
        }
        return redactedOrNull(value);
    }

    private static boolean redactedOrNull(JsonNode value) {
        return value.isNull() || (value.isString() && value.asString().equals(REDACTED));
    }
}
