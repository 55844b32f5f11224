package dev.regent.toolkit.fencing.jdbc;

import com.typesafe.config.Config;
import dev.regent.toolkit.fencing.FencingGuard;
import dev.regent.toolkit.fencing.FencingToken;
import dev.regent.toolkit.fencing.StaleTokenException;
import dev.regent.toolkit.leadership.Lineage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences a singleton's writes to a relational database: {@link #write} runs the caller's work in
 * one transaction that first checks and raises the resource's fencing token in a fence table, and
 * refuses with {@link StaleTokenException} (running none of the work) when a newer token of the
 * resource already wrote, or when the token belongs to another lineage than the one the resource
 * is pinned to. The rule is {@link FencingGuard}'s, kept in the database: the first token accepted
 * for a resource pins its lineage; within it a token at least the highest accepted is accepted
 * (an equal one is the same incarnation) and every older one refused; {@link #moveToLineage} is
 * the operator's deliberate move after a re-creation of the cluster.
 *
 * <p>The fence table has one row per resource (see {@link #createTableSql()}; docs/FENCING.md has
 * the DDL and every statement for PostgreSQL and H2). The check-and-raise is one statement,
 *
 * <pre>
 * UPDATE regent_fence SET token = ? WHERE resource = ? AND lineage = ? AND token &lt;= ?
 * </pre>
 *
 * which takes the row's write lock and keeps it until the transaction ends, so every writer of
 * the resource, whatever its token, waits for the one before it to commit or roll back: the
 * writes of one resource are serialized in token order, and a deposed incarnation that passed the
 * check before a newer one wrote commits before the newer one's check, never after it. Under READ
 * COMMITTED the waiting writer re-evaluates the condition on the committed row (a newer token
 * there makes it refuse); under REPEATABLE READ and SERIALIZABLE the database aborts the waiter
 * with a serialization failure (SQLState 40001), which this class retries, rerunning the whole
 * transaction. Only statements of one connection take part: the work gets that connection and
 * must do all its writes through it.
 *
 * <p>Every statement this class runs has the configured query timeout. Time a writer spends
 * waiting for the fence row counts against it, so a writer that holds the row and stalls (a
 * frozen process with an open transaction) makes the next writer fail with the driver's timeout
 * error rather than hang; configure the server to end such transactions (PostgreSQL:
 * {@code idle_in_transaction_session_timeout}, docs/FENCING.md).
 *
 * <p>Thread-safe; holds no connection. Build one per application with {@link #builder()} or from
 * {@code regent.fencing.jdbc} ({@link #fromConfig}).
 */
public final class JdbcFence {

  private static final Logger log = LoggerFactory.getLogger(JdbcFence.class);

  /** The default fence table name. */
  public static final String DEFAULT_TABLE = "regent_fence";

  /** The longest resource name the fence table holds ({@code VARCHAR(200)}). */
  public static final int MAX_RESOURCE_LENGTH = 200;

  /** A table name, optionally schema-qualified: plain SQL identifiers, no quoting needed. */
  private static final Pattern TABLE_NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

  /**
   * SQLStates after which the whole transaction is retried: serialization failure (40001, also
   * H2's deadlock), PostgreSQL's deadlock (40P01), H2's concurrent update (90131), and a unique
   * violation (23505), which only the first insert of a resource's fence row can raise here.
   */
  private static final Set<String> RETRIED_STATES = Set.of("40001", "40P01", "90131");

  private static final String UNIQUE_VIOLATION = "23505";

  /** The caller's writes, run inside the fenced transaction on its connection. */
  @FunctionalInterface
  public interface Work<T> {
    /**
     * Does the writes. May run more than once when the transaction is retried after a
     * serialization failure, so it must act only through {@code connection} (or be idempotent).
     * Must not commit, roll back or change auto-commit.
     */
    T run(Connection connection) throws SQLException;
  }

  private final String table;
  private final int queryTimeoutSeconds;
  private final int maxAttempts;
  private final OptionalInt isolation;
  private final LongAdder retries = new LongAdder();
  private final LongAdder refusals = new LongAdder();
  private final String raiseSql;
  private final String readSql;
  private final String insertSql;

  private JdbcFence(Builder b) {
    this.table = b.table;
    this.queryTimeoutSeconds = b.queryTimeoutSeconds;
    this.maxAttempts = b.maxAttempts;
    this.isolation = b.isolation;
    this.raiseSql = "UPDATE " + table
        + " SET token = ? WHERE resource = ? AND lineage = ? AND token <= ?";
    this.readSql = "SELECT lineage, token FROM " + table + " WHERE resource = ?";
    this.insertSql = "INSERT INTO " + table + " (resource, lineage, token) VALUES (?, ?, ?)";
  }

  /** A builder with the defaults of {@code regent.fencing.jdbc} in reference.conf. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A fence configured by a {@code regent.fencing.jdbc} section: {@code table},
   * {@code query-timeout}, {@code max-attempts}, {@code isolation} (reference.conf documents
   * them). Pass {@code system.settings().config().getConfig("regent.fencing.jdbc")}.
   *
   * @throws IllegalArgumentException naming the key whose value is invalid
   */
  public static JdbcFence fromConfig(Config section) {
    Builder b = builder();
    String prefix = "regent.fencing.jdbc.";
    try {
      b.table(section.getString("table"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(prefix + "table: " + e.getMessage(), e);
    }
    try {
      b.queryTimeout(section.getDuration("query-timeout"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(prefix + "query-timeout: " + e.getMessage(), e);
    }
    try {
      b.maxAttempts(section.getInt("max-attempts"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(prefix + "max-attempts: " + e.getMessage(), e);
    }
    String iso = section.getString("isolation").trim().toLowerCase(java.util.Locale.ROOT);
    switch (iso) {
      case "", "connection" -> { }
      case "read-committed" -> b.isolation(Connection.TRANSACTION_READ_COMMITTED);
      case "repeatable-read" -> b.isolation(Connection.TRANSACTION_REPEATABLE_READ);
      case "serializable" -> b.isolation(Connection.TRANSACTION_SERIALIZABLE);
      default -> throw new IllegalArgumentException(prefix + "isolation: \"" + iso
          + "\" is not one of connection, read-committed, repeatable-read, serializable");
    }
    return b.build();
  }

  /** The fence table's name. */
  public String table() {
    return table;
  }

  /**
   * The DDL of the fence table, valid on PostgreSQL and H2 (and most databases that know
   * {@code CREATE TABLE IF NOT EXISTS}).
   */
  public String createTableSql() {
    return "CREATE TABLE IF NOT EXISTS " + table + " (resource VARCHAR(" + MAX_RESOURCE_LENGTH
        + ") NOT NULL PRIMARY KEY, lineage BIGINT NOT NULL, token BIGINT NOT NULL)";
  }

  /** Creates the fence table if it does not exist (in its own transaction). */
  public void createTable(Connection connection) throws SQLException {
    inTransaction(connection, c -> {
      try (Statement st = c.createStatement()) {
        st.setQueryTimeout(queryTimeoutSeconds);
        st.execute(createTableSql());
      }
      return null;
    });
  }

  /**
   * Runs {@code work} in one transaction on {@code connection} that first checks and raises the
   * fencing token of {@code resource}, then commits. The connection must not be inside a
   * transaction of the caller's (its pending writes would be committed with the work); auto-commit
   * and isolation are restored afterwards. A serialization failure (or a race on the first fence
   * row) rolls back and reruns the whole transaction, at most {@code max-attempts} times in all.
   *
   * @return what {@code work} returned
   * @throws StaleTokenException when a newer token of the resource's lineage has already been
   *     accepted, or the resource is pinned to another lineage: the transaction is rolled back and
   *     {@code work} did not run in it
   * @throws SQLException from the database, after rolling back (the last one when retries ran
   *     out; a failed commit other than a serialization failure leaves the outcome unknown, as
   *     any failed commit does)
   */
  public <T> T write(Connection connection, String resource, FencingToken token, Work<T> work)
      throws SQLException {
    validateResource(resource);
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(work, "work");
    return inTransaction(connection, c -> {
      checkAndRaise(c, resource, token);
      return work.run(c);
    });
  }

  /**
   * The resource's pinned lineage and highest accepted token (or the floor an operator set), if
   * its fence row exists. Reads the committed row in its own statement.
   */
  public Optional<FencingToken> highest(Connection connection, String resource)
      throws SQLException {
    validateResource(resource);
    try (PreparedStatement st = connection.prepareStatement(readSql)) {
      st.setQueryTimeout(queryTimeoutSeconds);
      st.setString(1, resource);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(FencingToken.of(rs.getLong(1), rs.getLong(2)))
            : Optional.empty();
      }
    }
  }

  /**
   * Operator action after a deliberate re-creation of the cluster, as
   * {@link FencingGuard#moveToLineage}: from now on {@code resource} accepts only tokens of
   * {@code lineage} with a term of at least {@code minTerm}; every token of the previously pinned
   * lineage is refused. Also pins a resource that has no fence row yet. Call it only once no node
   * of the old lineage can write any more.
   *
   * @throws IllegalArgumentException when {@code lineage} is the one already pinned and
   *     {@code minTerm} is below a token already accepted (that would let deposed incarnations in)
   */
  public void moveToLineage(Connection connection, String resource, long lineage, long minTerm)
      throws SQLException {
    validateResource(resource);
    inTransaction(connection, c -> {
      // FOR UPDATE: a writer must not raise the token between this read and the update below.
      Optional<FencingToken> current = readCurrent(c, resource, readSql + " FOR UPDATE");
      if (current.isPresent()) {
        FencingToken floor = current.get();
        if (floor.lineage() == lineage && minTerm < floor.value()) {
          throw new IllegalArgumentException("resource " + resource + " is pinned to lineage "
              + Lineage.format(lineage) + " with tokens up to " + floor.value()
              + "; moving it back to " + minTerm + " would accept deposed incarnations");
        }
        try (PreparedStatement st = c.prepareStatement(
            "UPDATE " + table + " SET lineage = ?, token = ? WHERE resource = ?")) {
          st.setQueryTimeout(queryTimeoutSeconds);
          st.setLong(1, lineage);
          st.setLong(2, minTerm);
          st.setString(3, resource);
          st.executeUpdate();
        }
      } else {
        insert(c, resource, FencingToken.of(lineage, minTerm));
      }
      log.info("fence of resource {} moved to lineage {} from term {} (was {})", resource,
          Lineage.format(lineage), minTerm, current.map(Object::toString).orElse("unpinned"));
      return null;
    });
  }

  /** How many transactions were rolled back and run again (serialization failures and races). */
  public long retries() {
    return retries.sum();
  }

  /** How many writes were refused with {@link StaleTokenException}. */
  public long refusals() {
    return refusals.sum();
  }

  /** Thrown inside an attempt to retry the transaction: the fence row changed under it. */
  private static final class RetrySignal extends Exception {
    RetrySignal(String message) {
      super(message, null, false, false);
    }
  }

  private void checkAndRaise(Connection c, String resource, FencingToken token)
      throws SQLException, RetrySignal {
    try (PreparedStatement st = c.prepareStatement(raiseSql)) {
      st.setQueryTimeout(queryTimeoutSeconds);
      st.setLong(1, token.value());
      st.setString(2, resource);
      st.setLong(3, token.lineage());
      st.setLong(4, token.value());
      if (st.executeUpdate() == 1) {
        return; // raised (or equal); the row stays locked until this transaction ends
      }
    }
    Optional<FencingToken> current = readCurrent(c, resource, readSql);
    if (current.isEmpty()) {
      try {
        insert(c, resource, token); // the first token pins the lineage
      } catch (SQLException e) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw new RetrySignal("the fence row of " + resource + " was created concurrently");
        }
        throw e;
      }
      return;
    }
    FencingToken floor = current.get();
    if (!floor.sameLineage(token) || token.value() < floor.value()) {
      refusals.increment();
      log.info("fenced write to resource {} refused: token {} (resource at {})", resource, token,
          floor);
      throw new StaleTokenException(token, floor);
    }
    // The row accepts the token now, but did not when the update looked: moved in between.
    throw new RetrySignal("the fence row of " + resource + " changed during the check");
  }

  private Optional<FencingToken> readCurrent(Connection c, String resource, String sql)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setQueryTimeout(queryTimeoutSeconds);
      st.setString(1, resource);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(FencingToken.of(rs.getLong(1), rs.getLong(2)))
            : Optional.empty();
      }
    }
  }

  private void insert(Connection c, String resource, FencingToken token) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(insertSql)) {
      st.setQueryTimeout(queryTimeoutSeconds);
      st.setString(1, resource);
      st.setLong(2, token.lineage());
      st.setLong(3, token.value());
      st.executeUpdate();
    }
  }

  @FunctionalInterface
  private interface Attempt<T> {
    T run(Connection c) throws SQLException, RetrySignal;
  }

  private <T> T inTransaction(Connection c, Attempt<T> attempt) throws SQLException {
    Objects.requireNonNull(c, "connection");
    boolean autoCommit = c.getAutoCommit();
    // Asked only when the fence sets a level: some drivers (PostgreSQL's) ask the server.
    int isolationBefore = isolation.isPresent() ? c.getTransactionIsolation() : -1;
    try {
      if (autoCommit) {
        c.setAutoCommit(false);
      }
      if (isolation.isPresent() && isolation.getAsInt() != isolationBefore) {
        c.setTransactionIsolation(isolation.getAsInt());
      }
      for (int n = 1; ; n++) {
        try {
          T result = attempt.run(c);
          c.commit();
          return result;
        } catch (RetrySignal e) {
          rollback(c, null);
          if (n >= maxAttempts) {
            throw new SQLException(e.getMessage() + "; gave up after " + n
                + " attempts (regent.fencing.jdbc.max-attempts)", "40001");
          }
          retries.increment();
        } catch (SQLException e) {
          rollback(c, e);
          if (!RETRIED_STATES.contains(e.getSQLState()) || n >= maxAttempts) {
            throw e;
          }
          retries.increment();
          log.debug("fenced transaction retried after {} (attempt {})", e.getSQLState(), n);
        } catch (RuntimeException | Error e) {
          rollback(c, e);
          throw e;
        }
      }
    } finally {
      restore(c, autoCommit, isolationBefore);
    }
  }

  private static void rollback(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      } else {
        log.warn("rollback of a fenced transaction failed: {}", e.toString());
      }
    }
  }

  private void restore(Connection c, boolean autoCommit, int isolationBefore) {
    try {
      if (c.isClosed()) {
        return;
      }
      if (isolation.isPresent() && isolation.getAsInt() != isolationBefore) {
        c.setTransactionIsolation(isolationBefore);
      }
      if (autoCommit) {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      log.warn("could not restore the connection's settings after a fenced transaction: {}",
          e.toString());
    }
  }

  private static void validateResource(String resource) {
    Objects.requireNonNull(resource, "resource");
    if (resource.isEmpty() || resource.length() > MAX_RESOURCE_LENGTH) {
      throw new IllegalArgumentException("resource name must have 1 to " + MAX_RESOURCE_LENGTH
          + " characters: \"" + resource + "\"");
    }
  }

  /** Settings of a {@link JdbcFence}; defaults as in reference.conf. */
  public static final class Builder {
    private String table = DEFAULT_TABLE;
    private int queryTimeoutSeconds = 5;
    private int maxAttempts = 5;
    private OptionalInt isolation = OptionalInt.empty();

    private Builder() {}

    /**
     * The fence table: an SQL identifier (letters, digits, underscore; not starting with a
     * digit; at most 63 characters), optionally schema-qualified ({@code schema.table}). It is
     * put into the SQL text, so nothing else is accepted.
     */
    public Builder table(String name) {
      if (name == null || !TABLE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("fence table name \"" + name + "\" is not a plain SQL"
            + " identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters, optionally"
            + " schema.table)");
      }
      this.table = name;
      return this;
    }

    /**
     * The query timeout of every statement the fence runs, including the wait for the fence row
     * (JDBC counts it in whole seconds: rounded up). At least 1 s.
     */
    public Builder queryTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()
          || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("query timeout must be between 1 s and 1 h: "
            + timeout);
      }
      long millis = timeout.toMillis();
      this.queryTimeoutSeconds = (int) Math.max(1, (millis + 999) / 1000);
      return this;
    }

    /** How many times a transaction is run at most (first run and retries), 1 to 100. */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 100) {
        throw new IllegalArgumentException("max attempts must be between 1 and 100: " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * The isolation level of the fenced transactions ({@link Connection#TRANSACTION_READ_COMMITTED},
     * {@link Connection#TRANSACTION_REPEATABLE_READ}, {@link Connection#TRANSACTION_SERIALIZABLE});
     * by default the connection's own.
     */
    public Builder isolation(int level) {
      if (level != Connection.TRANSACTION_READ_COMMITTED
          && level != Connection.TRANSACTION_REPEATABLE_READ
          && level != Connection.TRANSACTION_SERIALIZABLE) {
        throw new IllegalArgumentException("isolation must be READ COMMITTED, REPEATABLE READ or"
            + " SERIALIZABLE (java.sql.Connection constants): " + level);
      }
      this.isolation = OptionalInt.of(level);
      return this;
    }

    public JdbcFence build() {
      return new JdbcFence(this);
    }
  }
}
