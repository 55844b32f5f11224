package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.internal.election.ElectionEffect.Campaign;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignCause;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignLost;
import dev.regent.toolkit.internal.election.ElectionEffect.CampaignStarted;
import dev.regent.toolkit.internal.election.ElectionEffect.Elected;
import dev.regent.toolkit.internal.election.ElectionEffect.VoteRefused;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks one step of a core against its campaign announcements (issue 16: the core announces
 * campaigns, the shell only logs and counts them). The campaign a node runs is a function of its
 * state: a {@code PreCandidate} runs the pre-vote for {@code term + 1}, a {@code Candidate} the
 * election of {@code term}, any other role none. Walking the step's effects from the campaign
 * before the step:
 *
 * <ul>
 *   <li>{@code CampaignStarted} opens one; it may replace a running campaign only as the election
 *       that follows a won pre-vote of the same term ({@code PRE_VOTE_WON}), and
 *       {@code PRE_VOTE_WON} needs exactly that;
 *   <li>{@code CampaignLost} and {@code Elected} close the running campaign, which must be the
 *       one they name ({@code Elected}: an election of its term);
 *   <li>{@code VoteRefused} names the running campaign;
 *   <li>after the last effect, the campaign left open is the one the new state runs.
 * </ul>
 *
 * So every campaign the shell counts starts and ends exactly once, and nothing a node does as
 * candidate goes unannounced. A restart (no state before) starts with no campaign.
 */
final class CampaignCheck {

  private CampaignCheck() {}

  /** What a node in {@code s} campaigns for; empty if it does not (or {@code s} is null). */
  static Optional<Running> runningIn(NodeState s) {
    if (s == null) {
      return Optional.empty();
    }
    if (s.role() instanceof Role.PreCandidate) {
      return Optional.of(new Running(Campaign.PRE_VOTE, s.term() + 1));
    }
    if (s.role() instanceof Role.Candidate) {
      return Optional.of(new Running(Campaign.ELECTION, s.term()));
    }
    return Optional.empty();
  }

  /** A running campaign. */
  record Running(Campaign campaign, long term) {
    @Override
    public String toString() {
      return campaign + " of term " + term;
    }
  }

  /**
   * The breaches of the rules above in {@code step}, taken from {@code before} (null for a start
   * or restart); empty if there are none.
   */
  static List<String> check(NodeState before, Step step) {
    var problems = new ArrayList<String>();
    Optional<Running> open = runningIn(before);
    for (ElectionEffect e : step.effects()) {
      if (e instanceof CampaignStarted c) {
        var next = new Running(c.campaign(), c.term());
        boolean afterPreVote = c.cause() == CampaignCause.PRE_VOTE_WON;
        boolean followsItsPreVote = open.equals(Optional.of(
            new Running(Campaign.PRE_VOTE, c.term()))) && c.campaign() == Campaign.ELECTION;
        if (afterPreVote != followsItsPreVote || (open.isPresent() && !followsItsPreVote)) {
          problems.add(c + " while running " + open.map(Running::toString).orElse("nothing"));
        }
        open = Optional.of(next);
      } else if (e instanceof CampaignLost l) {
        if (!open.equals(Optional.of(new Running(l.campaign(), l.term())))) {
          problems.add(l + " while running " + open.map(Running::toString).orElse("nothing"));
        }
        open = Optional.empty();
      } else if (e instanceof Elected el) {
        if (!open.equals(Optional.of(new Running(Campaign.ELECTION, el.term())))) {
          problems.add(el + " while running " + open.map(Running::toString).orElse("nothing"));
        }
        open = Optional.empty();
      } else if (e instanceof VoteRefused v) {
        if (!open.equals(Optional.of(new Running(v.campaign(), v.term())))) {
          problems.add(v + " while running " + open.map(Running::toString).orElse("nothing"));
        }
      }
    }
    Optional<Running> after = runningIn(step.state());
    if (!open.equals(after)) {
      problems.add("the announcements leave " + open.map(Running::toString).orElse("no campaign")
          + " running, but the node's state runs " + after.map(Running::toString)
              .orElse("none") + " (" + step.state().role().getClass().getSimpleName() + ", term "
          + step.state().term() + ")");
    }
    return problems;
  }
}
