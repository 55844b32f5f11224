package dev.regent.toolkit.fencing.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link JdbcFenceContract} against H2 (in memory, MVStore, the embedded database of the demo).
 * H2 does not apply the JDBC query timeout while a statement waits for a row lock: the wait for
 * the fence row is bounded by H2's own {@code LOCK_TIMEOUT} (5 s here; docs/FENCING.md), which
 * {@code waitForTheFenceRowIsBoundedByTheQueryTimeout} shows (it fails with HYT00 after it).
 */
class JdbcFenceH2Test extends JdbcFenceContract {

  private static final String URL = "jdbc:h2:mem:fence_test;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=5000";
  private static Connection keepAlive;

  @BeforeAll
  static void open() throws SQLException {
    keepAlive = DriverManager.getConnection(URL);
  }

  @AfterAll
  static void close() throws SQLException {
    try (Statement st = keepAlive.createStatement()) {
      st.execute("SHUTDOWN");
    }
    keepAlive.close();
  }

  @Override
  Connection connect() throws SQLException {
    return DriverManager.getConnection(URL);
  }

  @Override
  int sessionsWaitingForALock(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS"
            + " WHERE BLOCKER_ID IS NOT NULL")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
