package dev.controlplane.standalone;

import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.ConfigurationProperties;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code docker-compose.yml} and the files it mounts, checked statically: there is no Docker engine here to run it.
 * {@link ServicesAloneIT} runs the same topology from the services' jars.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** The services' settings: every {@code @ConfigurationProperties} record of the main sources. */
    private static final List<String> SETTINGS = List.of(
            "dev.controlplane.kafkasupport.KafkaSettings",
            "dev.controlplane.jdbcstore.Database",
            "dev.controlplane.httpsupport.AuthSettings",
            "dev.controlplane.webhooksupport.WebhookSettings",
            "dev.controlplane.commandservice.processor.ProcessorSettings",
            "dev.controlplane.commandservice.gateway.GatewaySettings",
            "dev.controlplane.commandservice.api.LicenseSettings",
            "dev.controlplane.queryservice.QuerySettings",
            "dev.controlplane.auditprojector.AuditProjectorSettings",
            "dev.controlplane.accesscontrol.AccessSettings");

    /** Properties read outside those records: {@code @Value("${admin.metrics-token:}")}, {@code @ConditionalOnProperty}. */
    private static final Pattern READ_ELSEWHERE =
            Pattern.compile("\\$\\{(admin\\.[a-z0-9.-]+)|@ConditionalOnProperty\\(name = \"(admin\\.[a-z0-9.-]+)\"");
    private static final Pattern SETTINGS_DECLARATION = Pattern.compile("(?m)^@ConfigurationProperties\\(");
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern DEPENDENCY = Pattern.compile(
            "<dependency>\\s*<groupId>dev\\.controlplane</groupId>\\s*<artifactId>([^<]+)</artifactId>.*?</dependency>", Pattern.DOTALL);

    private static final List<String> PANELS = List.of("Command latency", "Decisions by outcome", "Projection lag",
            "Audit append rate", "Webhook deliveries by outcome");

    private final JsonNode compose = yaml(ROOT.resolve("docker-compose.yml"));
    private final JsonNode services = compose.path("services");

    @Test
    void theFile_parses_intoTheBrokersTheDatabaseAndTheServices() {
        assertThat(services.propertyNames()).contains("kafka-1", "kafka-2", "kafka-3", "postgres", "prometheus", "grafana");
        assertThat(built()).isNotEmpty();
    }

    @Test
    void everyBuiltService_usesTheOneDockerfile_withAModuleOfTheBuild() {
        List<String> modules = rootModules();
        assertThat(read(ROOT.resolve("deploy/Dockerfile"))).contains("ARG MODULE");
        built().forEach((name, service) -> {
            JsonNode build = service.path("build");
            assertThat(build.path("context").asString()).as(name + " build context").isEqualTo(".");
            assertThat(build.path("dockerfile").asString()).as(name + " Dockerfile").isEqualTo("deploy/Dockerfile");
            String module = build.path("args").path("MODULE").asString();
            assertThat(modules).as(name + " MODULE").contains(module);
            assertThat(ROOT.resolve(module).resolve("pom.xml")).as(name + " MODULE " + module).isRegularFile();
        });
    }

    @Test
    void theSettingsChecked_areEveryConfigurationPropertiesClassOfTheMainSources() {
        Set<String> declared = new TreeSet<>();
        for (String module : rootModules()) {
            Path sources = ROOT.resolve(module).resolve("src/main/java");
            for (Path file : javaFiles(sources)) {
                if (SETTINGS_DECLARATION.matcher(read(file)).find()) {
                    String relative = sources.relativize(file).toString();
                    declared.add(relative.substring(0, relative.length() - ".java".length()).replace(File.separatorChar, '.'));
                }
            }
        }
        assertThat(declared).containsExactlyInAnyOrderElementsOf(SETTINGS);
    }

    /**
     * Each service's {@code ADMIN_*} variables are read by that service: by a settings record or a property read of
     * its module or of a module it depends on (a variable another service reads is as much a mistake as a typo).
     */
    @Test
    void everyAdminVariable_isOneItsServiceReads() {
        Map<String, Set<String>> knownByModule = new HashMap<>();
        Map<String, Set<String>> mapPrefixesByModule = new HashMap<>();
        for (String name : SETTINGS) {
            Class<?> settings = load(name);
            ConfigurationProperties properties = settings.getAnnotation(ConfigurationProperties.class);
            assertThat(properties).as(name + " is @ConfigurationProperties").isNotNull();
            assertThat(settings.isRecord()).as(name + " is a record").isTrue();
            String module = moduleOf(name);
            collect(env(properties.prefix().isEmpty() ? properties.value() : properties.prefix()), settings,
                    knownByModule.computeIfAbsent(module, m -> new HashSet<>()), mapPrefixesByModule.computeIfAbsent(module, m -> new HashSet<>()));
        }
        for (String module : rootModules()) {
            knownByModule.computeIfAbsent(module, m -> new HashSet<>()).addAll(readElsewhere(module));
        }

        List<String> unread = new ArrayList<>();
        Map<String, JsonNode> all = new LinkedHashMap<>(built());
        all.putAll(jobs());
        all.forEach((name, service) -> {
            Set<String> variables = environment(service).keySet();
            if (built().containsKey(name)) {
                assertThat(variables).as(name + " environment").contains("ADMIN_KAFKA_BOOTSTRAPSERVERS");
            }
            Set<String> modules = withDependencies(service.path("build").path("args").path("MODULE").asString());
            Set<String> known = new HashSet<>();
            Set<String> mapPrefixes = new HashSet<>();
            modules.forEach(module -> {
                known.addAll(knownByModule.getOrDefault(module, Set.of()));
                mapPrefixes.addAll(mapPrefixesByModule.getOrDefault(module, Set.of()));
            });
            variables.stream()
                    .filter(variable -> variable.startsWith("ADMIN_"))
                    .filter(variable -> !known.contains(variable) && mapPrefixes.stream().noneMatch(variable::startsWith))
                    .forEach(variable -> unread.add(name + ": " + variable));
        });
        assertThat(unread).as("variables the service they are set on does not read").isEmpty();
    }

    /** The module whose main sources declare a class. */
    private static String moduleOf(String className) {
        String file = "src/main/java/" + className.replace('.', '/') + ".java";
        return rootModules().stream().filter(module -> Files.isRegularFile(ROOT.resolve(module).resolve(file))).findFirst()
                .orElseThrow(() -> new AssertionError(className + " is in no module's main sources"));
    }

    /** A module and every module of this build it depends on, directly or not (from the poms). */
    private static Set<String> withDependencies(String module) {
        Set<String> modules = new java.util.TreeSet<>();
        java.util.ArrayDeque<String> next = new java.util.ArrayDeque<>(List.of(module));
        List<String> ours = rootModules();
        while (!next.isEmpty()) {
            String current = next.pop();
            if (modules.add(current)) {
                Matcher dependency = DEPENDENCY.matcher(read(ROOT.resolve(current).resolve("pom.xml")));
                while (dependency.find()) {
                    if (ours.contains(dependency.group(1)) && !dependency.group(0).contains("<scope>test</scope>")) {
                        next.push(dependency.group(1));
                    }
                }
            }
        }
        return modules;
    }

    /**
     * Only the migrate job holds the owner's password: the services that use the database wait for it, hold the
     * services' role only, and check their stores instead of migrating them.
     */
    @Test
    void theMigrations_runOnceAsTheOwner_beforeTheServices_whichHoldTheServicesRoleOnly() {
        assertThat(jobs()).containsOnlyKeys("migrate");
        JsonNode migrate = jobs().get("migrate");
        assertThat(migrate.path("build").path("args").path("MODULE").asString()).isEqualTo("standalone");
        assertThat(migrate.path("command").values().stream().map(JsonNode::asString).toList()).containsExactly("migrate");
        assertThat(environment(migrate)).containsKeys("ADMIN_DATABASE_URL", "ADMIN_DATABASE_USERNAME",
                "ADMIN_DATABASE_OWNERUSERNAME", "ADMIN_DATABASE_OWNERPASSWORD");
        List<String> usingTheDatabase = new ArrayList<>();
        built().forEach((name, service) -> {
            Map<String, String> environment = environment(service);
            assertThat(environment).as(name).doesNotContainKeys("ADMIN_DATABASE_OWNERUSERNAME", "ADMIN_DATABASE_OWNERPASSWORD");
            if (environment.containsKey("ADMIN_DATABASE_URL")) {
                usingTheDatabase.add(name);
                assertThat(environment).as(name).containsEntry("ADMIN_DATABASE_MIGRATE", "false")
                        .containsEntry("ADMIN_DATABASE_URL", environment(migrate).get("ADMIN_DATABASE_URL"))
                        .containsEntry("ADMIN_DATABASE_USERNAME", environment(migrate).get("ADMIN_DATABASE_USERNAME"));
                assertThat(service.path("depends_on").path("migrate").path("condition").asString()).as(name + " waits for migrate")
                        .isEqualTo("service_completed_successfully");
            }
        });
        assertThat(usingTheDatabase).hasSize(4);
    }

    @Test
    void publishedHostPorts_areUnique() {
        List<String> published = new ArrayList<>();
        services.forEachEntry((name, service) -> {
            for (JsonNode port : service.path("ports")) {
                String host = hostPort(port);
                if (host != null) {
                    published.add(host);
                }
            }
        });
        assertThat(published).isNotEmpty().doesNotHaveDuplicates();
    }

    @Test
    void namedVolumes_areDeclared_andBindMounts_areFilesOfTheRepository() {
        Collection<String> declared = compose.path("volumes").propertyNames();
        List<String> problems = new ArrayList<>();
        services.forEachEntry((name, service) -> {
            for (JsonNode volume : service.path("volumes")) {
                String[] shortForm = volume.asString("").split(":");
                if (!volume.isObject() && shortForm.length < 2) {
                    continue;  // an anonymous volume
                }
                String source = volume.isObject() ? volume.path("source").asString() : shortForm[0];
                boolean bind = volume.isObject() ? volume.path("type").asString().equals("bind")
                        : source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
                if (bind && (!source.startsWith("./") || !Files.exists(ROOT.resolve(source)))) {
                    problems.add(name + " mounts " + source + ", which is not a file of the repository");
                } else if (!bind && !declared.contains(source)) {
                    problems.add(name + " uses the volume " + source + ", which is not declared under volumes");
                }
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void dependsOn_namesServicesOfTheFile_andTheBuiltServicesWaitForHealthyBrokers() {
        Collection<String> names = services.propertyNames();
        services.forEachEntry((name, service) -> {
            JsonNode dependsOn = service.path("depends_on");
            Collection<String> dependencies = dependsOn.isArray()
                    ? dependsOn.values().stream().map(JsonNode::asString).toList() : dependsOn.propertyNames();
            assertThat(names).as(name + " depends_on").containsAll(dependencies);
        });
        built().forEach((name, service) -> {
            for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
                assertThat(service.path("depends_on").path(broker).path("condition").asString())
                        .as(name + " waits for " + broker).isEqualTo("service_healthy");
            }
        });
    }

    @Test
    void everyBuiltService_hasAHealthcheck_onItsReadiness() {
        built().forEach((name, service) -> assertThat(service.path("healthcheck").path("test").toString())
                .as(name + " healthcheck").contains("http://localhost:8080/health/readiness"));
    }

    @Test
    void commandAndQueryServices_runTwiceAtLeast_eachCommandServiceWithAStateVolumeOfItsOwn() {
        Map<String, Long> containers = built().values().stream()
                .collect(groupingBy(service -> service.path("build").path("args").path("MODULE").asString(), counting()));
        assertThat(containers.get("command-service")).as("command-service containers").isGreaterThanOrEqualTo(2);
        assertThat(containers.get("query-service")).as("query-service containers").isGreaterThanOrEqualTo(2);

        List<String> stateVolumes = new ArrayList<>();
        built().forEach((name, service) -> {
            if (service.path("build").path("args").path("MODULE").asString().equals("command-service")) {
                assertThat(environment(service)).as(name + " environment").containsKey("ADMIN_PROCESSOR_STATEDIR");
                stateVolumes.add(service.path("volumes").path(0).asString("").split(":")[0]);
            }
        });
        assertThat(stateVolumes).doesNotContain("").doesNotHaveDuplicates();
    }

    @Test
    void prometheus_scrapesExactlyTheBuiltServices_atMetrics() {
        JsonNode config = yaml(ROOT.resolve("deploy/prometheus/prometheus.yml"));
        Set<String> scraped = new TreeSet<>();
        for (JsonNode job : config.path("scrape_configs")) {
            String jobName = job.path("job_name").asString();
            assertThat(job.path("metrics_path").asString()).as(jobName + " metrics_path").isEqualTo("/metrics");
            for (JsonNode group : job.path("static_configs")) {
                for (JsonNode target : group.path("targets")) {
                    assertThat(target.asString()).as(jobName + " target").endsWith(":8080");
                    scraped.add(target.asString().substring(0, target.asString().lastIndexOf(':')));
                }
            }
        }
        assertThat(scraped).containsExactlyInAnyOrderElementsOf(built().keySet());
    }

    @Test
    void prometheus_sendsTheMetricsToken_theServicesAreGiven() {
        assertThat(compose.path("secrets").path("metrics_token").path("environment").asString()).isEqualTo("ADMIN_METRICSTOKEN");
        assertThat(services.path("prometheus").path("secrets").values().stream().map(JsonNode::asString).toList())
                .contains("metrics_token");
        for (JsonNode job : yaml(ROOT.resolve("deploy/prometheus/prometheus.yml")).path("scrape_configs")) {
            assertThat(job.path("authorization").path("credentials_file").asString())
                    .as(job.path("job_name").asString() + " credentials").isEqualTo("/run/secrets/metrics_token");
        }
        built().forEach((name, service) -> {
            String token = environment(service).get("ADMIN_METRICSTOKEN");
            if (token != null) {
                assertThat(token).as(name + " metrics token").startsWith("${ADMIN_METRICSTOKEN:?");
            }
        });
    }

    @Test
    void grafanaDashboard_parses_andHasThePanels_onTheProvisionedDataSource() {
        JsonNode dashboard = JsonMapper.shared().readTree(ROOT.resolve("deploy/grafana/dashboards/control-plane.json"));
        String dataSource = yaml(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml"))
                .path("datasources").path(0).path("uid").asString();
        assertThat(dashboard.path("panels").values().stream().map(panel -> panel.path("title").asString()).toList())
                .containsAll(PANELS);
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asString();
            assertThat(panel.path("datasource").path("uid").asString()).as(title + " data source").isEqualTo(dataSource);
            assertThat(panel.path("targets").values()).as(title + " queries").isNotEmpty()
                    .allSatisfy(target -> assertThat(target.path("expr").asString()).isNotBlank());
        }
        assertThat(yaml(ROOT.resolve("deploy/grafana/provisioning/dashboards/dashboards.yml")).path("providers").values())
                .isNotEmpty();
    }

    /** The services built from this repository that keep running, by name. */
    private Map<String, JsonNode> built() {
        return fromTheRepository(false);
    }

    /** The one-shot jobs built from this repository (the migrations), by name. */
    private Map<String, JsonNode> jobs() {
        return fromTheRepository(true);
    }

    private Map<String, JsonNode> fromTheRepository(boolean oneShot) {
        Map<String, JsonNode> built = new LinkedHashMap<>();
        services.forEachEntry((name, service) -> {
            if (service.has("build") && service.path("restart").asString("").equals("no") == oneShot) {
                built.put(name, service);
            }
        });
        return built;
    }

    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> environment = new LinkedHashMap<>();
        JsonNode declared = service.path("environment");
        if (declared.isArray()) {
            for (JsonNode entry : declared) {
                String[] pair = entry.asString().split("=", 2);
                environment.put(pair[0], pair.length > 1 ? pair[1] : null);
            }
        } else {
            declared.forEachEntry((name, value) -> environment.put(name, value.isNull() ? null : value.asString()));
        }
        return environment;
    }

    /** {@code "8081:8080"}, {@code "127.0.0.1:8081:8080/tcp"} or {@code {published: 8081}}: the host port, if any. */
    private static String hostPort(JsonNode port) {
        if (port.isObject()) {
            return port.has("published") ? port.path("published").asString() : null;
        }
        String[] parts = port.asString().split("/")[0].split(":");
        return parts.length < 2 ? null : parts[parts.length - 2];
    }

    /** Each component's variable; a map component binds every variable under its own prefix, a record recurses. */
    private static void collect(String prefix, Class<?> record, Set<String> variables, Set<String> mapPrefixes) {
        for (RecordComponent component : record.getRecordComponents()) {
            String variable = prefix + "_" + component.getName().toUpperCase(Locale.ROOT);
            if (Map.class.isAssignableFrom(component.getType())) {
                mapPrefixes.add(variable + "_");
            } else if (component.getType().isRecord()) {
                collect(variable, component.getType(), variables, mapPrefixes);
            } else {
                variables.add(variable);
            }
        }
    }

    private static Set<String> readElsewhere(String module) {
        Set<String> variables = new HashSet<>();
        for (Path file : javaFiles(ROOT.resolve(module).resolve("src/main/java"))) {
            Matcher matcher = READ_ELSEWHERE.matcher(read(file));
            while (matcher.find()) {
                variables.add(env(matcher.group(1) != null ? matcher.group(1) : matcher.group(2)));
            }
        }
        return variables;
    }

    /** As Spring Boot's relaxed binding reads the environment: {@code admin.database.owner-username} is ADMIN_DATABASE_OWNERUSERNAME. */
    private static String env(String property) {
        return property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private static List<String> rootModules() {
        return MODULE.matcher(read(ROOT.resolve("pom.xml"))).results().map(result -> result.group(1).trim()).toList();
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(name + " is not on standalone's test classpath", e);
        }
    }

    private static List<Path> javaFiles(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(file -> file.toString().endsWith(".java")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode yaml(Path file) {
        return YAML.readTree(file);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
