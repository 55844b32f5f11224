package dev.regent.singleton;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;

/**
 * Describes one named singleton, shaped like Pekko's {@code SingletonActor}: created with
 * {@link #of} (or {@link #ofFenced} to receive the fencing token) and passed to
 * {@link ClusterSingleton#init}. Immutable.
 *
 * <h2>The singleton must stop cooperatively</h2>
 * "At most one instance at a time" (S3) holds only if an instance actually terminates when asked:
 * the manager sends the {@link #withStopMessage stop message} (or stops the actor) and, after
 * {@code stop-timeout}, stops it hard, but an actor stops only between messages. A handler that
 * blocks (a long synchronous call, a sleep, a lock wait), a {@code PostStop} that takes long, or a
 * child or thread that keeps working after the actor stopped is outside the manager's reach. Two
 * cases, both logged:
 * <ul>
 *   <li>When the leader hands over (a requested transfer, {@code Cluster.leave}, leaving or being
 *       downed while leading), the successor is asked to start early only after the instance's
 *       termination was observed. If it is not observed within
 *       {@code regent.election.hand-over-timeout}, the leader steps down without a hand-over and
 *       an ERROR names the singleton; the next leader is elected once this lease has run out,
 *       as after a crash.
 *   <li>When the lease runs low, the instance is suspended {@code stop-timeout + lease-margin}
 *       before the lease ends (nothing more reaches it; it resumes if the lease is renewed in the
 *       same term, see {@link SingletonLifecycleListener}), and stopped when the node stops
 *       leading; a handler that is still blocked when another node's lease starts runs beside the
 *       next instance. Only the fencing token protects a resource against it.
 * </ul>
 * So keep handlers short and non-blocking (run blocking work on another dispatcher and pipe the
 * result back), make {@code PostStop} quick, and pass the fencing token with every write.
 *
 * @param <M> the singleton's message type
 */
public final class SingletonActor<M> {

  /**
   * Singleton names become part of actor names ({@code regent-singleton-<name>}) that every node
   * derives alike, so they are restricted to characters that need no encoding in a path.
   */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private final Function<SingletonContext, Behavior<M>> factory;
  private final String name;
  private final Props props;
  private final Optional<M> stopMessage;
  private final Optional<ClusterSingletonSettings> settings;
  private final SingletonLifecycleListener lifecycleListener;

  private SingletonActor(Function<SingletonContext, Behavior<M>> factory, String name, Props props,
      Optional<M> stopMessage, Optional<ClusterSingletonSettings> settings,
      SingletonLifecycleListener lifecycleListener) {
    this.factory = factory;
    this.name = name;
    this.props = props;
    this.stopMessage = stopMessage;
    this.settings = settings;
    this.lifecycleListener = lifecycleListener;
  }

  /** A singleton running {@code behavior}, as in Pekko. */
  public static <M> SingletonActor<M> of(Behavior<M> behavior, String name) {
    Objects.requireNonNull(behavior, "behavior");
    return new SingletonActor<>(new Plain<>(behavior), checkName(name), Props.empty(),
        Optional.empty(), Optional.empty(), SingletonLifecycleListener.NONE);
  }

  /**
   * A fenced singleton: {@code factory} is called for each incarnation (and again after each
   * supervisor restart) with the incarnation's {@link SingletonContext}, which carries the fencing
   * token and a cheap lease check.
   */
  public static <M> SingletonActor<M> ofFenced(
      Function<SingletonContext, Behavior<M>> factory, String name) {
    Objects.requireNonNull(factory, "factory");
    return new SingletonActor<>(factory, checkName(name), Props.empty(), Optional.empty(),
        Optional.empty(), SingletonLifecycleListener.NONE);
  }

  /** Props (dispatcher, mailbox) for the singleton actor. */
  public SingletonActor<M> withProps(Props props) {
    Objects.requireNonNull(props, "props");
    return new SingletonActor<>(factory, name, props, stopMessage, settings, lifecycleListener);
  }

  /**
   * The message the singleton is sent when it must stop (handover, lost leadership, lease about to
   * end). It has {@code stop-timeout} to stop itself; then it is stopped hard. Without a stop
   * message it is stopped at once.
   */
  public SingletonActor<M> withStopMessage(M stopMessage) {
    Objects.requireNonNull(stopMessage, "stopMessage");
    return new SingletonActor<>(factory, name, props, Optional.of(stopMessage), settings,
        lifecycleListener);
  }

  /** Settings for this singleton instead of those from {@code regent.singleton}. */
  public SingletonActor<M> withSettings(ClusterSingletonSettings settings) {
    Objects.requireNonNull(settings, "settings");
    return new SingletonActor<>(factory, name, props, stopMessage, Optional.of(settings),
        lifecycleListener);
  }

  /**
   * Told on each node when that node's instance starts, is suspended (its lease was not renewed
   * in time), resumes or stops; see {@link SingletonLifecycleListener} (it must not block). For
   * metrics and audit; replaces any listener set before.
   */
  public SingletonActor<M> withLifecycleListener(SingletonLifecycleListener listener) {
    Objects.requireNonNull(listener, "listener");
    return new SingletonActor<>(factory, name, props, stopMessage, settings, listener);
  }

  public String name() {
    return name;
  }

  public Props props() {
    return props;
  }

  public Optional<M> stopMessage() {
    return stopMessage;
  }

  public Optional<ClusterSingletonSettings> settings() {
    return settings;
  }

  /**
   * The listener set with {@link #withLifecycleListener}, else
   * {@link SingletonLifecycleListener#NONE}.
   */
  public SingletonLifecycleListener lifecycleListener() {
    return lifecycleListener;
  }

  /** The behavior of one incarnation. */
  public Behavior<M> behavior(SingletonContext context) {
    return factory.apply(context);
  }

  private static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("singleton name must match " + NAME.pattern()
          + ", was '" + name + "'");
    }
    return name;
  }

  // ---------------------------------------------------------------------------------------------
  // Pekko's SingletonActor API, so that code switched by its imports compiles (checked by
  // PekkoApiCompatibilityTest).
  // ---------------------------------------------------------------------------------------------

  /** As Pekko's {@code SingletonActor.apply}: the same as {@link #of}. */
  public static <M> SingletonActor<M> apply(Behavior<M> behavior, String name) {
    return of(behavior, name);
  }

  /**
   * The behavior given to {@link #of}, as Pekko's {@code behavior()}.
   *
   * @throws IllegalStateException for a singleton made with {@link #ofFenced}: its behavior
   *     depends on each incarnation's context, see {@link #behavior(SingletonContext)}
   */
  public Behavior<M> behavior() {
    if (factory instanceof Plain<M> plain) {
      return plain.behavior();
    }
    throw new IllegalStateException("singleton '" + name + "' is fenced: its behavior is made "
        + "for each incarnation, use behavior(SingletonContext)");
  }

  /** The factory of a singleton made with {@link #of}: the same behavior for every incarnation. */
  private record Plain<M>(Behavior<M> behavior) implements Function<SingletonContext, Behavior<M>> {
    @Override
    public Behavior<M> apply(SingletonContext context) {
      return behavior;
    }
  }
}
