package dev.regent.toolkit.fencing.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.fencing.StaleTokenException;
import dev.regent.toolkit.testkit.Await;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@link JdbcFence} promises, run against a real database by each subclass (PostgreSQL,
 * H2), at READ COMMITTED and SERIALIZABLE. Each test uses its own fence and data table. Rows of
 * the data table get their {@code id} from an identity column inside the fenced transaction,
 * after the fence row was locked: the fence serializes the writers of a resource, so id order is
 * commit order, and the tests check that tokens never decrease in it.
 */
abstract class JdbcFenceContract {

  static final long LINEAGE = 0x1234_5678_9abc_def0L;
  static final long OTHER_LINEAGE = 0x0fed_cba9_8765_4321L;
  static final Duration WAIT = Duration.ofSeconds(30);

  /** A new connection to the test database (auto-commit on). */
  abstract Connection connect() throws SQLException;

  /** How many sessions currently wait for a row lock (to see a writer blocked on the fence). */
  abstract int sessionsWaitingForALock(Connection c) throws SQLException;

  String table;
  String data;
  ExecutorService pool;

  @BeforeEach
  void names(TestInfo info) {
    String base = info.getTestMethod().orElseThrow().getName().toLowerCase()
        .replaceAll("[^a-z0-9]", "");
    base = base.substring(0, Math.min(base.length(), 30)) + "_" + Integer.toHexString(
        info.getDisplayName().hashCode() & 0xfffff);
    table = "f_" + base;
    data = "d_" + base;
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "test threads ended");
  }

  JdbcFence fence(int isolation) throws SQLException {
    JdbcFence f = JdbcFence.builder().table(table).isolation(isolation)
        .queryTimeout(Duration.ofSeconds(20)).maxAttempts(20).build();
    try (Connection c = connect(); Statement st = c.createStatement()) {
      f.createTable(c);
      st.execute("CREATE TABLE IF NOT EXISTS " + data + " (id BIGINT GENERATED ALWAYS AS IDENTITY"
          + " PRIMARY KEY, lineage BIGINT NOT NULL, token BIGINT NOT NULL, writer INT NOT NULL,"
          + " seq BIGINT NOT NULL)");
    }
    return f;
  }

  /** A fenced write of one data row. */
  long insert(JdbcFence f, Connection c, FencingToken token, int writer, long seq)
      throws SQLException {
    return f.write(c, "orders", token, conn -> insertRow(conn, token, writer, seq));
  }

  long insertRow(Connection conn, FencingToken token, int writer, long seq) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement("INSERT INTO " + data
        + " (lineage, token, writer, seq) VALUES (?, ?, ?, ?)")) {
      st.setQueryTimeout(20);
      st.setLong(1, token.lineage());
      st.setLong(2, token.value());
      st.setInt(3, writer);
      st.setLong(4, seq);
      return st.executeUpdate();
    }
  }

  record Row(long id, long lineage, long token, int writer, long seq) {}

  List<Row> rows() throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, lineage, token, writer, seq FROM " + data
            + " ORDER BY id")) {
      var rows = new ArrayList<Row>();
      while (rs.next()) {
        rows.add(new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4),
            rs.getLong(5)));
      }
      return rows;
    }
  }

  static void assertTokensNeverDecrease(List<Row> rows) {
    for (int i = 1; i < rows.size(); i++) {
      assertTrue(rows.get(i).token() >= rows.get(i - 1).token(),
          "token decreased in commit order at " + rows.get(i - 1) + " -> " + rows.get(i));
    }
  }

  static FencingToken t(long term) {
    return FencingToken.of(LINEAGE, term);
  }

  @ParameterizedTest(name = "isolation {0}")
  @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_SERIALIZABLE})
  void newerTokenWinsAndOlderIsRefused(int isolation) throws Exception {
    JdbcFence f = fence(isolation);
    try (Connection c = connect()) {
      assertEquals(1, insert(f, c, t(5), 1, 1));
      assertEquals(1, insert(f, c, t(5), 1, 2)); // the same incarnation again
      assertEquals(1, insert(f, c, t(7), 2, 1));
      var e = assertThrows(StaleTokenException.class, () -> insert(f, c, t(6), 3, 1));
      assertEquals(t(6), e.offered());
      assertEquals(t(7), e.highest());
      assertFalse(e.foreignLineage());
      assertEquals(t(7), f.highest(c, "orders").orElseThrow());
      assertTrue(c.getAutoCommit(), "auto-commit restored");
      assertEquals(1, f.refusals());
    }
    assertEquals(List.of(5L, 5L, 7L), rows().stream().map(Row::token).toList());
  }

  @Test
  void workThatFailsRollsBackTheRaise() throws Exception {
    JdbcFence f = fence(Connection.TRANSACTION_READ_COMMITTED);
    try (Connection c = connect()) {
      insert(f, c, t(3), 1, 1);
      assertThrows(IllegalStateException.class, () -> f.write(c, "orders", t(9), conn -> {
        insertRow(conn, t(9), 2, 1);
        throw new IllegalStateException("the work failed");
      }));
      assertEquals(t(3), f.highest(c, "orders").orElseThrow(), "a rolled-back write raised"
          + " nothing");
      insert(f, c, t(4), 1, 2);
    }
    assertEquals(List.of(3L, 4L), rows().stream().map(Row::token).toList());
  }

  @Test
  void lineageIsPinnedByTheFirstTokenAndMovedOnlyByTheOperator() throws Exception {
    JdbcFence f = fence(Connection.TRANSACTION_READ_COMMITTED);
    try (Connection c = connect()) {
      insert(f, c, t(2), 1, 1);
      var foreign = assertThrows(StaleTokenException.class,
          () -> insert(f, c, FencingToken.of(OTHER_LINEAGE, 1000), 2, 1));
      assertTrue(foreign.foreignLineage(), foreign.getMessage());
      f.moveToLineage(c, "orders", OTHER_LINEAGE, 10);
      assertThrows(StaleTokenException.class,
          () -> insert(f, c, FencingToken.of(OTHER_LINEAGE, 9), 2, 2));
      insert(f, c, FencingToken.of(OTHER_LINEAGE, 10), 2, 3);
      var old = assertThrows(StaleTokenException.class, () -> insert(f, c, t(3), 1, 2));
      assertTrue(old.foreignLineage());
      assertThrows(IllegalArgumentException.class,
          () -> f.moveToLineage(c, "orders", OTHER_LINEAGE, 5));
      // Pinning a resource nobody wrote yet.
      f.moveToLineage(c, "invoices", LINEAGE, 50);
      assertThrows(StaleTokenException.class,
          () -> f.write(c, "invoices", t(49), conn -> 0));
      f.write(c, "invoices", t(50), conn -> 0);
    }
    assertEquals(List.of(LINEAGE, OTHER_LINEAGE),
        rows().stream().map(Row::lineage).toList());
  }

  /**
   * Eight writers race, each with a token drawn from the last three terms of a term counter that
   * they keep raising, so fresh and stale tokens interleave. Every acknowledged write is in the
   * table, no refused one is, tokens never decrease in commit order, and the fence ends at the
   * highest acknowledged token.
   */
  @ParameterizedTest(name = "isolation {0}")
  @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_SERIALIZABLE})
  void concurrentWritersWithInterleavedTokens(int isolation) throws Exception {
    JdbcFence f = fence(isolation);
    int writers = 8;
    int perWriter = 40;
    AtomicLong term = new AtomicLong(1);
    var acked = Collections.synchronizedList(new ArrayList<List<Long>>());
    var refused = Collections.synchronizedList(new ArrayList<List<Long>>());
    AtomicInteger errors = new AtomicInteger();
    var futures = new ArrayList<Future<?>>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      futures.add(pool.submit(() -> {
        var random = new Random(writer);
        try (Connection c = connect()) {
          for (long seq = 0; seq < perWriter; seq++) {
            if (random.nextInt(5) == 0) {
              term.incrementAndGet();
            }
            long token = Math.max(1, term.get() - random.nextInt(3));
            try {
              insert(f, c, t(token), writer, seq);
              acked.add(List.of(token, (long) writer, seq));
            } catch (StaleTokenException e) {
              refused.add(List.of(token, (long) writer, seq));
            }
          }
        } catch (SQLException e) {
          errors.incrementAndGet();
          throw new IllegalStateException(e);
        }
        return null;
      }));
    }
    for (Future<?> fu : futures) {
      fu.get(120, TimeUnit.SECONDS);
    }
    assertEquals(0, errors.get());
    List<Row> rows = rows();
    assertTokensNeverDecrease(rows);
    Set<List<Long>> inTable = new HashSet<>();
    rows.forEach(r -> inTable.add(List.of(r.token(), (long) r.writer(), r.seq())));
    assertEquals(new HashSet<>(acked), inTable, "exactly the acknowledged writes are in the table");
    refused.forEach(r -> assertFalse(inTable.contains(r), "refused write in the table: " + r));
    long highest = acked.stream().mapToLong(a -> a.get(0)).max().orElseThrow();
    try (Connection c = connect()) {
      assertEquals(t(highest), f.highest(c, "orders").orElseThrow());
    }
    assertEquals(writers * perWriter, acked.size() + refused.size());
    assertFalse(refused.isEmpty(), "stale tokens were refused");
    System.out.println("MEASURED jdbc fence " + getClass().getSimpleName() + " isolation "
        + isolation + ": " + acked.size() + " written, " + refused.size() + " refused, "
        + f.retries() + " retried");
  }

  /**
   * A writer pauses between its check and its commit (inside its work, holding the fence row). A
   * newer writer waits for the row; nothing of the paused transaction is visible meanwhile. Once
   * the paused writer commits (its check came first, so its row precedes the newer one's), the
   * newer writer goes on, and the paused incarnation's next write is refused.
   */
  @ParameterizedTest(name = "isolation {0}")
  @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_SERIALIZABLE})
  void writerPausedBetweenCheckAndCommit(int isolation) throws Exception {
    JdbcFence f = fence(isolation);
    try (Connection c = connect()) {
      insert(f, c, t(4), 0, 0);
    }
    var checked = new CountDownLatch(1);
    var resume = new CountDownLatch(1);
    Future<Long> paused = pool.submit(() -> {
      try (Connection c = connect()) {
        return f.write(c, "orders", t(5), conn -> {
          long n = insertRow(conn, t(5), 1, 1);
          checked.countDown();
          await(resume);
          return n;
        });
      }
    });
    assertTrue(checked.await(30, TimeUnit.SECONDS));
    Future<Long> newer = pool.submit(() -> {
      try (Connection c = connect()) {
        return insert(f, c, t(6), 2, 1);
      }
    });
    try (Connection observer = connect()) {
      Await.until(WAIT, "the newer writer waits for the fence row",
          () -> waiting(observer) >= 1);
      assertFalse(newer.isDone());
      assertEquals(List.of(4L), rows().stream().map(Row::token).toList(),
          "the paused transaction's row is invisible");
    }
    resume.countDown();
    assertEquals(1L, paused.get(30, TimeUnit.SECONDS));
    assertEquals(1L, newer.get(30, TimeUnit.SECONDS));
    try (Connection c = connect()) {
      assertThrows(StaleTokenException.class, () -> insert(f, c, t(5), 1, 2));
      assertEquals(t(6), f.highest(c, "orders").orElseThrow());
    }
    List<Row> rows = rows();
    assertEquals(List.of(4L, 5L, 6L), rows.stream().map(Row::token).toList());
    assertTokensNeverDecrease(rows);
  }

  /** A writer blocked on the fence row longer than the query timeout fails, it does not hang. */
  @Test
  void waitForTheFenceRowIsBoundedByTheQueryTimeout() throws Exception {
    fence(Connection.TRANSACTION_READ_COMMITTED);
    JdbcFence quick = JdbcFence.builder().table(table).queryTimeout(Duration.ofSeconds(1))
        .build();
    try (Connection c = connect()) {
      insert(quick, c, t(1), 0, 0);
    }
    var checked = new CountDownLatch(1);
    var resume = new CountDownLatch(1);
    Future<Long> holder = pool.submit(() -> {
      try (Connection c = connect()) {
        return quick.write(c, "orders", t(2), conn -> {
          checked.countDown();
          await(resume);
          return 0L;
        });
      }
    });
    try {
      assertTrue(checked.await(30, TimeUnit.SECONDS));
      long t0 = System.nanoTime();
      try (Connection c = connect()) {
        SQLException e = assertThrows(SQLException.class, () -> insert(quick, c, t(3), 1, 1));
        System.out.println("MEASURED jdbc fence " + getClass().getSimpleName()
            + ": blocked writer failed after " + (System.nanoTime() - t0) / 1_000_000
            + " ms with query timeout 1 s: " + e.getSQLState() + " " + e.getMessage());
        assertTrue(c.getAutoCommit());
      }
    } finally {
      resume.countDown();
    }
    holder.get(30, TimeUnit.SECONDS);
    assertEquals(List.of(1L), rows().stream().map(Row::token).toList());
  }

  /** Writers race to create a resource's fence row: one insert wins, the others retry. */
  @ParameterizedTest(name = "isolation {0}")
  @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_SERIALIZABLE})
  void firstWritersRaceForTheFenceRow(int isolation) throws Exception {
    JdbcFence f = fence(isolation);
    int writers = 6;
    var start = new CountDownLatch(1);
    var futures = new ArrayList<Future<Boolean>>();
    for (int w = 0; w < writers; w++) {
      long token = 10 + w;
      int writer = w;
      futures.add(pool.submit(() -> {
        try (Connection c = connect()) {
          await(start);
          insert(f, c, t(token), writer, 0);
          return true;
        } catch (StaleTokenException e) {
          return false;
        }
      }));
    }
    start.countDown();
    long maxAccepted = 0;
    for (int w = 0; w < writers; w++) {
      if (futures.get(w).get(60, TimeUnit.SECONDS)) {
        maxAccepted = 10 + w;
      }
    }
    List<Row> rows = rows();
    assertTokensNeverDecrease(rows);
    assertFalse(rows.isEmpty());
    try (Connection c = connect()) {
      assertEquals(t(maxAccepted), f.highest(c, "orders").orElseThrow());
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
        assertTrue(rs.next());
        assertEquals(1, rs.getLong(1), "one fence row");
      }
    }
  }

  /**
   * The fence's cost per transaction: one connection inserts one row per transaction, with and
   * without the fence, alternating blocks of 100 so both see the same conditions. Prints median
   * and p99 (a benchmark: nothing is asserted about the times).
   */
  @Test
  void fenceCostPerTransaction() throws Exception {
    fence(Connection.TRANSACTION_READ_COMMITTED);
    // The default settings: the connection's own isolation (read committed on both databases).
    JdbcFence f = JdbcFence.builder().table(table).build();
    int warmup = 300;
    int measured = 2000;
    long[] plain = new long[measured];
    long[] fenced = new long[measured];
    try (Connection c = connect()) {
      for (int i = 0; i < warmup; i++) {
        plainInsert(c, i);
        insert(f, c, t(1), 1, i);
      }
      for (int block = 0; block < measured; block += 100) {
        for (int i = block; i < block + 100; i++) {
          long t0 = System.nanoTime();
          plainInsert(c, warmup + i);
          plain[i] = System.nanoTime() - t0;
        }
        for (int i = block; i < block + 100; i++) {
          long t0 = System.nanoTime();
          insert(f, c, t(1), 1, warmup + i);
          fenced[i] = System.nanoTime() - t0;
        }
      }
    }
    java.util.Arrays.sort(plain);
    java.util.Arrays.sort(fenced);
    String db = getClass().getSimpleName().replace("JdbcFence", "").replace("Test", "");
    System.out.printf("MEASURED jdbc fence cost %s: one-row insert transaction without fence"
        + " median %d us, p99 %d us; with fence median %d us, p99 %d us (%d transactions each,"
        + " one connection)%n", db, plain[measured / 2] / 1000, plain[measured * 99 / 100] / 1000,
        fenced[measured / 2] / 1000, fenced[measured * 99 / 100] / 1000, measured);
    assertEquals(2 * (warmup + measured), rows().size());
  }

  private void plainInsert(Connection c, long seq) throws SQLException {
    c.setAutoCommit(false);
    insertRow(c, t(1), 0, seq);
    c.commit();
    c.setAutoCommit(true);
  }

  @Test
  void tableNameAndSettingsAreValidated() {
    for (String bad : List.of("", "1abc", "a-b", "x; DROP TABLE y", "a.b.c", "\"q\"",
        "a".repeat(64))) {
      var e = assertThrows(IllegalArgumentException.class, () -> JdbcFence.builder().table(bad));
      assertTrue(e.getMessage().contains("identifier"), e.getMessage());
    }
    JdbcFence.builder().table("public.regent_fence_2").build();
    assertThrows(IllegalArgumentException.class,
        () -> JdbcFence.builder().queryTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> JdbcFence.builder().maxAttempts(0));
    assertThrows(IllegalArgumentException.class,
        () -> JdbcFence.builder().isolation(Connection.TRANSACTION_NONE));
    var config = com.typesafe.config.ConfigFactory.parseString("table = \"bad name\"")
        .withFallback(com.typesafe.config.ConfigFactory.defaultReference()
            .getConfig("regent.fencing.jdbc"));
    var e = assertThrows(IllegalArgumentException.class, () -> JdbcFence.fromConfig(config));
    assertTrue(e.getMessage().startsWith("regent.fencing.jdbc.table"), e.getMessage());
    JdbcFence defaults = JdbcFence.fromConfig(com.typesafe.config.ConfigFactory.defaultReference()
        .getConfig("regent.fencing.jdbc"));
    assertEquals(JdbcFence.DEFAULT_TABLE, defaults.table());
    assertThrows(IllegalArgumentException.class,
        () -> defaults.write(null, "x".repeat(201), t(1), c -> 0));
  }

  int waiting(Connection observer) {
    try {
      return sessionsWaitingForALock(observer);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
