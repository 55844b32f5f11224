package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the checked-in golden traces (src/test/resources/golden/*.txt, {@link GoldenTrace}) against
 * the current core: every event is fed again and every effect and wake-up must be the same. Each
 * file is a schedule in which the simulator found a violation while issue 14 was built (planted
 * defects: what each one produces). A change of the core's behaviour on these inputs shows up as
 * a diff with its line number; if the change is intended, regenerate the file with
 * {@link #writeCandidate} (DefectDetectionTest writes candidates to target/golden).
 */
class GoldenTraceTest {

  static final Path DIR = Path.of("src/test/resources/golden");
  static final Path CANDIDATES = Path.of("target/golden");

  static Stream<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".txt")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("files")
  void replaysIdentically(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    var problems = GoldenTrace.replay(lines);
    assertTrue(problems.isEmpty(), () -> file + " no longer replays:\n" + String.join("\n",
        problems));
  }

  @Test
  void thereAreGoldenTraces() throws IOException {
    assertFalse(files().toList().isEmpty(), "no golden traces under " + DIR);
  }

  /** A freshly recorded schedule replays through the codec (the format round-trips). */
  @Test
  void aRecordedScheduleReplays() {
    for (long seed = 1; seed <= 40; seed++) {
      var r = Simulation.run(seed, Simulation.Options.defaults().recorded());
      var problems = GoldenTrace.replay(r.golden());
      long s = seed;
      assertTrue(problems.isEmpty(), () -> "seed " + s + " (" + r.scenario() + "): " + problems);
    }
  }

  /**
   * Records {@code seed} under {@code options} as a golden trace candidate in target/golden, with a
   * header naming the seed, the scenario, the planted defects and the violation.
   */
  static Path writeCandidate(String name, long seed, Simulation.Options options) {
    var r = Simulation.run(seed, options.recorded());
    var out = new ArrayList<String>();
    out.add("# " + name + ": seed " + seed + ", scenario " + r.scenario() + ", " + r.nodes()
        + " nodes, core defects " + options.defects() + ", shell defects "
        + options.shellDefects());
    out.add("# reproduce: Simulation.run(" + seed + ", options) as in DefectDetectionTest;"
        + " events in (start / <node> <event>), effects out (>), next wake-up (wake)");
    out.addAll(r.golden());
    try {
      Files.createDirectories(CANDIDATES);
      Path p = CANDIDATES.resolve(name + ".txt");
      Files.write(p, out);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
