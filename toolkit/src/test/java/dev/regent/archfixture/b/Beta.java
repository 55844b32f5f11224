package dev.regent.archfixture.b;

import dev.regent.archfixture.a.Alpha;

/** The other half of the deliberate cycle in {@link Alpha}. */
public final class Beta {
  public Alpha partner() {
    return new Alpha();
  }
}
