package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.singleton.compat.DocsCounter;
import dev.regent.singleton.compat.PekkoDocsExample;
import dev.regent.singleton.compat.RegentDocsExample;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Switching from Pekko's typed cluster singleton to Regent's is an import change: every public
 * method of Pekko's {@code ClusterSingleton}, {@code SingletonActor} and
 * {@code ClusterSingletonSettings} (the classes on this test class path) exists in Regent's class
 * of the same name.
 *
 * <p>Issue 16: Pekko's own failover harness, switched to Regent by its imports, did not compile
 * because {@code ClusterSingletonSettings.removalMargin()} was missing. On the code before the
 * fix (commit 915b1e8, with only this reflection check copied there)
 * {@link #everyPublicMethodOfPekkosClassesExistsInRegents} failed with:
 * <pre>
 * 17 public methods of Pekko's singleton API are missing in Regent's:
 *   static ClusterSingleton.apply(ActorSystem): Extension
 *   static ClusterSingleton.createExtension(ActorSystem): ClusterSingleton
 *   SingletonActor.behavior(): Behavior
 *   static SingletonActor.apply(Behavior, String): SingletonActor
 *   ClusterSingletonSettings.dataCenter(): Option
 *   ClusterSingletonSettings.handOverRetryInterval(): FiniteDuration
 *   ClusterSingletonSettings.leaseSettings(): Option
 *   ClusterSingletonSettings.removalMargin(): FiniteDuration
 *   ClusterSingletonSettings.singletonIdentificationInterval(): FiniteDuration
 *   ClusterSingletonSettings.withDataCenter(String): ClusterSingletonSettings
 *   ClusterSingletonSettings.withHandoverRetryInterval(FiniteDuration): ClusterSingletonSettings
 *   ClusterSingletonSettings.withHandoverRetryInterval(java.time.Duration): ClusterSingletonSettings
 *   ClusterSingletonSettings.withLeaseSettings(LeaseUsageSettings): ClusterSingletonSettings
 *   ClusterSingletonSettings.withNoDataCenter(): ClusterSingletonSettings
 *   ClusterSingletonSettings.withRemovalMargin(FiniteDuration): ClusterSingletonSettings
 *   ClusterSingletonSettings.withRemovalMargin(java.time.Duration): ClusterSingletonSettings
 *   static ClusterSingletonSettings.apply(ActorSystem): ClusterSingletonSettings
 *  ==> expected: &lt;true&gt; but was: &lt;false&gt;
 * </pre>
 *
 * <p><b>Which of Pekko's methods are checked</b>: all public methods, static and instance, declared
 * or inherited ({@link Class#getMethods}), except
 * <ul>
 *   <li>those with the signature of a public {@code java.lang.Object} method (every class has
 *       them: {@code toString}, {@code equals}, {@code hashCode}, {@code getClass}, ...);</li>
 *   <li>compiler-made ones: synthetic or bridge methods, and names with a {@code $} (Scala's
 *       {@code $init$}, default-argument getters {@code foo$default$2}, lambdas);</li>
 *   <li>Scala case-class members a Java user never calls: {@code copy}, {@code canEqual},
 *       {@code product*} (none are public today, the rule keeps a future case class honest);</li>
 *   <li>Pekko's INTERNAL API, listed in {@link #PEKKO_INTERNAL}: public in the bytecode
 *       ({@code private[pekko]} in Scala) and annotated {@code @InternalApi}, whose CLASS
 *       retention hides it from reflection, hence the explicit list;</li>
 *   <li>constructors (not methods): Pekko's take Scala {@code Option}s and are not the documented
 *       way to build these values ({@code create}, {@code of}).</li>
 * </ul>
 * Scala-only overloads (taking a {@code FiniteDuration}) are not excluded: Regent has them too.
 *
 * <p><b>When a Regent method matches</b>: same name, same static-ness, same parameter count; each
 * parameter of Regent's accepts what Pekko's accepts, and Regent's return type can stand where
 * Pekko's is used, after mapping Pekko's three classes to Regent's and {@code scala.Option} to
 * {@code java.util.Optional} ({@link #REGENT_COUNTERPART}). Every other type (Behavior, ActorRef,
 * Props, ActorSystem, Config, FiniteDuration, java.time.Duration, LeaseUsageSettings) must be
 * the same. The Option mapping is a documented difference: Regent's API is Java and its accessors
 * ({@code role()}, {@code stopMessage()}, {@code settings()}) returned Optional before; only the
 * values' own methods differ ({@code isDefined} vs {@code isPresent}).
 */
class PekkoApiCompatibilityTest {

  /** Pekko's class, Regent's class. */
  private static final Map<Class<?>, Class<?>> PAIRS = Map.of(
      org.apache.pekko.cluster.typed.ClusterSingleton.class, ClusterSingleton.class,
      org.apache.pekko.cluster.typed.SingletonActor.class, SingletonActor.class,
      org.apache.pekko.cluster.typed.ClusterSingletonSettings.class, ClusterSingletonSettings.class);

  /** How a Pekko type in a signature reads in Regent's; any other type stays the same. */
  private static final Map<Class<?>, Class<?>> REGENT_COUNTERPART = Map.of(
      org.apache.pekko.cluster.typed.ClusterSingleton.class, ClusterSingleton.class,
      org.apache.pekko.cluster.typed.SingletonActor.class, SingletonActor.class,
      org.apache.pekko.cluster.typed.ClusterSingletonSettings.class, ClusterSingletonSettings.class,
      scala.Option.class, Optional.class);

  /** Pekko's {@code @InternalApi private[pekko]} members of these classes (seen with javap -v). */
  static final Set<String> PEKKO_INTERNAL = Set.of(
      "ClusterSingletonSettings.toManagerSettings(String): ClusterSingletonManagerSettings",
      "ClusterSingletonSettings.toProxySettings(String): ClusterSingletonProxySettings",
      "ClusterSingletonSettings.shouldRunManager(Cluster): boolean");

  private static final Set<String> SCALA_CASE_CLASS_MEMBERS = Set.of("copy", "canEqual",
      "productArity", "productElement", "productElementName", "productElementNames",
      "productIterator", "productPrefix");

  /** Pekko's settings that mean nothing in Regent: deprecated there and listed in the docs. */
  private static final Set<String> WITHOUT_MEANING_IN_REGENT = Set.of("dataCenter",
      "withDataCenter", "withNoDataCenter", "singletonIdentificationInterval", "removalMargin",
      "withRemovalMargin", "handOverRetryInterval", "withHandoverRetryInterval", "leaseSettings",
      "withLeaseSettings");

  private static final List<String> NAMES =
      List.of("ClusterSingleton", "SingletonActor", "ClusterSingletonSettings");

  @TempDir
  Path stateRoot;

  @Test
  void everyPublicMethodOfPekkosClassesExistsInRegents() {
    List<String> missing = new ArrayList<>();
    for (Class<?> pekko : pekkoClasses()) {
      missing.addAll(missing(pekko, PAIRS.get(pekko)));
    }
    assertTrue(missing.isEmpty(), missing.size() + " public methods of Pekko's singleton API are "
        + "missing in Regent's:\n  " + String.join("\n  ", missing) + "\n");
  }

  /** Guards the rule against excluding too much: the API the issue and the docs name is seen. */
  @Test
  void theCheckSeesPekkosJavaApiAndItsExclusionsExist() {
    Set<String> checked = new TreeSet<>();
    Set<String> internalSeen = new TreeSet<>();
    for (Class<?> pekko : pekkoClasses()) {
      for (Method m : pekko.getMethods()) {
        String s = signature(m);
        if (PEKKO_INTERNAL.contains(s.replace("static ", ""))) {
          internalSeen.add(s);
        } else if (checked(m)) {
          checked.add(s);
        }
      }
    }
    for (String expected : List.of(
        "static ClusterSingleton.get(ActorSystem): ClusterSingleton",
        "ClusterSingleton.init(SingletonActor): ActorRef",
        "static SingletonActor.of(Behavior, String): SingletonActor",
        "SingletonActor.withStopMessage(Object): SingletonActor",
        "SingletonActor.withSettings(ClusterSingletonSettings): SingletonActor",
        "static ClusterSingletonSettings.create(ActorSystem): ClusterSingletonSettings",
        "ClusterSingletonSettings.withRole(String): ClusterSingletonSettings",
        "ClusterSingletonSettings.removalMargin(): FiniteDuration",
        "ClusterSingletonSettings.withRemovalMargin(java.time.Duration): ClusterSingletonSettings",
        "ClusterSingletonSettings.withRemovalMargin(FiniteDuration): ClusterSingletonSettings")) {
      assertTrue(checked.contains(expected), expected + " not checked; checked: " + checked);
    }
    assertEquals(PEKKO_INTERNAL.size(), internalSeen.size(),
        "stale internal list " + PEKKO_INTERNAL + ", seen " + internalSeen);
  }

  /** The check fails, naming the method, when a class lacks one of Pekko's methods. */
  @Test
  void aMissingMethodIsReportedWithItsSignature() {
    List<String> missing = missing(
        org.apache.pekko.cluster.typed.ClusterSingletonSettings.class, SettingsLackingOne.class);
    assertTrue(missing.contains("ClusterSingletonSettings.removalMargin(): FiniteDuration"),
        missing.toString());
    assertTrue(missing.stream().noneMatch(s -> s.startsWith("ClusterSingletonSettings.withRole(")),
        missing.toString());
  }

  /** A stand-in that has {@code withRole} but not {@code removalMargin}. */
  static final class SettingsLackingOne {
    public ClusterSingletonSettings withRole(String role) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void pekkosSettingsWithoutMeaningAreDeprecatedInRegentAndDocumented() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "SINGLETON.md"));
    List<String> problems = new ArrayList<>();
    for (String name : WITHOUT_MEANING_IN_REGENT) {
      List<Method> regent = Arrays.stream(ClusterSingletonSettings.class.getMethods())
          .filter(m -> m.getName().equals(name)).toList();
      if (regent.isEmpty()) {
        problems.add(name + " missing");
      }
      regent.stream().filter(m -> !m.isAnnotationPresent(Deprecated.class))
          .forEach(m -> problems.add(signature(m) + " not deprecated"));
      if (!docs.contains("`" + name + "`")) {
        problems.add(name + " not listed in docs/SINGLETON.md");
      }
    }
    assertTrue(problems.isEmpty(), problems.toString());
  }

  @Test
  void regentsDocsExampleIsPekkosWithOtherImports() throws IOException {
    Path dir = Path.of("src", "test", "java", "dev", "regent", "singleton", "compat");
    String pekko = Files.readString(dir.resolve("PekkoDocsExample.java"));
    String regent = Files.readString(dir.resolve("RegentDocsExample.java"));
    for (String name : NAMES) {
      assertTrue(pekko.contains("import org.apache.pekko.cluster.typed." + name + ";"), name);
      assertTrue(regent.contains("import dev.regent.singleton." + name + ";"), name);
    }
    assertEquals(
        pekko.replace("import org.apache.pekko.cluster.typed.", "import SINGLETON.")
            .replace("class PekkoDocsExample ", "class DocsExample ")
            .replace("private PekkoDocsExample()", "private DocsExample()"),
        regent.replace("import dev.regent.singleton.", "import SINGLETON.")
            .replace("class RegentDocsExample ", "class DocsExample ")
            .replace("private RegentDocsExample()", "private DocsExample()"));
  }

  /**
   * The documentation's Java usage runs on a single-node cluster with the real election, with
   * Pekko's and with Regent's singleton, and both answer alike.
   */
  @Test
  void pekkosJavaDocsUsageRunsOnRegentInASingleNodeCluster() throws Exception {
    try (var cluster = new InJvmCluster(stateRoot, Optional.empty(), ConfigFactory.parseString("""
        pekko.cluster.roles = [singleton]
        regent.election.voter-role = singleton
        """))) {
      ActorSystem<Void> system = cluster.startUp(1).get(0);
      cluster.awaitVoters();
      cluster.awaitAgreedLeader();

      ActorRef<DocsCounter.Command> regent = RegentDocsExample.init(system, "GlobalCounter");
      ActorRef<DocsCounter.Command> pekko = PekkoDocsExample.init(system, "GlobalCounter");
      assertEquals(1, value(system, pekko));
      assertEquals(1, value(system, regent));

      ActorRef<DocsCounter.Command> regentSupervised =
          RegentDocsExample.initSupervised(system, "SupervisedCounter", "singleton");
      ActorRef<DocsCounter.Command> pekkoSupervised =
          PekkoDocsExample.initSupervised(system, "SupervisedCounter", "singleton");
      for (var proxy : List.of(regentSupervised, pekkoSupervised)) {
        proxy.tell(DocsCounter.Increment.INSTANCE);
        proxy.tell(DocsCounter.Increment.INSTANCE);
      }
      assertEquals(2, value(system, pekkoSupervised));
      assertEquals(2, value(system, regentSupervised));

      assertEquals(PekkoDocsExample.removalMarginPlusHandOverRetryMillis(system),
          RegentDocsExample.removalMarginPlusHandOverRetryMillis(system));
    }
  }

  private static int value(ActorSystem<?> system, ActorRef<DocsCounter.Command> counter)
      throws Exception {
    return AskPattern.<DocsCounter.Command, Integer>ask(counter, DocsCounter.GetValue::new,
        Duration.ofSeconds(20), system.scheduler()).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------------------------------------

  private static List<Class<?>> pekkoClasses() {
    return List.of(org.apache.pekko.cluster.typed.ClusterSingleton.class,
        org.apache.pekko.cluster.typed.SingletonActor.class,
        org.apache.pekko.cluster.typed.ClusterSingletonSettings.class);
  }

  /** Pekko's checked methods that {@code regent} lacks, as signatures, sorted. */
  static List<String> missing(Class<?> pekko, Class<?> regent) {
    return Arrays.stream(pekko.getMethods())
        .filter(PekkoApiCompatibilityTest::checked)
        .filter(m -> Arrays.stream(regent.getMethods()).noneMatch(r -> matches(m, r)))
        .map(PekkoApiCompatibilityTest::signature)
        .sorted()
        .collect(Collectors.toList());
  }

  /** The exclusion rule of the class javadoc. */
  static boolean checked(Method m) {
    if (m.isSynthetic() || m.isBridge() || m.getName().contains("$")
        || SCALA_CASE_CLASS_MEMBERS.contains(m.getName())
        || PEKKO_INTERNAL.contains(signature(m).replace("static ", ""))) {
      return false;
    }
    try {
      Object.class.getMethod(m.getName(), m.getParameterTypes());
      return false;
    } catch (NoSuchMethodException notObjects) {
      return true;
    }
  }

  private static boolean matches(Method pekko, Method regent) {
    if (!pekko.getName().equals(regent.getName())
        || Modifier.isStatic(pekko.getModifiers()) != Modifier.isStatic(regent.getModifiers())
        || pekko.getParameterCount() != regent.getParameterCount()) {
      return false;
    }
    Class<?>[] pp = pekko.getParameterTypes();
    Class<?>[] rp = regent.getParameterTypes();
    for (int i = 0; i < pp.length; i++) {
      if (!rp[i].isAssignableFrom(inRegent(pp[i]))) {
        return false;
      }
    }
    return pekko.getReturnType() == void.class
        || inRegent(pekko.getReturnType()).isAssignableFrom(regent.getReturnType());
  }

  private static Class<?> inRegent(Class<?> pekkoType) {
    return REGENT_COUNTERPART.getOrDefault(pekkoType, pekkoType);
  }

  /** E.g. {@code static ClusterSingleton.get(ActorSystem): ClusterSingleton}. */
  static String signature(Method m) {
    String pekkoClass = m.getDeclaringClass().getSimpleName();
    return (Modifier.isStatic(m.getModifiers()) ? "static " : "") + pekkoClass + "."
        + m.getName() + Arrays.stream(m.getParameterTypes()).map(PekkoApiCompatibilityTest::name)
            .collect(Collectors.joining(", ", "(", ")")) + ": " + name(m.getReturnType());
  }

  /** Simple names, but java.time.Duration in full (next to scala's FiniteDuration overloads). */
  private static String name(Class<?> c) {
    return c == Duration.class ? "java.time.Duration" : c.getSimpleName();
  }
}
