package dev.regent.examples.demo;

import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.fencing.StaleTokenException;
import dev.regent.toolkit.fencing.jdbc.JdbcFence;
import dev.regent.toolkit.leadership.Lineage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's tickets in a database: table {@code demo_tickets} (ticket, lineage, token, node),
 * each insert fenced by {@link JdbcFence} on the resource {@value #RESOURCE}; a refused insert is
 * rolled back and recorded in {@code demo_refused} (unfenced, so the status view can show what the
 * database turned away). Embedded H2 by default (a file under {@code target/regent-demo}, shared
 * by the demo's processes through H2's automatic mixed mode), PostgreSQL with {@code --jdbc-url}.
 * One connection, reopened after an error. Thread-safe.
 */
public final class JdbcTicketStore implements FencedTicketStore, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JdbcTicketStore.class);

  static final String RESOURCE = "tickets";
  private static final int TIMEOUT_SECONDS = 5;

  private final String url;
  private final String user;
  private final String password;
  private final String node;
  private final JdbcFence fence =
      JdbcFence.builder().queryTimeout(Duration.ofSeconds(TIMEOUT_SECONDS)).build();
  private final AtomicLong refused = new AtomicLong();
  private Connection connection;

  public JdbcTicketStore(String url, String user, String password, String node) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.node = node;
  }

  /**
   * The default database of the demo: an H2 file {@code tickets} in {@code dir}, opened in H2's
   * automatic mixed mode so that several processes share it (the first one serves it to the
   * others over loopback TCP; set {@code h2.bindAddress}, see {@link #bindH2ToLoopback()}).
   */
  public static String defaultH2Url(java.nio.file.Path dir) {
    return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("tickets") + ";AUTO_SERVER=TRUE";
  }

  /** H2's mixed-mode server binds to loopback only (it would bind to every interface). */
  public static void bindH2ToLoopback() {
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
  }

  @Override
  public synchronized SharedFencedFile.WriteResult write(FencingToken token, long value) {
    try {
      Connection c = connection();
      try {
        fence.write(c, RESOURCE, token, conn -> {
          try (PreparedStatement st = conn.prepareStatement(
              "INSERT INTO demo_tickets (ticket, lineage, token, node) VALUES (?, ?, ?, ?)")) {
            st.setQueryTimeout(TIMEOUT_SECONDS);
            st.setLong(1, value);
            st.setLong(2, token.lineage());
            st.setLong(3, token.value());
            st.setString(4, node);
            return st.executeUpdate();
          }
        });
        return new SharedFencedFile.WriteResult(true, token);
      } catch (StaleTokenException e) {
        refused.incrementAndGet();
        recordRefusal(c, token, value, e.highest());
        return new SharedFencedFile.WriteResult(false, e.highest());
      }
    } catch (SQLException e) {
      closeConnection();
      throw new IllegalStateException("ticket database " + url + ": " + e.getMessage(), e);
    }
  }

  private void recordRefusal(Connection c, FencingToken token, long value, FencingToken highest)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO demo_refused (lineage, token,"
        + " ticket, node, pinned_lineage, highest_token, at_millis) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      st.setQueryTimeout(TIMEOUT_SECONDS);
      st.setLong(1, token.lineage());
      st.setLong(2, token.value());
      st.setLong(3, value);
      st.setString(4, node);
      st.setLong(5, highest.lineage());
      st.setLong(6, highest.value());
      st.setLong(7, System.currentTimeMillis());
      st.executeUpdate();
    }
  }

  @Override
  public synchronized Optional<SharedFencedFile.Entry> last() {
    try (PreparedStatement st = connection().prepareStatement(
        "SELECT ticket, lineage, token FROM demo_tickets ORDER BY ticket DESC LIMIT 1")) {
      st.setQueryTimeout(TIMEOUT_SECONDS);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(new SharedFencedFile.Entry(
            FencingToken.of(rs.getLong(2), rs.getLong(3)), rs.getLong(1))) : Optional.empty();
      }
    } catch (SQLException e) {
      closeConnection();
      throw new IllegalStateException("ticket database " + url + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long refused() {
    return refused.get();
  }

  /** Opens the connection and creates the tables if needed (several nodes may race at it). */
  private Connection connection() throws SQLException {
    if (connection == null) {
      Connection c = DriverManager.getConnection(url, user, password);
      try {
        createTables(c);
      } catch (SQLException first) {
        // Concurrent CREATE TABLE IF NOT EXISTS of two processes can collide; once is enough.
        createTables(c);
      }
      connection = c;
    }
    return connection;
  }

  private void createTables(Connection c) throws SQLException {
    fence.createTable(c);
    try (Statement st = c.createStatement()) {
      st.setQueryTimeout(TIMEOUT_SECONDS);
      st.execute("CREATE TABLE IF NOT EXISTS demo_tickets (ticket BIGINT NOT NULL PRIMARY KEY,"
          + " lineage BIGINT NOT NULL, token BIGINT NOT NULL, node VARCHAR(100) NOT NULL)");
      st.execute("CREATE TABLE IF NOT EXISTS demo_refused (id BIGINT GENERATED ALWAYS AS IDENTITY"
          + " PRIMARY KEY, lineage BIGINT NOT NULL, token BIGINT NOT NULL, ticket BIGINT NOT NULL,"
          + " node VARCHAR(100) NOT NULL, pinned_lineage BIGINT NOT NULL,"
          + " highest_token BIGINT NOT NULL, at_millis BIGINT NOT NULL)");
    }
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("closing a broken connection: {}", e.toString());
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    closeConnection();
  }

  /**
   * Empties the demo's tables and removes the fence row of {@value #RESOURCE} (creating the tables
   * first if missing). The demo launcher calls it on a database it did not create: each demo run
   * founds a new cluster, whose new lineage the database would refuse (rightly) while it is pinned
   * to the previous run's.
   */
  public static void reset(String url, String user, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      var store = new JdbcTicketStore(url, user, password, "launcher");
      store.createTables(c);
      try (Statement st = c.createStatement()) {
        st.setQueryTimeout(TIMEOUT_SECONDS);
        st.executeUpdate("DELETE FROM demo_tickets");
        st.executeUpdate("DELETE FROM demo_refused");
        st.executeUpdate("DELETE FROM " + store.fence.table() + " WHERE resource = '" + RESOURCE
            + "'");
      }
    }
  }

  /** What the database holds: for the status view. */
  public record Summary(long tickets, long lastTicket, Optional<FencingToken> fence,
      long refusedRows, List<String> lastRefused) {

    /** A few lines for a person. */
    public List<String> lines() {
      var lines = new ArrayList<String>();
      lines.add("database: " + tickets + " tickets (last " + lastTicket + "), fence "
          + fence.map(f -> "at token " + f.value() + " of lineage " + Lineage.format(f.lineage()))
              .orElse("not yet pinned")
          + ", " + refusedRows + " write(s) refused");
      lastRefused.forEach(r -> lines.add("  refused: " + r));
      return lines;
    }
  }

  /** Reads the summary through {@code url} (a short-lived connection of its own). */
  public static Summary summary(String url, String user, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement st = c.createStatement()) {
      st.setQueryTimeout(TIMEOUT_SECONDS);
      long tickets;
      long last;
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*), COALESCE(MAX(ticket), 0)"
          + " FROM demo_tickets")) {
        rs.next();
        tickets = rs.getLong(1);
        last = rs.getLong(2);
      }
      long refusedRows;
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM demo_refused")) {
        rs.next();
        refusedRows = rs.getLong(1);
      }
      var lastRefused = new ArrayList<String>();
      try (ResultSet rs = st.executeQuery("SELECT node, token, ticket, highest_token, lineage,"
          + " pinned_lineage FROM demo_refused ORDER BY id DESC LIMIT 5")) {
        while (rs.next()) {
          lastRefused.add("node " + rs.getString(1) + " token " + rs.getLong(2) + " ticket "
              + rs.getLong(3) + (rs.getLong(5) == rs.getLong(6)
                  ? " (the database had token " + rs.getLong(4) + ")"
                  : " (lineage " + Lineage.format(rs.getLong(5)) + "; the database is pinned to "
                      + Lineage.format(rs.getLong(6)) + ")"));
        }
      }
      Optional<FencingToken> fence = JdbcFence.builder().build().highest(c, RESOURCE);
      return new Summary(tickets, last, fence, refusedRows, lastRefused);
    }
  }
}
