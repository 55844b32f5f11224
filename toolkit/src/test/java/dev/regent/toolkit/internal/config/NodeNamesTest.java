package dev.regent.toolkit.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

class NodeNamesTest {

  @Test
  void derivesNameFromCanonicalAddress() {
    assertEquals(Optional.of("127.0.0.1-2551"),
        NodeNames.fromAddress(new Address("pekko", "sys", "127.0.0.1", 2551)));
    assertEquals(Optional.of("node-1.example.com-25520"),
        NodeNames.fromAddress(new Address("pekko", "sys", "node-1.example.com", 25520)));
    assertEquals(Optional.empty(), NodeNames.fromAddress(new Address("pekko", "sys")));
  }

  @Test
  void sanitisesUnsafeCharacters() {
    assertEquals("---1--2551", NodeNames.fromHostPort("[::1]", 2551));
    assertEquals("a-b-c", NodeNames.sanitise("a/b\\c"));
    assertEquals("_..", NodeNames.sanitise(".."));
    assertTrue(NodeNames.isSafe(NodeNames.sanitise("höst:1/2")));
  }

  @Test
  void safeNames() {
    assertTrue(NodeNames.isSafe("127.0.0.1-2551"));
    assertFalse(NodeNames.isSafe("a:b"));
    assertFalse(NodeNames.isSafe(".."));
    assertFalse(NodeNames.isSafe(""));
  }
}
