package dev.regent.toolkit.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The toolkit's layering, checked on its compiled classes (issue 16). The layout it guards is in
 * README's "Layout" section:
 *
 * <ul>
 *   <li>the pure election core ({@code dev.regent.toolkit.internal.election}) depends on the JDK
 *       and on the two identity values it shares with the public API ({@link NodeId}, {@link
 *       Lineage}, which themselves depend on the JDK only): no Pekko, no Jackson, no logging, no
 *       shell. That is what lets the simulator and the explorer run every protocol decision. The
 *       same rule makes the direction one-way: the shell ({@code internal.shell}) uses the core,
 *       never the reverse;
 *   <li>no package cycle at all, the root package (the entry point {@code RegentElection})
 *       included; nothing is frozen or ignored;
 *   <li>no public method, constructor or field of a public class outside {@code ..internal..}
 *       mentions an internal type.
 * </ul>
 *
 * <p>{@link #theCycleRuleCatchesAnInjectedCycle} shows the cycle rule failing on a deliberate
 * cycle (two fixture packages under {@code dev.regent.archfixture} that use each other), and
 * {@link #theSignatureCheckCatchesALeak} the signature check failing on a public class that
 * returns an internal type.
 */
class ArchitectureTest {

  static final String CORE = "dev.regent.toolkit.internal.election";
  static final String SHELL = "dev.regent.toolkit.internal.shell";

  private static final JavaClasses TOOLKIT = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.regent.toolkit");

  @Test
  void theCoreDependsOnTheJdkAndTheIdentityValuesOnly() {
    ArchRule rule = noClasses().that().resideInAPackage(CORE)
        .should().dependOnClassesThat(resideOutsideOfPackages("java..", CORE)
            .and(not(belongToAnyOf(NodeId.class, Lineage.class))))
        .because("the election core is a pure state machine: no I/O, clock, threads or libraries");
    rule.check(TOOLKIT);
    classes().that().belongToAnyOf(NodeId.class, Lineage.class)
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..",
            "dev.regent.toolkit.leadership")
        .check(TOOLKIT);
  }

  @Test
  void theShellUsesTheCoreNeverTheReverse() {
    noClasses().that().resideInAPackage(CORE)
        .should().dependOnClassesThat().resideInAPackage(SHELL)
        .check(TOOLKIT);
    // and the shell does use it: the rule above is not vacuous
    assertTrue(TOOLKIT.stream().filter(c -> c.getPackageName().equals(SHELL))
        .anyMatch(c -> c.getDirectDependenciesFromSelf().stream()
            .anyMatch(d -> d.getTargetClass().getPackageName().equals(CORE))));
  }

  @Test
  void noPackageCycles() {
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
    List<String> offenders = internalTypesInPublicSignatures(TOOLKIT);
    assertTrue(offenders.isEmpty(), "public members that mention internal types: " + offenders);
  }

  @Test
  void theSignatureCheckCatchesALeak() {
    JavaClasses leaky = new ClassFileImporter().importPackages("dev.regent.archfixture");
    assertTrue(internalTypesInPublicSignatures(leaky).stream()
        .anyMatch(m -> m.contains("Leaky")), "the fixture's leak was not found");
  }

  /**
   * Slices of the toolkit, one per package ({@code dev.regent.toolkit} itself is the slice
   * "toolkit"), must be free of cycles.
   */
  static ArchRule cycleRule() {
    return slices().matching("dev.regent.(**)").should().beFreeOfCycles();
  }

  static List<String> internalTypesInPublicSignatures(JavaClasses classes) {
    var offenders = new ArrayList<String>();
    for (JavaClass c : classes) {
      if (c.getPackageName().contains(".internal") || !isPublic(c.getModifiers())) {
        continue;
      }
      for (JavaCodeUnit m : c.getCodeUnits()) {
        if (!isPublic(m.getModifiers())) {
          continue;
        }
        if (isInternal(m.getRawReturnType())
            || m.getRawParameterTypes().stream().anyMatch(ArchitectureTest::isInternal)) {
          offenders.add(m.getFullName());
        }
      }
      for (JavaField f : c.getFields()) {
        if (isPublic(f.getModifiers()) && isInternal(f.getRawType())) {
          offenders.add(f.getFullName());
        }
      }
    }
    return offenders;
  }

  private static boolean isPublic(java.util.Set<JavaModifier> modifiers) {
    return modifiers.contains(JavaModifier.PUBLIC);
  }

  private static boolean isInternal(JavaClass type) {
    return type.getPackageName().contains(".internal");
  }
}
