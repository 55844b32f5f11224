package dev.regent.toolkit.internal.sbr;

/** Down every member whenever any member is unreachable (strategy {@code down-all}). */
public record DownAllStrategy() implements Strategy {

  public static final String NAME = "down-all";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Decision decide(ClusterView view) {
    return decideClean(view);
  }

  @Override
  public Decision decideClean(ClusterView view) {
    return new Decision.DownAll("strategy down-all downs every member on any unreachability");
  }
}
