package dev.regent.toolkit.internal.sbr;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads a {@link RejoinHint} sent under its name from before the package layout of issue 16,
 * {@code dev.regent.toolkit.sbr.RejoinHint} (Pekko's Jackson serializer puts the class name in the
 * manifest). Registered in reference.conf under {@code pekko.serialization.jackson.migrations}, so
 * during a rolling upgrade a new node understands an old node's hint. The other direction (a new
 * node's hint to an old node) the old node cannot read; Pekko logs and drops it, and the restarted
 * node joins on Pekko's own retry ({@code retry-unsuccessful-join-after}) instead, as without a
 * hint. The fields are unchanged, so the payload needs no transformation.
 */
public final class RejoinHintMigration extends JacksonMigration {

  /** The name a hint carried before it moved to this package. */
  public static final String FORMER_NAME = "dev.regent.toolkit.sbr.RejoinHint";

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return RejoinHint.class.getName();
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json;
  }
}
