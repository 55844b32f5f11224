package dev.regent.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every tagged region of ReadmeExample appears verbatim (modulo indentation) in README.md. */
class ReadmeSnippetsTest {

  private static final Pattern REGION = Pattern.compile(
      "// tag::([a-z-]+)\\[]\\n(.*?)\\n\\s*// end::\\1\\[]", Pattern.DOTALL);

  @Test
  void readmeShowsTheCompiledSnippets() throws IOException {
    String source = Files.readString(
        Path.of("src/main/java/dev/regent/examples/ReadmeExample.java"));
    String readme = normalise(Files.readString(Path.of("..", "README.md")));
    Matcher m = REGION.matcher(source);
    List<String> missing = new ArrayList<>();
    int regions = 0;
    while (m.find()) {
      regions++;
      if (!readme.contains(normalise(m.group(2)))) {
        missing.add(m.group(1));
      }
    }
    assertFalse(regions == 0, "no tagged regions found");
    assertTrue(missing.isEmpty(), "README.md lacks (or has a stale copy of) snippets " + missing
        + ": copy them from examples/src/main/java/dev/regent/examples/ReadmeExample.java");
  }

  /** Strips each line's indentation, so snippets can be dedented in README. */
  private static String normalise(String text) {
    var sb = new StringBuilder();
    for (String line : text.split("\n")) {
      sb.append(line.strip()).append('\n');
    }
    return sb.toString();
  }
}
