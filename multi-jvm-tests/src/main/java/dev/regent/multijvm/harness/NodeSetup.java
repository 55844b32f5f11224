package dev.regent.multijvm.harness;

/**
 * What a node JVM runs once its actor system exists: the user's code under test, typically
 * {@code ClusterSingleton.get(ctx.system()).init(...)}. Implementations need a public no-argument
 * constructor; the harness names the class on the node's command line and {@link NodeMain}
 * instantiates it in the node JVM.
 *
 * <p>Report what the singleton does through {@link NodeContext#history()} so the
 * {@link HistoryChecker} can judge the run, and send side effects that must be fenced to
 * {@link NodeContext#resource()}.
 */
public interface NodeSetup {

  /**
   * Starts the code under test. Runs on the node's main thread after the actor system was created
   * and asked to join the seed nodes (it need not be Up yet). An exception makes the node log it and
   * exit with status {@value NodeMain#EXIT_SETUP_FAILED}.
   */
  void start(NodeContext ctx) throws Exception;

  /** A setup that starts nothing: a plain Pekko cluster node. */
  final class None implements NodeSetup {
    @Override
    public void start(NodeContext ctx) {}
  }
}
