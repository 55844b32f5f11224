package dev.regent.examples.demo;

import dev.regent.toolkit.fencing.FencingToken;
import java.util.Optional;

/**
 * Where the demo's ticket allocator records its tickets, each with the writer's fencing token:
 * a database table fenced by {@link dev.regent.toolkit.fencing.jdbc.JdbcFence}
 * ({@link JdbcTicketStore}, the default) or a shared file ({@link SharedFencedFile}). Either
 * refuses a deposed incarnation's token and every token of another lineage.
 */
public interface FencedTicketStore {

  /**
   * Records ticket {@code value} with {@code token} when the token is accepted.
   *
   * @throws RuntimeException when the store cannot be reached (nothing is known to be written)
   */
  SharedFencedFile.WriteResult write(FencingToken token, long value);

  /** The last accepted ticket, if any. */
  Optional<SharedFencedFile.Entry> last();

  /** How many writes of this process the store refused. */
  long refused();
}
