package dev.regent.archfixture.a;

import dev.regent.archfixture.b.Beta;

/** A deliberate package cycle (a -> b -> a) that ArchitectureTest must catch. */
public final class Alpha {
  public Beta partner() {
    return new Beta();
  }
}
