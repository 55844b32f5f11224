package dev.regent.toolkit.internal.election;

import java.util.List;

/**
 * The result of feeding one event to the core.
 *
 * @param state the new state
 * @param effects what the shell must carry out, in order
 * @param wakeAt the latest monotonic time at which the shell must deliver a {@code Tick}
 */
public record Step(NodeState state, List<ElectionEffect> effects, long wakeAt) {
  public Step {
    effects = List.copyOf(effects);
  }
}
