package dev.regent.multijvm.harness;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.regent.toolkit.leadership.Lineage;
import java.util.List;

/**
 * One entry of a multi-JVM test's history: what a node saw or did, or a fault the harness injected.
 *
 * <p>Every event carries {@code nanos}, a {@link System#nanoTime()} value, and {@code wallMillis}
 * (for people reading logs). On Linux, HotSpot's {@code nanoTime} reads {@code CLOCK_MONOTONIC},
 * which is one clock for the whole host, so values taken in different JVMs on the same machine are
 * directly comparable; {@code NanoTimeAcrossProcessesTest} checks that on the machine the tests run
 * on. The history is ordered by {@code nanos}, never by wall time.
 *
 * <p>Stored as one JSON object per line (the {@code type} field names the record). Lineage ids are
 * stored as plain numbers; a line written before lineages were recorded reads as
 * {@link Lineage#NONE}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = HistoryEvent.LeaderElected.class, name = "leader"),
    @JsonSubTypes.Type(value = HistoryEvent.SingletonStarted.class, name = "singleton-start"),
    @JsonSubTypes.Type(value = HistoryEvent.SingletonStopped.class, name = "singleton-stop"),
    @JsonSubTypes.Type(value = HistoryEvent.SingletonSuspended.class, name = "singleton-suspend"),
    @JsonSubTypes.Type(value = HistoryEvent.SingletonResumed.class, name = "singleton-resume"),
    @JsonSubTypes.Type(value = HistoryEvent.WriteAttempt.class, name = "write"),
    @JsonSubTypes.Type(value = HistoryEvent.MemberUp.class, name = "member-up"),
    @JsonSubTypes.Type(value = HistoryEvent.NodeExited.class, name = "node-exited"),
    @JsonSubTypes.Type(value = HistoryEvent.Fault.class, name = "fault"),
})
public sealed interface HistoryEvent {

  /** {@link System#nanoTime()} when the event happened (comparable across JVMs on one host). */
  long nanos();

  /** Wall-clock time in epoch milliseconds, for reading only. */
  long wallMillis();

  /**
   * Node {@code node} (process {@code pid}) learned that {@code leader} leads {@code term} of
   * {@code lineage}; a node that became leader reports itself. Terms of two lineages are unrelated,
   * so S1 is judged per lineage.
   */
  record LeaderElected(int node, long pid, long lineage, long term, String leader, long nanos,
      long wallMillis) implements HistoryEvent {}

  /**
   * A singleton incarnation with fencing token ({@code lineage}, {@code token}) started on node
   * {@code node}. Pekko's unfenced singleton (benchmark) reports lineage {@link Lineage#NONE} and
   * token 0.
   */
  record SingletonStarted(int node, long pid, long lineage, long token, long nanos,
      long wallMillis) implements HistoryEvent {}

  /**
   * The incarnation with fencing token ({@code lineage}, {@code token}) on node {@code node} has
   * terminated.
   */
  record SingletonStopped(int node, long pid, long lineage, long token, long nanos,
      long wallMillis) implements HistoryEvent {}

  /**
   * The incarnation with fencing token ({@code lineage}, {@code token}) on node {@code node} was
   * suspended: its lease was not renewed in time and no handler of it runs until it resumes or
   * stops. Recorded by the singleton's lifecycle listener once the manager knows the instance is
   * quiescent (never before the real instant), so a checker that counts the incarnation active
   * until then errs on the safe side.
   */
  record SingletonSuspended(int node, long pid, long lineage, long token, long nanos,
      long wallMillis) implements HistoryEvent {}

  /**
   * The suspended incarnation with fencing token ({@code lineage}, {@code token}) on node
   * {@code node} is active again, with its state, as the lease of its term was renewed. Recorded
   * when the manager reopens it, before the held messages reach it (never after the real instant).
   */
  record SingletonResumed(int node, long pid, long lineage, long token, long nanos,
      long wallMillis) implements HistoryEvent {}

  /**
   * The fenced resource received a write from node {@code node} with fencing token
   * ({@code lineage}, {@code token}) and accepted or rejected it. Recorded by the resource, in the
   * order it decided.
   */
  record WriteAttempt(int node, long pid, long lineage, long token, String key, long value,
      boolean accepted, long nanos, long wallMillis) implements HistoryEvent {}

  /** Node {@code node} saw itself Up, {@code spawnToUpMillis} after the harness spawned its JVM. */
  record MemberUp(int node, long pid, long spawnToUpMillis, long nanos, long wallMillis)
      implements HistoryEvent {}

  /** The harness saw process {@code pid} of node {@code node} end (exit code {@code exitCode}). */
  record NodeExited(int node, long pid, int exitCode, long nanos, long wallMillis)
      implements HistoryEvent {}

  /** The harness injected a fault (or ended the history: kind {@link FaultKind#END}). */
  record Fault(FaultKind kind, List<Integer> nodes, long nanos, long wallMillis)
      implements HistoryEvent {
    public Fault {
      nodes = List.copyOf(nodes);
    }
  }

  /** Faults the harness injects. */
  enum FaultKind {
    CRASH, PAUSE, RESUME, PARTITION, HEAL, LEAVE, START, RESTART,
    /** The link between two nodes was cut ({@code MultiJvmCluster.cut}). */
    CUT,
    /** A cut link was restored ({@code MultiJvmCluster.restore}). */
    RESTORE,
    /** Not a fault: marks the end of the observed history. */
    END
  }
}
