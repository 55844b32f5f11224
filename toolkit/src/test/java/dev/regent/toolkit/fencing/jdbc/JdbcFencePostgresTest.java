package dev.regent.toolkit.fencing.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.fencing.StaleTokenException;
import dev.regent.toolkit.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link JdbcFenceContract} against a real PostgreSQL server that this class starts
 * ({@link PostgresServer}: the Debian package's binaries, a temporary directory, 127.0.0.1) and
 * stops, plus what only PostgreSQL shows: a frozen writer holding the fence row is cut off by
 * {@code idle_in_transaction_session_timeout}, so the next incarnation need not wait for it.
 */
class JdbcFencePostgresTest extends JdbcFenceContract {

  private static PostgresServer server;
  private static String url;

  @BeforeAll
  static void startServer() throws SQLException {
    server = PostgresServer.start();
    url = server.createDatabase("fence_test");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  @Override
  int sessionsWaitingForALock(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM pg_stat_activity"
            + " WHERE wait_event_type = 'Lock'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * The paused writer's session has {@code idle_in_transaction_session_timeout = 1s} (what
   * docs/FENCING.md recommends): PostgreSQL ends its transaction while it is frozen, the newer
   * writer gets the row and commits, nothing of the frozen one is ever visible, and when it wakes
   * its commit fails and its next write is refused.
   */
  @ParameterizedTest(name = "isolation {0}")
  @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_SERIALIZABLE})
  void frozenWriterIsCutOffByTheServer(int isolation) throws Exception {
    JdbcFence f = fence(isolation);
    try (Connection c = connect()) {
      insert(f, c, t(4), 0, 0);
    }
    var checked = new CountDownLatch(1);
    var resume = new CountDownLatch(1);
    Future<Long> frozen = pool.submit(() -> {
      try (Connection c = connect()) {
        try (Statement st = c.createStatement()) {
          st.execute("SET idle_in_transaction_session_timeout = '1s'");
        }
        return f.write(c, "orders", t(5), conn -> {
          long n = insertRow(conn, t(5), 1, 1);
          checked.countDown();
          await(resume);
          return n;
        });
      }
    });
    assertTrue(checked.await(30, TimeUnit.SECONDS));
    try (Connection c = connect()) {
      // Waits for the row until the server has ended the frozen transaction (about 1 s).
      assertEquals(1L, insert(f, c, t(6), 2, 1));
    }
    assertFalse(frozen.isDone(), "the frozen writer is still frozen");
    assertEquals(List.of(4L, 6L), rows().stream().map(Row::token).toList());
    resume.countDown();
    var failure = assertThrows(ExecutionException.class, () -> frozen.get(30, TimeUnit.SECONDS));
    assertTrue(failure.getCause() instanceof SQLException, failure.toString());
    System.out.println("MEASURED jdbc fence postgres: the woken writer's transaction failed: "
        + failure.getCause().getMessage().lines().findFirst().orElse(""));
    try (Connection c = connect()) {
      assertThrows(StaleTokenException.class, () -> insert(f, c, t(5), 1, 2));
    }
    assertEquals(List.of(4L, 6L), rows().stream().map(Row::token).toList());
  }
}
