package dev.regent.toolkit.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.election.ConfigId;
import dev.regent.toolkit.election.HardState;
import dev.regent.toolkit.election.NodeId;
import dev.regent.toolkit.election.VoterConfig;
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
        VoterConfig.of(new ConfigId(6, 3), List.of(self, peer, odd)));
  }

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
    String body = "format=2\nnode-name=" + NAME + "\n";
    var crc = new java.util.zip.CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    Files.writeString(nodeDir.resolve(DurableStateStore.STATE_FILE),
        body + String.format("checksum=%08x", crc.getValue()) + "\n");
    var e = assertThrows(StateCorruptedException.class, () -> DurableStateStore.open(dir, NAME));
    assertTrue(e.getMessage().contains("unknown format version '2'"), e.getMessage());
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
}
