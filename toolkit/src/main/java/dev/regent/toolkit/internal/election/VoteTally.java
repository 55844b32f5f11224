package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The answers a (pre-)candidate collected in one round, counted against one voter configuration:
 * whether the round is {@link Result#WON won} (a quorum of the configuration's voters granted),
 * {@link Result#LOST lost} (so many voters refused that the grants can no longer reach a quorum)
 * or still {@link Result#PENDING pending}. Immutable.
 *
 * <p>Only the configuration's voters count: answers of anyone else (a learner, an old identity of
 * a voter's name, the candidate itself when it is not a voter) are ignored. Each voter counts once.
 * A grant is a durable fact (a vote is persisted before it leaves), a refusal is not (a voter that
 * refused because it still followed a leader may grant a later copy of the same request): so a
 * grant replaces an earlier refusal of the same voter, and a refusal after a grant is ignored.
 *
 * <p>A configuration without voters can neither be won nor be asked: its tally is {@code LOST}
 * (a node without a configuration never campaigns). Lost means "cannot be won any more": with an
 * even number of voters that is half of them refusing (two voters: one refusal), with an odd
 * number it is a quorum.
 */
public final class VoteTally {

  /** The outcome of a round so far. */
  public enum Result { WON, LOST, PENDING }

  private final VoterConfig config;
  private final SortedSet<NodeId> grants;
  private final SortedSet<NodeId> refusals;

  private VoteTally(VoterConfig config, SortedSet<NodeId> grants, SortedSet<NodeId> refusals) {
    this.config = config;
    this.grants = Collections.unmodifiableSortedSet(grants);
    this.refusals = Collections.unmodifiableSortedSet(refusals);
  }

  /** A round over {@code config} without any answer yet. */
  public static VoteTally open(VoterConfig config) {
    return new VoteTally(Objects.requireNonNull(config, "config"), new TreeSet<>(),
        new TreeSet<>());
  }

  /** A round over {@code config} with the answers collected so far (non-voters are dropped). */
  public static VoteTally of(VoterConfig config, SortedSet<NodeId> grants,
      SortedSet<NodeId> refusals) {
    var t = open(config);
    for (NodeId g : grants) {
      t = t.grant(g);
    }
    for (NodeId r : refusals) {
      t = t.refuse(r);
    }
    return t;
  }

  /** With {@code voter}'s grant counted (ignored if it is not a voter of the configuration). */
  public VoteTally grant(NodeId voter) {
    if (!config.isVoter(voter) || grants.contains(voter)) {
      return this;
    }
    var g = new TreeSet<>(grants);
    g.add(voter);
    var r = new TreeSet<>(refusals);
    r.remove(voter);
    return new VoteTally(config, g, r);
  }

  /** With {@code voter}'s refusal counted (ignored for a non-voter, or one that granted). */
  public VoteTally refuse(NodeId voter) {
    if (!config.isVoter(voter) || grants.contains(voter) || refusals.contains(voter)) {
      return this;
    }
    var r = new TreeSet<>(refusals);
    r.add(voter);
    return new VoteTally(config, new TreeSet<>(grants), r);
  }

  public Result result() {
    int q = config.quorumSize();
    if (!config.isEmpty() && grants.size() >= q) {
      return Result.WON;
    }
    if (config.voters().size() - refusals.size() < q) {
      return Result.LOST;
    }
    return Result.PENDING;
  }

  public VoterConfig config() {
    return config;
  }

  /** The voters that granted. */
  public SortedSet<NodeId> grants() {
    return grants;
  }

  /** The voters that refused (and did not grant). */
  public SortedSet<NodeId> refusals() {
    return refusals;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VoteTally t && config.equals(t.config) && grants.equals(t.grants)
        && refusals.equals(t.refusals);
  }

  @Override
  public int hashCode() {
    return Objects.hash(config, grants, refusals);
  }

  @Override
  public String toString() {
    return result() + " granted " + grants + " refused " + refusals + " of " + config;
  }
}
