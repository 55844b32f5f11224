package dev.regent.toolkit.internal.state;

import dev.regent.toolkit.internal.election.ConfigId;
import dev.regent.toolkit.internal.election.HardState;
import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.zip.CRC32;

/**
 * The text format of the state file: UTF-8 {@code key=value} lines so an operator can read it, with
 * a CRC32 of everything before the last line in that last line. Example:
 *
 * <pre>
 * # Regent election state. Do not edit: the checksum on the last line guards it.
 * format=2
 * node-name=127.0.0.1-2551
 * state-id=19a4c2b3e1f00abc
 * term=7
 * voted-for=127.0.0.1-2552#19a4c2b3e1f00123
 * lineage=8f3a61c0d2e4b597
 * promise-nanos=770000000
 * config-term=6
 * config-index=3
 * voter=127.0.0.1-2551#19a4c2b3e1f00abc
 * voter=127.0.0.1-2552#19a4c2b3e1f00123
 * checksum=6ffa9a1d
 * </pre>
 *
 * Node ids are written as {@code name#hex-state-id}, like {@link NodeId#toString()}, so they can be
 * matched against log lines. Characters a name could use to break a line ({@code %}, control
 * characters) are percent-encoded. Keys must appear in exactly this order. {@code lineage} is the
 * {@link Lineage} of the configuration as exactly 16 hex digits ({@link Lineage#format}), and
 * {@code promise-nanos} the longest promise the node ever made, in nanoseconds.
 *
 * <p>Version 1 (written before lineages existed) had neither {@code lineage} nor
 * {@code promise-nanos}; it is still read: its configuration, if any, belongs to
 * {@link Lineage#LEGACY} (every node of a cluster written by that version shares it), and its
 * promise is 0 (the restart grace then covers {@code election-timeout-min}, as that version
 * promised). Only version 2 is written, so the first save after an upgrade rewrites the file.
 */
final class StateFileFormat {

  static final int VERSION = 2;

  /** The version before lineages and promises: read, never written. */
  static final int VERSION_1 = 1;

  private static final String HEADER =
      "# Regent election state. Do not edit: the checksum on the last line guards it.";
  private static final String CHECKSUM = "checksum";

  private StateFileFormat() {}

  /** What the file holds: the owner's name and state id, and its hard state. */
  record Content(String nodeName, long stateId, HardState state) {}

  static byte[] encode(Content content) {
    var body = new StringBuilder();
    line(body, null, HEADER);
    line(body, "format", Integer.toString(VERSION));
    line(body, "node-name", escape(content.nodeName()));
    line(body, "state-id", Long.toHexString(content.stateId()));
    HardState s = content.state();
    line(body, "term", Long.toString(s.term()));
    line(body, "voted-for", s.votedFor().map(StateFileFormat::nodeId).orElse("none"));
    line(body, "lineage", Lineage.format(s.lineage()));
    line(body, "promise-nanos", Long.toString(s.promiseNanos()));
    line(body, "config-term", Long.toString(s.config().id().term()));
    line(body, "config-index", Long.toString(s.config().id().index()));
    for (NodeId voter : s.config().voters()) {
      line(body, "voter", nodeId(voter));
    }
    byte[] bodyBytes = body.toString().getBytes(StandardCharsets.UTF_8);
    String checksumLine = CHECKSUM + "=" + crcHex(bodyBytes, bodyBytes.length) + "\n";
    byte[] tail = checksumLine.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[bodyBytes.length + tail.length];
    System.arraycopy(bodyBytes, 0, out, 0, bodyBytes.length);
    System.arraycopy(tail, 0, out, bodyBytes.length, tail.length);
    return out;
  }

  /**
   * Parses and checks a state file's bytes.
   *
   * @throws StateCorruptedException naming {@code file} and what is wrong
   */
  static Content decode(Path file, byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new StateCorruptedException(file, "not valid UTF-8 text", e);
    }
    if (text.isEmpty()) {
      throw new StateCorruptedException(file, "the file is empty (truncated)");
    }
    if (!text.endsWith("\n")) {
      throw new StateCorruptedException(file, "the last line is incomplete (truncated)");
    }
    int lastLineStart = text.lastIndexOf('\n', text.length() - 2) + 1;
    String lastLine = text.substring(lastLineStart, text.length() - 1);
    if (!lastLine.startsWith(CHECKSUM + "=")) {
      throw new StateCorruptedException(file, "no checksum line at the end (truncated)");
    }
    // The checksum covers the bytes before the checksum line; its line is ASCII, so the byte count
    // of the body is the total minus that line's length.
    int bodyLength = bytes.length - (text.length() - lastLineStart);
    String expected = lastLine.substring(CHECKSUM.length() + 1);
    String actual = crcHex(bytes, bodyLength);
    if (!expected.equals(actual)) {
      throw new StateCorruptedException(file,
          "checksum mismatch (file says " + expected + ", content has " + actual + ")");
    }

    List<String[]> entries = new ArrayList<>();
    for (String line : text.substring(0, lastLineStart).split("\n", -1)) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new StateCorruptedException(file, "line is not key=value: '" + line + "'");
      }
      entries.add(new String[] {line.substring(0, eq), line.substring(eq + 1)});
    }
    var reader = new Entries(file, entries);
    String format = reader.next("format");
    boolean v1 = format.equals(Integer.toString(VERSION_1));
    if (!v1 && !format.equals(Integer.toString(VERSION))) {
      throw new StateCorruptedException(file, "unknown format version '" + format
          + "' (this version of Regent reads " + VERSION_1 + " and " + VERSION + ")");
    }
    String nodeName = unescape(file, reader.next("node-name"));
    long stateId = parseHex(file, "state-id", reader.next("state-id"));
    long term = parseLong(file, "term", reader.next("term"));
    String votedForText = reader.next("voted-for");
    Optional<NodeId> votedFor =
        votedForText.equals("none") ? Optional.empty() : Optional.of(parseNodeId(file, votedForText));
    long lineage = 0;
    long promiseNanos = 0;
    if (!v1) {
      lineage = parseLineage(file, reader.next("lineage"));
      promiseNanos = parseLong(file, "promise-nanos", reader.next("promise-nanos"));
    }
    long configTerm = parseLong(file, "config-term", reader.next("config-term"));
    long configIndex = parseLong(file, "config-index", reader.next("config-index"));
    var voters = new TreeSet<NodeId>();
    while (reader.hasNext()) {
      voters.add(parseNodeId(file, reader.next("voter")));
    }
    try {
      var config = new VoterConfig(new ConfigId(configTerm, configIndex), voters);
      HardState state = v1
          ? new HardState(term, votedFor, config) // LEGACY lineage if it has a config, promise 0
          : new HardState(term, votedFor, config, lineage, promiseNanos);
      return new Content(nodeName, stateId, state);
    } catch (IllegalArgumentException e) {
      throw new StateCorruptedException(file, "invalid state: " + e.getMessage(), e);
    }
  }

  /** Reads entries in the one order the writer uses. */
  private static final class Entries {
    private final Path file;
    private final List<String[]> entries;
    private int pos;

    Entries(Path file, List<String[]> entries) {
      this.file = file;
      this.entries = entries;
    }

    boolean hasNext() {
      return pos < entries.size();
    }

    String next(String key) {
      if (!hasNext()) {
        throw new StateCorruptedException(file, "missing key '" + key + "'");
      }
      String[] e = entries.get(pos++);
      if (!e[0].equals(key)) {
        throw new StateCorruptedException(file,
            "expected key '" + key + "' but found '" + e[0] + "'");
      }
      return e[1];
    }
  }

  private static void line(StringBuilder out, String key, String value) {
    if (key != null) {
      out.append(key).append('=');
    }
    out.append(value).append('\n');
  }

  private static String nodeId(NodeId id) {
    return escape(id.name()) + "#" + Long.toHexString(id.stateId());
  }

  private static NodeId parseNodeId(Path file, String text) {
    int hash = text.lastIndexOf('#');
    if (hash <= 0) {
      throw new StateCorruptedException(file, "not a node id (name#hex): '" + text + "'");
    }
    String name = unescape(file, text.substring(0, hash));
    long stateId = parseHex(file, "state id of " + name, text.substring(hash + 1));
    try {
      return new NodeId(name, stateId);
    } catch (IllegalArgumentException e) {
      throw new StateCorruptedException(file, "not a node id: '" + text + "'", e);
    }
  }

  private static long parseLong(Path file, String what, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new StateCorruptedException(file, what + " is not a number: '" + text + "'", e);
    }
  }

  private static long parseHex(Path file, String what, String text) {
    try {
      return Long.parseUnsignedLong(text, 16);
    } catch (NumberFormatException e) {
      throw new StateCorruptedException(file, what + " is not a hex number: '" + text + "'", e);
    }
  }

  /** Exactly 16 lower-case hex digits, as {@link Lineage#format} writes them. */
  private static long parseLineage(Path file, String text) {
    if (!text.matches("[0-9a-f]{16}")) {
      throw new StateCorruptedException(file,
          "lineage is not 16 hex digits: '" + text + "'");
    }
    return Lineage.parse(text);
  }

  private static String crcHex(byte[] bytes, int length) {
    var crc = new CRC32();
    crc.update(bytes, 0, length);
    return String.format(Locale.ROOT, "%08x", crc.getValue());
  }

  /**
   * Percent-encodes '%' and the control characters (all single-byte), which could otherwise end a
   * line early; everything else, including non-ASCII, is written as it is (the file is UTF-8).
   */
  private static String escape(String s) {
    var out = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> {
      if (cp == '%' || cp < 0x20 || cp == 0x7f) {
        out.append('%').append(String.format(Locale.ROOT, "%02X", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.toString();
  }

  private static String unescape(Path file, String s) {
    var out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i + 3 > s.length()) {
        throw new StateCorruptedException(file, "bad escape in '" + s + "'");
      }
      try {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
      } catch (NumberFormatException e) {
        throw new StateCorruptedException(file, "bad escape in '" + s + "'", e);
      }
      i += 2;
    }
    return out.toString();
  }
}
