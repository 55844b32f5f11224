package dev.regent.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.regent.singleton.internal.BoundedBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BoundedBufferTest {

  @Test
  void dropsOldestWhenFull() {
    var buffer = new BoundedBuffer<Integer>(3);
    assertEquals(Optional.empty(), buffer.add(1));
    buffer.add(2);
    buffer.add(3);
    assertEquals(Optional.of(1), buffer.add(4));
    assertEquals(Optional.of(2), buffer.add(5));
    List<Integer> out = new ArrayList<>();
    buffer.drainTo(out::add);
    assertEquals(List.of(3, 4, 5), out);
    assertEquals(0, buffer.size());
  }

  @Test
  void zeroCapacityDropsEverything() {
    var buffer = new BoundedBuffer<String>(0);
    assertEquals(Optional.of("a"), buffer.add("a"));
    assertEquals(0, buffer.size());
  }
}
