package dev.regent.multijvm.guardedset;

import com.typesafe.config.Config;
import dev.regent.multijvm.harness.HistoryRecorder;
import dev.regent.multijvm.harness.LeadershipReporter;
import dev.regent.multijvm.harness.NodeContext;
import dev.regent.multijvm.harness.NodeSetup;
import dev.regent.singleton.ClusterSingleton;
import dev.regent.singleton.SingletonActor;
import dev.regent.singleton.SingletonContext;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.fencing.StaleTokenException;
import dev.regent.toolkit.fencing.jdbc.JdbcFence;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node setup of the guarded-set workload (Jepsen's lock + guarded set): each singleton
 * incarnation inserts rows {@code (lineage, token, node, pid, seq)} into the table
 * {@value #TABLE} of a real PostgreSQL database, each in one transaction fenced by
 * {@link JdbcFence} on the resource {@value #RESOURCE}, and logs every attempt's outcome to its
 * node's {@link AttemptLog} (acknowledged only after the commit returned, refused, or failed).
 *
 * <p>The inserts run on a writer thread that the incarnation starts and stops in its
 * {@code PostStop}, one every 50 ms. On purpose the writer does not check
 * {@link SingletonContext#leaseValid()}, and a suspension of the incarnation does not hold it
 * (only message handlers are held): a deposed incarnation woken from a pause, or cut off by a
 * partition, really goes on writing until it is stopped, and the database must refuse it. That is
 * the situation the fence exists for: a check of the lease before a write cannot rule out a pause
 * between the check and the write.
 *
 * <p>Config (the test's HOCON): {@value #URL_KEY} (the JDBC URL), {@value #FENCED_KEY} (off for
 * the broken variant: plain inserts without the fence).
 */
public final class GuardedSetSetup implements NodeSetup {

  public static final String URL_KEY = "regent.test.guarded-set.jdbc-url";
  public static final String FENCED_KEY = "regent.test.guarded-set.fenced";
  public static final String TABLE = "guarded_set";
  public static final String RESOURCE = "guarded-set";
  /** Each node's attempt log, in its node directory (beside the state directory). */
  public static final String ATTEMPT_LOG = "guarded-set-attempts.log";
  /** Bounds each incarnation's writer (at 50 ms per insert far beyond any test's length). */
  static final int MAX_INSERTS_PER_INCARNATION = 20_000;

  private static final Logger log = LoggerFactory.getLogger(GuardedSetSetup.class);

  /**
   * Numbers the inserts of this process across its incarnations (a node may host several), so
   * that (pid, seq) names one insert attempt.
   */
  private static final java.util.concurrent.atomic.AtomicLong SEQ =
      new java.util.concurrent.atomic.AtomicLong();

  sealed interface Command {}

  record Stop() implements Command {}

  /** DDL of the data table; the test creates it (and the fence table) before the nodes start. */
  public static String createTableSql() {
    return "CREATE TABLE " + TABLE + " (id BIGSERIAL PRIMARY KEY, lineage BIGINT NOT NULL,"
        + " token BIGINT NOT NULL, node INT NOT NULL, pid BIGINT NOT NULL, seq BIGINT NOT NULL,"
        + " UNIQUE (pid, seq))";
  }

  @Override
  public void start(NodeContext ctx) {
    LeadershipReporter.start(ctx);
    Config config = ctx.system().settings().config();
    String url = config.getString(URL_KEY);
    boolean fenced = config.getBoolean(FENCED_KEY);
    JdbcFence fence = JdbcFence.builder().queryTimeout(Duration.ofSeconds(5)).build();
    var attempts = new AttemptLog(ctx.stateDirectory().getParent().resolve(ATTEMPT_LOG));
    ClusterSingleton.get(ctx.system()).init(
        SingletonActor.<Command>ofFenced(sc -> behavior(sc, ctx.index(), ctx.history(),
                new Writer(url, fenced ? fence : null, sc.fencingToken(), ctx.index(), attempts)),
                "guarded-set")
            .withStopMessage(new Stop())
            .withLifecycleListener(ctx.history().suspensions()));
  }

  static Behavior<Command> behavior(SingletonContext sc, int node, HistoryRecorder history,
      Writer writer) {
    FencingToken token = sc.fencingToken();
    return Behaviors.setup(context -> {
      history.singletonStarted(token);
      Thread t = new Thread(writer, "guarded-set-writer-" + token.value());
      t.setDaemon(true);
      t.start();
      return Behaviors.receive(Command.class)
          .onMessage(Stop.class, s -> Behaviors.stopped())
          .onSignal(PostStop.class, s -> {
            writer.stop();
            history.singletonStopped(token);
            return Behaviors.same();
          })
          .build();
    });
  }

  /** One incarnation's writer: inserts a row every 50 ms until stopped. */
  static final class Writer implements Runnable {
    private final String url;
    private final JdbcFence fence; // null: the broken variant, unfenced
    private final FencingToken token;
    private final int node;
    private final long pid = ProcessHandle.current().pid();
    private final AttemptLog attempts;
    private volatile boolean running = true;
    private Connection connection;

    Writer(String url, JdbcFence fence, FencingToken token, int node, AttemptLog attempts) {
      this.url = url;
      this.fence = fence;
      this.token = token;
      this.node = node;
      this.attempts = attempts;
    }

    void stop() {
      running = false;
    }

    /**
     * Inserts every 50 ms until stopped, and then once more: it goes on after its stop until one
     * insert begun after the stop had a definite outcome (acknowledged or refused; bounded by
     * {@code MAX_INSERTS_PER_INCARNATION}). That is the deposed writer the fence exists for: user
     * code that does not check its lease and whose in-flight write reaches the database late. The
     * fenced writer's late insert is refused once a newer token wrote; the broken variant's lands.
     * Without the extra attempt the late write depended on timing: a writer woken from a pause
     * while sleeping between inserts saw its stop first (its instance stopped 10 ms after the
     * wake), and one paused mid-transaction had its session killed by PostgreSQL's
     * idle-in-transaction timeout (seen in full builds, once each).
     */
    @Override
    public void run() {
      boolean landedAfterStop = false;
      try {
        for (int n = 0; n < MAX_INSERTS_PER_INCARNATION; n++) {
          boolean stopped = !running;
          if (stopped && landedAfterStop) {
            break;
          }
          AttemptLog.Outcome outcome = attempt(SEQ.getAndIncrement());
          landedAfterStop |= stopped && outcome != AttemptLog.Outcome.FAILED;
          Thread.sleep(50);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        closeConnection();
      }
    }

    /** One insert, and what became of it. */
    private AttemptLog.Outcome attempt(long seq) {
      try {
        Connection c = connection();
        if (fence != null) {
          fence.write(c, RESOURCE, token, conn -> insert(conn, seq));
        } else {
          c.setAutoCommit(false);
          insert(c, seq);
          c.commit();
          c.setAutoCommit(true);
        }
        attempts.record(AttemptLog.Outcome.ACKNOWLEDGED, token, node, pid, seq);
        return AttemptLog.Outcome.ACKNOWLEDGED;
      } catch (StaleTokenException e) {
        attempts.record(AttemptLog.Outcome.REFUSED, token, node, pid, seq);
        return AttemptLog.Outcome.REFUSED;
      } catch (SQLException | RuntimeException e) {
        // Outcome unknown (the commit may have happened): neither acknowledged nor refused.
        attempts.record(AttemptLog.Outcome.FAILED, token, node, pid, seq);
        log.warn("guarded-set insert {} of token {} failed: {}", seq, token, e.toString());
        closeConnection();
        return AttemptLog.Outcome.FAILED;
      }
    }

    private int insert(Connection c, long seq) throws SQLException {
      try (PreparedStatement st = c.prepareStatement("INSERT INTO " + TABLE
          + " (lineage, token, node, pid, seq) VALUES (?, ?, ?, ?, ?)")) {
        st.setQueryTimeout(5);
        st.setLong(1, token.lineage());
        st.setLong(2, token.value());
        st.setInt(3, node);
        st.setLong(4, pid);
        st.setLong(5, seq);
        return st.executeUpdate();
      }
    }

    private Connection connection() throws SQLException {
      if (connection == null) {
        connection = DriverManager.getConnection(url);
        try (Statement st = connection.createStatement()) {
          st.setQueryTimeout(5);
          // A writer frozen inside a transaction (SIGSTOP) would hold the fence row; the server
          // ends such a transaction after 1 s so the next incarnation can write
          // (docs/FENCING.md).
          st.execute("SET idle_in_transaction_session_timeout = '1s'");
        }
      }
      return connection;
    }

    private void closeConnection() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException e) {
          // already broken
        }
        connection = null;
      }
    }
  }

  /** Path of node {@code nodeDir}'s attempt log. */
  public static Path attemptLog(Path nodeDir) {
    return nodeDir.resolve(ATTEMPT_LOG);
  }
}
