package io.cellar.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module table of {@code docs/ARCHITECTURE.md}, enforced on the compiled classes of every
 * module: arrows only point the way the table draws them, and no package takes part in a cycle.
 * Fails with the offending classes and the dependency that breaks the rule.
 */
class ArchitectureTest {
  /** Root package of each module. */
  private static final Map<String, String> MODULES =
      Map.of(
          "store-native", "io.cellar.posix..",
          "store-protocol", "io.cellar.protocol..",
          "store-core", "io.cellar.core..",
          "store-server", "io.cellar.server..",
          "store-client", "io.cellar.client..",
          "etcd-meta", "io.cellar.etcd..",
          "csi-plugin", "io.cellar.csi..",
          "deploy", "io.cellar.deploy..");

  /** What each module may use besides itself (the arrows of the module table). */
  private static final Map<String, List<String>> ALLOWED =
      Map.of(
          "store-native", List.of(),
          "store-protocol", List.of(),
          "store-core", List.of("store-native", "store-protocol"),
          "store-client", List.of("store-native", "store-protocol"),
          "store-server", List.of("store-core", "store-protocol", "store-native", "store-client"),
          "etcd-meta", List.of("store-core", "store-protocol", "store-native"),
          "csi-plugin", List.of("store-client", "store-protocol", "store-native"),
          "deploy", List.of("csi-plugin", "store-client", "store-protocol", "store-native"));

  private static JavaClasses classes;

  @BeforeAll
  static void importTheProductCode() {
    // the modules' main classes, whether the reactor hands them over as directories or jars
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.cellar");
  }

  @Test
  void everyModuleIsOnTheClassPath() {
    for (Map.Entry<String, String> m : MODULES.entrySet()) {
      String root = m.getValue().replace("..", "");
      if (classes.stream().noneMatch(c -> c.getPackageName().startsWith(root))) {
        throw new AssertionError("no classes of " + m.getKey() + " (" + root + ") imported");
      }
    }
  }

  @Test
  void modulesDependOnlyDownTheModuleTable() {
    for (Map.Entry<String, String> m : MODULES.entrySet()) {
      List<String> allowed = ALLOWED.get(m.getKey());
      String[] forbidden =
          MODULES.entrySet().stream()
              .filter(o -> !o.getKey().equals(m.getKey()) && !allowed.contains(o.getKey()))
              .map(Map.Entry::getValue)
              .toArray(String[]::new);
      ArchRule rule =
          noClasses()
              .that()
              .resideInAPackage(m.getValue())
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(forbidden)
              .because(m.getKey() + " may use only " + allowed + " (docs/ARCHITECTURE.md)");
      rule.check(classes);
    }
  }

  @Test
  void theEngineOpensNoSockets() {
    noClasses()
        .that()
        .resideInAPackage("io.cellar.core..")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.cellar.posix.SocketCalls")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.cellar.posix.FdPassing")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.cellar.posix.FdReceiver")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.cellar.posix.MsgHdrDescriptor")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage("java.net..", "io.netty..", "io.grpc..")
        .because("store-core is the embeddable engine: it knows no sockets")
        .check(classes);
  }

  @Test
  void theServerLoadsMetadataBackendsInsteadOfNamingThem() {
    noClasses()
        .that()
        .resideInAPackage("io.cellar.server..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.etcd..", "io.cellar.etcd..")
        .because("the server finds the --meta backend through a ServiceLoader")
        .check(classes);
  }

  @Test
  void noPackageTakesPartInACycle() {
    slices().matching("io.cellar.(**)").should().beFreeOfCycles().check(classes);
  }
}
