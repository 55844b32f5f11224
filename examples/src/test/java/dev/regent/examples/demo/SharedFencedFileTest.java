package dev.regent.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.leadership.Lineage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's fenced file follows FencingGuard's rule: the first accepted token pins a lineage. */
class SharedFencedFileTest {

  private static final long LINEAGE = 0x1234_5678_9abc_def0L;
  private static final long OTHER = 0x0fed_cba9_8765_4321L;

  @TempDir
  Path dir;

  @Test
  void deposedWriterIsRefusedWithinTheLineage() {
    var file = new SharedFencedFile(dir.resolve("tickets.log"));
    assertTrue(file.write(FencingToken.of(LINEAGE, 4), 1).accepted());
    assertTrue(file.write(FencingToken.of(LINEAGE, 6), 2).accepted());
    var refused = file.write(FencingToken.of(LINEAGE, 4), 3);
    assertFalse(refused.accepted());
    assertEquals(FencingToken.of(LINEAGE, 6), refused.highest());
    assertTrue(file.write(FencingToken.of(LINEAGE, 6), 3).accepted(), "same incarnation");
    assertEquals(Optional.of(new SharedFencedFile.Entry(FencingToken.of(LINEAGE, 6), 3)),
        file.last());
  }

  @Test
  void eachLineNamesTheLineageInSixteenHexDigits() throws IOException {
    Path path = dir.resolve("tickets.log");
    var file = new SharedFencedFile(path);
    file.write(FencingToken.of(LINEAGE, 7), 1);
    file.write(FencingToken.of(LINEAGE, 8), 2);
    assertEquals(List.of(Lineage.format(LINEAGE) + " 7 1", "123456789abcdef0 8 2"),
        Files.readAllLines(path, StandardCharsets.US_ASCII));
  }

  @Test
  void anotherLineageIsRefusedWhateverItsTermAcrossProcesses() {
    Path path = dir.resolve("tickets.log");
    assertTrue(new SharedFencedFile(path).write(FencingToken.of(LINEAGE, 5), 1).accepted());
    // A second handle on the same file (another process) sees the same pin.
    var other = new SharedFencedFile(path);
    for (long term : new long[] {1, 5, 1_000}) {
      var result = other.write(FencingToken.of(OTHER, term), 99);
      assertFalse(result.accepted(), "term " + term);
      assertEquals(FencingToken.of(LINEAGE, 5), result.highest());
    }
    assertTrue(other.write(FencingToken.of(LINEAGE, 6), 2).accepted());
    assertEquals(List.of(1L, 2L), other.entries().stream().map(SharedFencedFile.Entry::value)
        .toList());
  }

  @Test
  void theFirstAcceptedTokenPinsTheLineage() {
    var file = new SharedFencedFile(dir.resolve("tickets.log"));
    assertTrue(file.write(FencingToken.of(OTHER, 1), 1).accepted());
    assertFalse(file.write(FencingToken.of(LINEAGE, 100), 2).accepted());
  }

  @Test
  void moveToLineageIsTheOnlyWayToAnotherLineage() {
    var file = new SharedFencedFile(dir.resolve("tickets.log"));
    file.write(FencingToken.of(LINEAGE, 9), 41);
    file.moveToLineage(OTHER, 10);
    assertFalse(file.write(FencingToken.of(LINEAGE, 9), 42).accepted(), "old lineage refused");
    assertFalse(file.write(FencingToken.of(OTHER, 3), 42).accepted(), "below the floor");
    // The tickets continue from the last accepted one, across the move.
    assertEquals(41, file.last().orElseThrow().value());
    assertTrue(file.write(FencingToken.of(OTHER, 10), 42).accepted());
    assertThrows(IllegalArgumentException.class, () -> file.moveToLineage(OTHER, 2),
        "moving the pinned lineage back would let deposed incarnations in");
  }

  @Test
  void linesWithoutALineageBelongToTheLegacyLineage() throws IOException {
    Path path = dir.resolve("tickets.log");
    Files.writeString(path, "3 10\n4 11\n", StandardCharsets.US_ASCII);
    var file = new SharedFencedFile(path);
    assertEquals(new SharedFencedFile.Entry(FencingToken.of(Lineage.LEGACY, 4), 11),
        file.last().orElseThrow());
    assertFalse(file.write(FencingToken.of(LINEAGE, 50), 12).accepted());
    assertTrue(file.write(FencingToken.of(Lineage.LEGACY, 5), 12).accepted());
  }
}
