package dev.regent.toolkit.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Regent's configuration is malformed or unsafe; thrown at start-up so the node refuses to run.
 * The message lists every problem with the full configuration keys involved.
 */
public final class InvalidSettingsException extends IllegalArgumentException {

  private final List<Problem> problems;

  public InvalidSettingsException(List<Problem> problems) {
    super(message(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an InvalidSettingsException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in key order of the reference configuration. */
  public List<Problem> problems() {
    return problems;
  }

  /** The full keys named by any problem. */
  public List<String> keys() {
    return problems.stream().flatMap(p -> p.keys().stream()).distinct().toList();
  }

  /**
   * One broken rule.
   *
   * @param keys the full configuration keys involved, the one to change first
   * @param rule what is wrong, with the values read
   */
  public record Problem(List<String> keys, String rule) {
    public Problem {
      keys = List.copyOf(keys);
    }

    @Override
    public String toString() {
      return String.join(", ", keys) + ": " + rule;
    }
  }

  private static String message(List<Problem> problems) {
    return "invalid Regent configuration:" + problems.stream()
        .map(p -> "\n  " + p)
        .collect(Collectors.joining());
  }
}
