package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The role a node plays, with the volatile bookkeeping that belongs to it. */
public sealed interface Role {

  /** Follows a leader, or waits for one. */
  record Follower() implements Role {}

  /**
   * Asking voters whether it could win, without raising its term.
   *
   * @param grants the voters that granted a pre-vote (see {@link VoteTally})
   * @param refusals the voters that refused one
   */
  record PreCandidate(SortedSet<NodeId> grants, SortedSet<NodeId> refusals) implements Role {
    public PreCandidate {
      grants = Collections.unmodifiableSortedSet(new TreeSet<>(grants));
      refusals = Collections.unmodifiableSortedSet(new TreeSet<>(refusals));
    }

    PreCandidate(VoteTally tally) {
      this(tally.grants(), tally.refusals());
    }
  }

  /**
   * Asking for votes in its (raised, persisted) term.
   *
   * @param grants the voters that granted their vote (see {@link VoteTally})
   * @param refusals the voters that refused it
   */
  record Candidate(SortedSet<NodeId> grants, SortedSet<NodeId> refusals) implements Role {
    public Candidate {
      grants = Collections.unmodifiableSortedSet(new TreeSet<>(grants));
      refusals = Collections.unmodifiableSortedSet(new TreeSet<>(refusals));
    }

    Candidate(VoteTally tally) {
      this(tally.grants(), tally.refusals());
    }
  }

  /**
   * Leader of the current term.
   *
   * @param electedAt when it won (the base of the check-quorum grace before the first lease)
   * @param lastHeartbeatAt when it last sent heartbeats (its own acknowledgement time)
   * @param heartbeatDueAt when the next heartbeat is due: a fixed rate, so that late timers do
   *     not stretch the interval
   * @param ackedSentAt per peer, the send time of the latest heartbeat of this term it acknowledged
   * @param ackedConfig per peer, the configuration it reported in that acknowledgement
   * @param leaseDeadline end of the lease (meaningful only when {@code hosting})
   * @param hosting whether a lease was acquired in this term (the singleton may run)
   * @param handOverDeadline while handing over ({@link ElectionEffect.ReleaseHosting} sent, no
   *     answer yet), when to give up and step down without a successor; {@link #NO_HAND_OVER}
   *     otherwise
   */
  record Leader(
      long electedAt,
      long lastHeartbeatAt,
      long heartbeatDueAt,
      SortedMap<NodeId, Long> ackedSentAt,
      SortedMap<NodeId, ConfigId> ackedConfig,
      long leaseDeadline,
      boolean hosting,
      long handOverDeadline) implements Role {

    /** {@code handOverDeadline} when no hand-over is under way. */
    public static final long NO_HAND_OVER = Long.MIN_VALUE;

    public boolean handingOver() {
      return handOverDeadline != NO_HAND_OVER;
    }

    public Leader {
      ackedSentAt = Collections.unmodifiableSortedMap(new TreeMap<>(ackedSentAt));
      ackedConfig = Collections.unmodifiableSortedMap(new TreeMap<>(ackedConfig));
    }
  }
}
