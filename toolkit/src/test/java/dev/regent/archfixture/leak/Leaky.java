package dev.regent.archfixture.leak;

import dev.regent.archfixture.internal.Hidden;

/** A public class whose public method returns an internal type: ArchitectureTest must flag it. */
public final class Leaky {
  public Hidden hidden() {
    return new Hidden();
  }
}
