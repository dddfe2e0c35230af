package dev.controlplane.standalone;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module graph is a tree: services never depend on each other; decisions depend on no framework. */
class ModuleGraphTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.controlplane");

    private static final String[] SERVICES = {
            "dev.controlplane.commandservice..", "dev.controlplane.queryservice..", "dev.controlplane.auditprojector..",
            "dev.controlplane.webhooks.."};

    @Test
    void servicesDoNotDependOnEachOther() {
        for (String service : SERVICES) {
            for (String other : SERVICES) {
                if (!service.equals(other)) {
                    noClasses().that().resideInAPackage(service).should().dependOnClassesThat().resideInAPackage(other)
                            .check(CLASSES);
                }
            }
        }
    }

    @Test
    void librariesDoNotDependOnServicesOrTheLauncher() {
        noClasses().that().resideInAnyPackage("dev.controlplane.schemas..", "dev.controlplane.kafkasupport..",
                        "dev.controlplane.httpsupport..", "dev.controlplane.jdbcstore..", "dev.controlplane.auditstore..",
                        "dev.controlplane.embeddedkafka..", "dev.controlplane.webhooksupport..",
                        "dev.controlplane.rebuilds..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVICES[0], SERVICES[1], SERVICES[2], SERVICES[3],
                        "dev.controlplane.standalone..")
                .check(CLASSES);
    }

    @Test
    void schemasArePlainJavaAndJackson() {
        noClasses().that().resideInAPackage("dev.controlplane.schemas..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.apache.kafka..", "java.sql..")
                .check(CLASSES);
    }

    @Test
    void decisionsUseNoFramework() {
        noClasses().that().resideInAPackage("dev.controlplane.commandservice.decision..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.apache.kafka..",
                        "java.sql..", "jakarta..")
                .check(CLASSES);
    }
}
