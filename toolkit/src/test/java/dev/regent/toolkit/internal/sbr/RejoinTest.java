package dev.regent.toolkit.internal.sbr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.OptionalLong;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.Test;

/**
 * The fast-rejoin rules ({@link Rejoin}) as tables: when the leader hints the address of a removed
 * incarnation, and what a node does with a hint; and the hint's wire form.
 */
class RejoinTest {

  private static final Node LEADER = new Node("10.0.0.1", 7355, 1);
  private static final Node B = new Node("10.0.0.2", 7355, 2);
  private static final Node OLD_C = new Node("10.0.0.3", 7355, 3);
  private static final Node NEW_C = new Node("10.0.0.3", 7355, 33);
  private static final long S = 1_000_000_000L;

  private record After(String why, Node removed, MemberStatus previous, boolean terminated,
      Node self, boolean responsible, List<Node> members, boolean hint) {}

  @Test
  void theLeaderHintsTheAddressOfARemovedTerminatedIncarnation() {
    List<Node> rest = List.of(LEADER, B);
    List<After> table = List.of(
        new After("old incarnation downed on the new one's join, removed", OLD_C,
            MemberStatus.DOWN, true, LEADER, true, rest, true),
        new After("not the leader", OLD_C, MemberStatus.DOWN, true, B, false, rest, false),
        new After("a leader that is not responsible (not Up yet)", OLD_C, MemberStatus.DOWN, true,
            LEADER, false, rest, false),
        new After("only unreachable (a crash nobody restarted): no hint to a dead port", OLD_C,
            MemberStatus.DOWN, false, LEADER, true, rest, false),
        new After("left gracefully (Exiting -> Removed)", OLD_C, MemberStatus.EXITING, true,
            LEADER, true, rest, false),
        new After("a member at that address already", OLD_C, MemberStatus.DOWN, true, LEADER,
            true, List.of(LEADER, B, NEW_C), false),
        new After("an incarnation at the leader's own address", new Node("10.0.0.1", 7355, 9),
            MemberStatus.DOWN, true, LEADER, true, rest, false));
    for (After a : table) {
      assertEquals(a.hint(), Rejoin.hintAfterRemoval(a.removed(), a.previous(), a.terminated(),
          a.self(), a.responsible(), a.members()), a.why());
    }
  }

  private record OnHint(String why, RejoinHint hint, Node self, boolean member, boolean seeds,
      long now, OptionalLong last, Rejoin.Action action) {}

  @Test
  void aNewIncarnationThatIsNotAMemberJoinsOnAHint() {
    RejoinHint aboutOldC = RejoinHint.about(OLD_C);
    OptionalLong never = OptionalLong.empty();
    List<OnHint> table = List.of(
        new OnHint("new incarnation, joining by seeds", aboutOldC, NEW_C, false, true, 10 * S,
            never, Rejoin.Action.REJOIN),
        new OnHint("the removed incarnation itself", aboutOldC, OLD_C, false, true, 10 * S,
            never, Rejoin.Action.OWN_INCARNATION),
        new OnHint("another address", aboutOldC, B, false, true, 10 * S, never,
            Rejoin.Action.OTHER_ADDRESS),
        new OnHint("already a member", aboutOldC, NEW_C, true, true, 10 * S, never,
            Rejoin.Action.MEMBER),
        new OnHint("no seed nodes: joined by its owner", aboutOldC, NEW_C, false, false, 10 * S,
            never, Rejoin.Action.NO_SEEDS),
        new OnHint("a second hint 1 s after the first", aboutOldC, NEW_C, false, true, 10 * S,
            OptionalLong.of(9 * S), Rejoin.Action.RECENT),
        new OnHint("a hint 3 s after the last", aboutOldC, NEW_C, false, true, 12 * S,
            OptionalLong.of(9 * S), Rejoin.Action.REJOIN),
        new OnHint("monotonic clock negative", aboutOldC, NEW_C, false, true, -5 * S,
            OptionalLong.of(-6 * S), Rejoin.Action.RECENT));
    for (OnHint h : table) {
      assertEquals(h.action(), Rejoin.onHint(h.hint(), h.self(), h.member(), h.seeds(), h.now(),
          h.last()), h.why());
    }
  }

  @Test
  void onlyTheMemberThatRecordedTheNewIncarnationGossipsTheDownAtOnce() {
    assertTrue(Rejoin.gossipAfterDown(OLD_C, true, LEADER),
        "the member whose core refused the new incarnation's join and downed the old one");
    assertFalse(Rejoin.gossipAfterDown(OLD_C, false, LEADER),
        "a Down it did not record Terminated (a resolver's decision, another member's record)");
    assertFalse(Rejoin.gossipAfterDown(new Node("10.0.0.1", 7355, 9), true, LEADER),
        "about its own address");
  }

  @Test
  void theLeaderGossipsTheJoinOfAnAddressItHinted() {
    List<String> hinted = List.of("10.0.0.3:7355");
    assertTrue(Rejoin.gossipOnHintedJoin(true, NEW_C, hinted));
    assertFalse(Rejoin.gossipOnHintedJoin(false, NEW_C, hinted), "not the leader");
    assertFalse(Rejoin.gossipOnHintedJoin(true, new Node("10.0.0.4", 7355, 4), hinted),
        "a plain join of an address it did not hint");
    assertFalse(Rejoin.gossipOnHintedJoin(true, new Node("10.0.0.3", 7356, 4), hinted),
        "another port on that host");
  }

  private record Actions(String why, boolean leader, boolean convergence, boolean oldDown,
      boolean hintedJoining, boolean now) {}

  @Test
  void theLeaderRunsItsLeaderActionsAtOnceOnlyOnConvergenceAndOnlyForARejoin() {
    List<Actions> table = List.of(
        new Actions("old incarnation waits for removal", true, true, true, false, true),
        new Actions("hinted new incarnation waits for Up", true, true, false, true, true),
        new Actions("both", true, true, true, true, true),
        new Actions("not converged: the core would only count a tick without acting", true, false,
            true, true, false),
        new Actions("not the leader", false, true, true, true, false),
        new Actions("nothing of a rejoin pending (a plain join, a resolver's Down)", true, true,
            false, false, false));
    for (Actions a : table) {
      assertEquals(a.now(), Rejoin.leaderActionsNow(a.leader(), a.convergence(), a.oldDown(),
          a.hintedJoining()), a.why());
    }
  }

  @Test
  void theHintTravelsAsJacksonCbor() {
    ActorSystem system = ActorSystem.create("rejoin", ConfigFactory.parseString(
        "pekko.actor.allow-java-serialization = off"));
    try {
      var serialization = SerializationExtension.get(system);
      RejoinHint hint = RejoinHint.about(OLD_C);
      var serializer = serialization.findSerializerFor(hint);
      assertInstanceOf(JacksonCborSerializer.class, serializer);
      byte[] bytes = serializer.toBinary(hint);
      assertEquals(hint, serialization.deserialize(bytes, serializer.identifier(),
          Serializers.manifestFor(serializer, hint)).get());
      // a hint from a node of a version before the package layout carries the former class name
      assertEquals(hint, serialization.deserialize(bytes, serializer.identifier(),
          "dev.regent.toolkit.sbr.RejoinHint").get());
    } finally {
      system.terminate();
    }
  }
}
