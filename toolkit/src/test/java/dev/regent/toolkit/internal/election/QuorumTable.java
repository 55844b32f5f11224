package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The small text tables of the quorum units' tests (src/test/resources/quorum/*.txt), in the
 * spirit of etcd's testdata: one case a line, {@code key=value ... -> expected}; {@code #} starts
 * a comment, blank lines separate groups. Notation: {@code a} is the identity {@code a#1},
 * {@code a#2} another identity of the name {@code a}; a set is {@code {a,b#2}}, {@code {}} empty.
 */
final class QuorumTable {

  static final Path DIR = Path.of("src/test/resources/quorum");

  /** One case: its line in the file, its inputs in order, and the expected outcome. */
  record Row(String file, int line, Map<String, String> in, String expected) {
    String get(String key) {
      String v = in.get(key);
      if (v == null) {
        throw new IllegalArgumentException(this + ": missing " + key);
      }
      return v;
    }

    String get(String key, String fallback) {
      return in.getOrDefault(key, fallback);
    }

    @Override
    public String toString() {
      return file + ":" + line + " " + in.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "))
          + " -> " + expected;
    }
  }

  private QuorumTable() {}

  static List<Row> rows(String file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(DIR.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var out = new ArrayList<Row>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#', 0);
      // '#' also separates a name from its state id: a comment starts only at a line start or
      // after a blank.
      while (hash > 0 && line.charAt(hash - 1) != ' ') {
        hash = line.indexOf('#', hash + 1);
      }
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      int arrow = line.indexOf("->");
      if (arrow < 0) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": no '->'");
      }
      var in = new LinkedHashMap<String, String>();
      for (String token : line.substring(0, arrow).trim().split("\\s+")) {
        int eq = token.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException(file + ":" + (i + 1) + ": not key=value: " + token);
        }
        in.put(token.substring(0, eq), token.substring(eq + 1));
      }
      out.add(new Row(file, i + 1, in, line.substring(arrow + 2).trim()));
    }
    return out;
  }

  /** {@code a} is {@code a#1}; {@code a#2} is the name {@code a} with state id 2. */
  static NodeId id(String s) {
    int hash = s.indexOf('#');
    return hash < 0 ? new NodeId(s, 1) : new NodeId(s.substring(0, hash),
        Long.parseLong(s.substring(hash + 1)));
  }

  /** The elements of {@code {x,y}} (also accepts a bare list, and "" as empty). */
  static List<String> items(String s) {
    String body = s.startsWith("{") && s.endsWith("}") ? s.substring(1, s.length() - 1) : s;
    var out = new ArrayList<String>();
    for (String item : body.split(",")) {
      if (!item.isBlank()) {
        out.add(item.strip());
      }
    }
    return out;
  }

  static SortedSet<NodeId> ids(String s) {
    var out = new TreeSet<NodeId>();
    items(s).forEach(x -> out.add(id(x)));
    return out;
  }

  static SortedSet<String> names(String s) {
    return new TreeSet<>(items(s));
  }

  /** How a set of identities is written in a table. */
  static String format(SortedSet<NodeId> ids) {
    return ids.stream().map(QuorumTable::format).collect(Collectors.joining(",", "{", "}"));
  }

  static String format(NodeId id) {
    return id.stateId() == 1 ? id.name() : id.name() + "#" + id.stateId();
  }
}
