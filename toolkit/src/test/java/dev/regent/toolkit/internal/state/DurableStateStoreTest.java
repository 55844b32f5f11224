package dev.regent.toolkit.internal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.internal.election.ConfigId;
import dev.regent.toolkit.internal.election.HardState;
import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.leadership.Lineage;
import dev.regent.toolkit.leadership.NodeId;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableStateStoreTest {

  private static final String NAME = "127.0.0.1-2551";

  @TempDir Path dir;

  private static HardState sample(NodeId self) {
    var peer = new NodeId("127.0.0.1-2552", 0x1234_5678_9abcL);
    var odd = new NodeId("odd %name#with\nbreaks", -7L);
    return new HardState(7, Optional.of(peer),
        VoterConfig.of(new ConfigId(6, 3), List.of(self, peer, odd)), LINEAGE, 770_000_000L);
  }

  /** A minted lineage with the top bit set: it must survive as an unsigned 16-digit hex id. */
  private static final long LINEAGE = 0x8f3a_61c0_d2e4_b597L;

  /** Writes a state file by hand, with a valid checksum, so only its fields can be wrong. */
  private Path writeWithChecksum(String body) throws Exception {
    Path nodeDir = Files.createDirectories(dir.resolve(NAME));
    var crc = new java.util.zip.CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    Path file = nodeDir.resolve(DurableStateStore.STATE_FILE);
    Files.writeString(file, body + String.format("checksum=%08x", crc.getValue()) + "\n");
    return file;
  }

  /** A version 2 body of node NAME with the given lineage and promise lines. */
  private static String v2Body(String lineage, String promise, String config) {
    return "format=2\nnode-name=" + NAME + "\nstate-id=2a\nterm=9\nvoted-for=none\n"
        + "lineage=" + lineage + "\npromise-nanos=" + promise + "\n" + config;
  }

  private static final String ONE_VOTER =
      "config-term=8\nconfig-index=1\nvoter=" + NAME + "#2a\n";

  private Path stateFile() {
    return dir.resolve(NAME).resolve(DurableStateStore.STATE_FILE);
  }

  @Test
  void freshDirectoryCreatesNewIdentityAndInitialState() {
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertTrue(store.createdFresh());
      assertEquals(NAME, store.self().name());
      assertEquals(HardState.INITIAL, store.load());
      assertTrue(Files.exists(stateFile()), "the new identity is persisted at once");
    }
  }

  @Test
  void roundTripAndSurvivesReopen() {
    NodeId self;
    HardState saved;
    try (var store = DurableStateStore.open(dir, NAME)) {
      self = store.self();
      saved = sample(self);
      store.save(saved);
      assertEquals(saved, store.load());
    }
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertFalse(store.createdFresh());
      assertEquals(self, store.self(), "state id is stable across reopen");
      assertEquals(saved, store.load());
    }
  }

  @Test
  void savesWithoutVoteRoundTrip() {
    try (var store = DurableStateStore.open(dir, NAME)) {
      store.save(HardState.INITIAL.withTerm(3));
    }
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertEquals(HardState.INITIAL.withTerm(3), store.load());
    }
  }

  @Test
  void fileIsHumanReadable() throws Exception {
    try (var store = DurableStateStore.open(dir, NAME)) {
      store.save(sample(store.self()));
    }
    String text = Files.readString(stateFile());
    assertTrue(text.contains("\nnode-name=" + NAME + "\n"), text);
    assertTrue(text.contains("\nterm=7\n"), text);
    assertTrue(text.contains("\nvoted-for=127.0.0.1-2552#123456789abc\n"), text);
    assertTrue(text.contains("\nvoter=odd %25name#with%0Abreaks#fffffffffffffff9\n"), text);
    assertTrue(text.contains("\nformat=2\n"), text);
    assertTrue(text.contains("\nlineage=8f3a61c0d2e4b597\n"), text);
    assertTrue(text.contains("\npromise-nanos=770000000\n"), text);
  }

  @Test
  void lineageAndPromiseRoundTrip() {
    NodeId self;
    try (var store = DurableStateStore.open(dir, NAME)) {
      self = store.self();
    }
    var config = VoterConfig.of(new ConfigId(3, 1), List.of(self));
    for (long lineage : new long[] {LINEAGE, Lineage.LEGACY, -1L, Long.MIN_VALUE, 2}) {
      for (long promise : new long[] {0, 1, 3_600_000_000_000L, Long.MAX_VALUE}) {
        var state = new HardState(3, Optional.empty(), config, lineage, promise);
        try (var store = DurableStateStore.open(dir, NAME)) {
          store.save(state);
        }
        try (var store = DurableStateStore.open(dir, NAME)) {
          assertEquals(state, store.load(), () -> "lineage " + Lineage.format(lineage));
        }
      }
    }
  }

  @Test
  void noConfigurationMeansNoLineage() {
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertEquals(Lineage.NONE, store.load().lineage());
      store.save(HardState.INITIAL.withTerm(4).withPromise(5));
    }
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertEquals(HardState.INITIAL.withTerm(4).withPromise(5), store.load());
    }
  }

  @Test
  void version1FileIsReadAsLegacyLineageWithoutPromise() throws Exception {
    writeWithChecksum("# Regent election state. Do not edit: the checksum on the last line"
        + " guards it.\nformat=1\nnode-name=" + NAME + "\nstate-id=2a\nterm=9\n"
        + "voted-for=b#7\nconfig-term=8\nconfig-index=1\nvoter=" + NAME + "#2a\nvoter=b#7\n");
    var self = new NodeId(NAME, 0x2a);
    var b = new NodeId("b", 7);
    HardState expected = new HardState(9, Optional.of(b),
        VoterConfig.of(new ConfigId(8, 1), List.of(self, b)), Lineage.LEGACY, 0);
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertFalse(store.createdFresh());
      assertEquals(self, store.self());
      assertEquals(expected, store.load());
      store.save(expected.withTerm(10)); // the next save writes version 2
    }
    String text = Files.readString(stateFile());
    assertTrue(text.contains("\nformat=2\n") && text.contains("\nlineage=0000000000000001\n"),
        text);
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertEquals(expected.withTerm(10), store.load());
    }
  }

  @Test
  void version1FileWithoutConfigurationHasNoLineage() throws Exception {
    writeWithChecksum("format=1\nnode-name=" + NAME + "\nstate-id=2a\nterm=3\nvoted-for=none\n"
        + "config-term=0\nconfig-index=0\n");
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertEquals(new HardState(3, Optional.empty(), VoterConfig.EMPTY, Lineage.NONE, 0),
          store.load());
    }
  }

  @Test
  void corruptedLineageOrPromiseIsRefusedNamingTheFile() throws Exception {
    var cases = new java.util.LinkedHashMap<String, String>();
    cases.put(v2Body("xyz", "0", ONE_VOTER), "lineage is not 16 hex digits: 'xyz'");
    cases.put(v2Body("8f3a61c0d2e4b59", "0", ONE_VOTER), "lineage is not 16 hex digits");
    cases.put(v2Body("8f3a61c0d2e4b5970", "0", ONE_VOTER), "lineage is not 16 hex digits");
    cases.put(v2Body("8F3A61C0D2E4B597", "0", ONE_VOTER), "lineage is not 16 hex digits");
    cases.put(v2Body("-f3a61c0d2e4b597", "0", ONE_VOTER), "lineage is not 16 hex digits");
    cases.put(v2Body("", "0", ONE_VOTER), "lineage is not 16 hex digits");
    cases.put(v2Body("8f3a61c0d2e4b597", "soon", ONE_VOTER),
        "promise-nanos is not a number: 'soon'");
    cases.put(v2Body("8f3a61c0d2e4b597", "99999999999999999999", ONE_VOTER),
        "promise-nanos is not a number");
    cases.put(v2Body("8f3a61c0d2e4b597", "-1", ONE_VOTER), "promiseNanos must be >= 0");
    cases.put(v2Body("0000000000000000", "0", ONE_VOTER),
        "a configuration belongs to a lineage");
    cases.put("format=2\nnode-name=" + NAME + "\nstate-id=2a\nterm=9\nvoted-for=none\n"
        + "promise-nanos=0\nlineage=0000000000000001\n" + ONE_VOTER,
        "expected key 'lineage' but found 'promise-nanos'");
    cases.put("format=2\nnode-name=" + NAME + "\nstate-id=2a\nterm=9\nvoted-for=none\n"
        + ONE_VOTER, "expected key 'lineage' but found 'config-term'");
    cases.put("format=1\nnode-name=" + NAME + "\nstate-id=2a\nterm=9\nvoted-for=none\n"
        + "lineage=0000000000000001\npromise-nanos=0\n" + ONE_VOTER,
        "expected key 'config-term' but found 'lineage'");
    for (var c : cases.entrySet()) {
      Path file = writeWithChecksum(c.getKey());
      var e = assertThrows(StateCorruptedException.class, () -> DurableStateStore.open(dir, NAME),
          c.getKey());
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
      assertEquals(file, e.path());
    }
  }

  @Test
  void newIdentitiesDifferAndLaterOnesAreLarger() {
    long a;
    try (var store = DurableStateStore.open(dir, "a")) {
      a = store.self().stateId();
    }
    long b;
    try (var store = DurableStateStore.open(dir, "b")) {
      b = store.self().stateId();
    }
    assertNotEquals(a, b);
    assertTrue(DurableStateStore.stateId(1_000, 0xFFFFF) < DurableStateStore.stateId(1_001, 0));
    assertTrue(a > 0 && b > 0);
  }

  @Test
  void leftoverTempFileIsIgnoredAndRemoved() throws Exception {
    HardState saved;
    try (var store = DurableStateStore.open(dir, NAME)) {
      saved = sample(store.self());
      store.save(saved);
    }
    // A crash between writing the temp file and renaming it leaves a partial temp file behind.
    Path temp = stateFile().resolveSibling(DurableStateStore.STATE_FILE + ".tmp");
    Files.writeString(temp, "format=1\nnode-name=half-writ");
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertEquals(saved, store.load());
      assertFalse(Files.exists(temp));
    }
  }

  @Test
  void leftoverTempFileWithoutStateFileMeansFreshState() throws Exception {
    Path nodeDir = Files.createDirectories(dir.resolve(NAME));
    Files.writeString(nodeDir.resolve(DurableStateStore.STATE_FILE + ".tmp"), "garbage");
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertTrue(store.createdFresh());
    }
  }

  @Test
  void flippedByteIsRefusedNamingTheFile() throws Exception {
    try (var store = DurableStateStore.open(dir, NAME)) {
      store.save(sample(store.self()));
    }
    byte[] bytes = Files.readAllBytes(stateFile());
    int at = new String(bytes, StandardCharsets.UTF_8).indexOf("term=7") + 5;
    bytes[at] = (byte) '8';
    Files.write(stateFile(), bytes);
    var e = assertThrows(StateCorruptedException.class, () -> DurableStateStore.open(dir, NAME));
    assertTrue(e.getMessage().contains(stateFile().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    assertEquals(stateFile(), e.path());
  }

  @Test
  void truncatedFileIsRefused() throws Exception {
    try (var store = DurableStateStore.open(dir, NAME)) {
      store.save(sample(store.self()));
    }
    byte[] bytes = Files.readAllBytes(stateFile());
    for (int len : new int[] {0, 1, bytes.length / 2, bytes.length - 1}) {
      Files.write(stateFile(), java.util.Arrays.copyOf(bytes, len));
      var e = assertThrows(StateCorruptedException.class, () -> DurableStateStore.open(dir, NAME),
          "truncated to " + len);
      assertTrue(e.getMessage().contains(stateFile().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("empty"),
          e.getMessage());
    }
  }

  @Test
  void garbageWithValidChecksumIsRefused() throws Exception {
    Path nodeDir = Files.createDirectories(dir.resolve(NAME));
    String body = "format=1\nnode-name=" + NAME + "\nstate-id=zz\n";
    var crc = new java.util.zip.CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    Files.writeString(nodeDir.resolve(DurableStateStore.STATE_FILE),
        body + String.format("checksum=%08x%n", crc.getValue()).replace("\r", ""));
    var e = assertThrows(StateCorruptedException.class, () -> DurableStateStore.open(dir, NAME));
    assertTrue(e.getMessage().contains("state-id is not a hex number"), e.getMessage());
  }

  @Test
  void unknownFormatVersionIsRefused() throws Exception {
    Path nodeDir = Files.createDirectories(dir.resolve(NAME));
    String body = "format=3\nnode-name=" + NAME + "\n";
    var crc = new java.util.zip.CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    Files.writeString(nodeDir.resolve(DurableStateStore.STATE_FILE),
        body + String.format("checksum=%08x", crc.getValue()) + "\n");
    var e = assertThrows(StateCorruptedException.class, () -> DurableStateStore.open(dir, NAME));
    assertTrue(e.getMessage().contains("unknown format version '3'"), e.getMessage());
  }

  @Test
  void stateOfAnotherNodeIsRefused() throws Exception {
    try (var store = DurableStateStore.open(dir, "node:a")) {
      assertEquals("node:a", store.self().name());
    }
    // "node-a" sanitises to the same directory as "node:a" but is a different node.
    var e = assertThrows(StateCorruptedException.class, () -> DurableStateStore.open(dir, "node-a"));
    assertTrue(e.getMessage().contains("'node:a'") && e.getMessage().contains("'node-a'"),
        e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("node-a").toString()), e.getMessage());
  }

  @Test
  void secondOpenWhileOpenIsRefusedAndAllowedAfterClose() {
    try (var first = DurableStateStore.open(dir, NAME)) {
      var e = assertThrows(StateLockedException.class, () -> DurableStateStore.open(dir, NAME));
      assertTrue(e.getMessage().contains(NAME), e.getMessage());
      assertTrue(e.getMessage().contains(dir.resolve(NAME).resolve("lock").toString()),
          e.getMessage());
      assertEquals(HardState.INITIAL, first.load(), "the first store is unaffected");
    }
    try (var again = DurableStateStore.open(dir, NAME)) {
      assertFalse(again.createdFresh());
    }
  }

  @Test
  void failedOpenReleasesTheLock() throws Exception {
    Path nodeDir = Files.createDirectories(dir.resolve(NAME));
    Files.writeString(nodeDir.resolve(DurableStateStore.STATE_FILE), "broken");
    assertThrows(StateCorruptedException.class, () -> DurableStateStore.open(dir, NAME));
    Files.delete(nodeDir.resolve(DurableStateStore.STATE_FILE));
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertTrue(store.createdFresh());
    }
  }

  @Test
  void refusesToUndoAPromise() {
    try (var store = DurableStateStore.open(dir, NAME)) {
      var a = new NodeId("a", 1);
      var b = new NodeId("b", 2);
      store.save(HardState.INITIAL.withTerm(5).withVote(a));
      assertThrows(IllegalStateException.class, () -> store.save(HardState.INITIAL.withTerm(4)));
      assertThrows(IllegalStateException.class,
          () -> store.save(HardState.INITIAL.withTerm(5).withVote(b)));
      assertThrows(IllegalStateException.class, () -> store.save(HardState.INITIAL.withTerm(5)));
      store.save(HardState.INITIAL.withTerm(5).withVote(a)); // idempotent re-save is fine
      store.save(HardState.INITIAL.withTerm(6).withVote(b));
      assertEquals(HardState.INITIAL.withTerm(6).withVote(b), store.load());
    }
  }

  @Test
  void saveAfterCloseFails() {
    var store = DurableStateStore.open(dir, NAME);
    store.close();
    store.close();
    assertThrows(IllegalStateException.class, () -> store.save(HardState.INITIAL.withTerm(1)));
  }

  @Test
  void unwritableDirectoryFailsTheSave() throws Exception {
    try (var store = DurableStateStore.open(dir, NAME)) {
      // A directory where the temp file should go makes the write fail like a full disk would.
      Files.createDirectory(dir.resolve(NAME).resolve(DurableStateStore.STATE_FILE + ".tmp"));
      assertThrows(UncheckedIOException.class, () -> store.save(HardState.INITIAL.withTerm(1)));
      assertEquals(HardState.INITIAL, store.load(), "a failed save changes nothing");
    }
  }

  /**
   * Issue 13 scenario 6: a directory fsync that fails (EIO after a disk error) was taken for "this
   * platform cannot fsync directories" and the save counted as durable, although the rename may not
   * survive a power cut: a vote could be lost and given again. On the code before the fix (commit
   * 915b1e8) this test failed with:
   *
   * <pre>
   * org.opentest4j.AssertionFailedError: Expected java.io.UncheckedIOException to be thrown, but
   * nothing was thrown.
   * </pre>
   */
  @Test
  void failedDirectoryFsyncFailsTheSave() {
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertEquals(HardState.INITIAL, store.load());
    }
    var fs = new FaultyDirectoryFileSystem(FaultyDirectoryFileSystem.Fault.FORCE_FAILS);
    try (var store = DurableStateStore.open(fs.wrap(dir), NAME)) {
      var e = assertThrows(UncheckedIOException.class,
          () -> store.save(HardState.INITIAL.withTerm(1)));
      assertEquals(1, fs.faults.get(), "the directory was forced once, and that failed");
      assertTrue(e.getMessage().contains(stateFile().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("simulated fsync failure"), e.getMessage());
      assertEquals(HardState.INITIAL, store.load(), "a save that may not be durable does not count");
    }
  }

  @Test
  void failedDirectoryFsyncFailsCreatingTheState() {
    var fs = new FaultyDirectoryFileSystem(FaultyDirectoryFileSystem.Fault.FORCE_FAILS);
    var e = assertThrows(StateStoreException.class, () -> DurableStateStore.open(fs.wrap(dir), NAME));
    assertTrue(e.getMessage().contains("simulated fsync failure"), e.getMessage());
    assertTrue(fs.faults.get() > 0);
  }

  @Test
  void platformThatCannotOpenDirectoriesIsTolerated() {
    var fs = new FaultyDirectoryFileSystem(FaultyDirectoryFileSystem.Fault.OPEN_FAILS);
    try (var store = DurableStateStore.open(fs.wrap(dir), NAME)) {
      store.save(HardState.INITIAL.withTerm(2));
      store.save(HardState.INITIAL.withTerm(3));
      assertEquals(HardState.INITIAL.withTerm(3), store.load());
    }
    assertTrue(fs.faults.get() >= 3, "every directory sync was attempted: " + fs.faults.get());
    try (var store = DurableStateStore.open(dir, NAME)) {
      assertEquals(HardState.INITIAL.withTerm(3), store.load());
    }
  }
}
