package dev.regent.singleton;

/**
 * Told when this node's instance of a singleton starts, is suspended, resumes or stops (see
 * {@link SingletonLifecycleEvent.Kind}); set with {@link SingletonActor#withLifecycleListener}.
 * For metrics and audit logs: for instance the time spent suspended, or a history of which
 * incarnation was active when. The instance itself cannot see its suspension (nothing reaches it
 * while suspended); this listener can.
 *
 * <p>Called on the singleton manager's actor thread, one event at a time, in order for each
 * incarnation. It must return quickly and must not block: the manager handles nothing else while
 * it runs, including the lease checks that keep the singleton safe. An exception it throws is
 * logged at WARN and otherwise ignored.
 */
@FunctionalInterface
public interface SingletonLifecycleListener {

  /** A listener that ignores every event (the default). */
  SingletonLifecycleListener NONE = event -> { };

  void onEvent(SingletonLifecycleEvent event);
}
