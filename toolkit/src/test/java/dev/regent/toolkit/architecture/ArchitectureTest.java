package dev.regent.toolkit.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * The toolkit's layering, checked on its compiled classes (issue 16):
 *
 * <ul>
 *   <li>the pure election core ({@code dev.regent.toolkit.election}, without its {@code wire}
 *       sub-package) depends on the JDK only: no Pekko, no Jackson, no logging, no other Regent
 *       package. That is what lets the simulator and the explorer run every protocol decision;
 *   <li>no new package cycle. One cycle is known and frozen here, edge by edge: the public
 *       {@code leadership} package holds the entry point {@code RegentElection} next to the value
 *       types the shell publishes ({@code Leadership}, {@code LeadershipEvent}), and {@code metrics}
 *       and {@code status} report both. Breaking it means moving a public type (an import change
 *       for users), left for a release that may change imports. Any other cycle fails;
 *   <li>no public method of a class outside {@code ..internal..} mentions an internal type.
 * </ul>
 *
 * <p>{@link #theCycleRuleCatchesAnInjectedCycle} shows the cycle rule failing on a deliberate
 * cycle (two fixture packages under {@code dev.regent.archfixture} that use each other).
 */
class ArchitectureTest {

  private static final JavaClasses TOOLKIT = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.regent.toolkit");

  @Test
  void theCoreDependsOnTheJdkOnly() {
    ArchRule rule = noClasses().that().resideInAPackage("dev.regent.toolkit.election")
        .should().dependOnClassesThat().resideOutsideOfPackages(
            "java..", "dev.regent.toolkit.election")
        .because("the election core is a pure state machine: no I/O, clock, threads or libraries");
    rule.check(TOOLKIT);
  }

  @Test
  void noNewPackageCycles() {
    cycleRule().check(TOOLKIT);
  }

  @Test
  void theCycleRuleCatchesAnInjectedCycle() {
    JavaClasses withCycle = new ClassFileImporter().importPackages("dev.regent.archfixture");
    AssertionError e = assertThrows(AssertionError.class,
        () -> slices().matching("dev.regent.archfixture.(*)..").should().beFreeOfCycles()
            .check(withCycle));
    assertTrue(e.getMessage().contains("Cycle"), e.getMessage());
  }

  @Test
  void publicSignaturesMentionNoInternalType() {
    var offenders = new ArrayList<String>();
    for (JavaClass c : TOOLKIT) {
      if (c.getPackageName().contains(".internal") || !c.getModifiers().contains(
          com.tngtech.archunit.core.domain.JavaModifier.PUBLIC)) {
        continue;
      }
      for (JavaMethod m : c.getMethods()) {
        if (!m.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC)) {
          continue;
        }
        boolean internal = m.getRawReturnType().getPackageName().contains(".internal")
            || m.getRawParameterTypes().stream()
                .anyMatch(p -> p.getPackageName().contains(".internal"));
        if (internal) {
          offenders.add(m.getFullName());
        }
      }
    }
    assertTrue(offenders.isEmpty(), "public methods that mention internal types: " + offenders);
  }

  /** Slices of the toolkit must be free of cycles, except the frozen edges named here. */
  static ArchRule cycleRule() {
    return slices().matching("dev.regent.toolkit.(**)")
        .should().beFreeOfCycles()
        .ignoreDependency(inPackage("dev.regent.toolkit.leadership"),
            inPackage("dev.regent.toolkit.internal.election"))
        .ignoreDependency(inPackage("dev.regent.toolkit.leadership"),
            inPackage("dev.regent.toolkit.metrics"))
        .ignoreDependency(inPackage("dev.regent.toolkit.leadership"),
            inPackage("dev.regent.toolkit.status"));
  }

  private static com.tngtech.archunit.base.DescribedPredicate<JavaClass> inPackage(String p) {
    return JavaClass.Predicates.resideInAPackage(p);
  }
}
