package dev.regent.toolkit.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.RegentElection;
import dev.regent.toolkit.internal.config.NodeNames;
import dev.regent.toolkit.internal.election.ConfigId;
import dev.regent.toolkit.internal.election.ElectionMessage.Heartbeat;
import dev.regent.toolkit.internal.election.ElectionMessage.VoteRequest;
import dev.regent.toolkit.internal.election.ElectionMessage;
import dev.regent.toolkit.internal.election.HardState;
import dev.regent.toolkit.internal.election.VoterConfig;
import dev.regent.toolkit.internal.state.DurableStateStore;
import dev.regent.toolkit.internal.wire.ElectionEnvelope;
import dev.regent.toolkit.internal.wire.ElectionProtocol;
import dev.regent.toolkit.internal.wire.PeerEnvelope;
import dev.regent.toolkit.leadership.Leadership;
import dev.regent.toolkit.leadership.LeadershipEvent.SteppedDown;
import dev.regent.toolkit.leadership.LeadershipEvent;
import dev.regent.toolkit.leadership.NodeId;
import dev.regent.toolkit.testkit.Await;
import dev.regent.toolkit.testkit.Ports;
import dev.regent.toolkit.testkit.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The election actor's shell duties: supervision, bad input, durable votes, hand-over. */
class ElectionActorTest {

  private static final Duration ELECT = Duration.ofSeconds(20);

  @TempDir
  Path stateRoot;

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ElectionRuntime rt(ActorSystem<?> s) {
    return ElectionRuntime.get(s);
  }

  /**
   * A real failure: the leader's state store cannot write (a directory stands where its temporary
   * state file goes, which fails even for root), and the next write is the leader's own, when a
   * fourth node joins and the leader adds it to the configuration. The restarted actor's store
   * removes the leftover (an empty directory) and opens again.
   */
  @Test
  void aCrashedLeaderStepsDownAtOnceAndALeaderIsElectedAgain() throws Exception {
    cluster = new TestCluster(stateRoot);
    List<ActorSystem<Void>> nodes = cluster.form(3);
    ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
    long term = TestCluster.view(leader).term();
    TestProbe<LeadershipEvent> probe = TestProbe.create(leader);
    RegentElection.get(leader).subscribe(probe.ref());
    // Current state first: the known leader (itself), then its lease.
    var known = probe.expectMessageClass(LeadershipEvent.LeaderKnown.class);
    assertEquals(RegentElection.get(leader).selfId(), known.leader());
    probe.expectMessageClass(LeadershipEvent.BecameLeader.class);

    Path nodeDir =
        stateRoot.resolve(NodeNames.sanitise(RegentElection.get(leader).selfId().name()));
    Files.createDirectory(nodeDir.resolve(DurableStateStore.STATE_FILE + ".tmp"));
    // The leader's next step persists a configuration with the new node, and fails.
    ActorSystem<Void> fourth = cluster.startNode();
    var fished = probe.fishForMessage(Duration.ofSeconds(5), e -> e instanceof SteppedDown
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    var down = (SteppedDown) fished.get(fished.size() - 1);
    assertEquals(new SteppedDown(term, LeadershipEvent.Reason.RESTARTED), down);
    assertFalse(TestCluster.view(leader).isLeader(), "no lease survives a restart");
    assertFalse(TestCluster.view(leader).holdsLease());
    assertEquals(1, rt(leader).restartCount());

    // Any node may lead next, the new one included: a node that holds the configuration may
    // campaign without being one of its voters (it failed once when only the first three were
    // awaited and the fourth had won).
    var all = new java.util.ArrayList<>(nodes);
    all.add(fourth);
    ActorSystem<Void> next = TestCluster.awaitLeader(all, term, ELECT);
    assertTrue(TestCluster.view(next).term() > term);
  }

  /**
   * The whole cluster is Up before any election starts (as when nodes start together and the
   * singleton is initialised after the join): no node is ever the sole member. The explicit
   * bootstrap (no seed nodes configured here, so {@code bootstrap.expect} is 1) lets the smallest
   * name found the cluster once every other eligible member answered its probe without state;
   * no Pekko membership detail (upNumber) is involved any more.
   */
  @Test
  void electionsStartedAfterTheClusterFormedStillElectALeader() {
    cluster = new TestCluster(stateRoot);
    List<ActorSystem<Void>> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ActorSystem<Void> s = cluster.startSystem(0, "");
      var seed = nodes.isEmpty() ? Cluster.get(s).selfMember().address()
          : TestCluster.addressOf(nodes.get(0));
      Cluster.get(s).manager().tell(org.apache.pekko.cluster.typed.Join.create(seed));
      nodes.add(s);
    }
    cluster.awaitAllUp(ELECT);
    // Started last-joined first, so the founder's election is the last to see the membership.
    for (int i = nodes.size() - 1; i >= 0; i--) {
      RegentElection.get(nodes.get(i));
    }
    ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
    assertTrue(TestCluster.view(leader).holdsLease());
    cluster.awaitVoters(ELECT);
  }

  @Test
  void badInputIsDroppedAndChangesNothing() throws Exception {
    cluster = new TestCluster(stateRoot);
    List<ActorSystem<Void>> nodes = cluster.form(3);
    ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
    Leadership before = TestCluster.view(leader);
    long term = before.term();
    ActorSystem<Void> follower = nodes.stream().filter(s -> s != leader).findFirst().get();
    NodeId leaderId = RegentElection.get(leader).selfId();
    NodeId followerId = RegentElection.get(follower).selfId();
    TestProbe<LeadershipEvent> leaderEvents = TestProbe.create(leader);
    RegentElection.get(leader).subscribe(leaderEvents.ref());
    TestProbe<LeadershipEvent> followerEvents = TestProbe.create(follower);
    RegentElection.get(follower).subscribe(followerEvents.ref());
    leaderEvents.expectMessageClass(LeadershipEvent.LeaderKnown.class);
    leaderEvents.expectMessageClass(LeadershipEvent.BecameLeader.class);
    followerEvents.expectMessageClass(LeadershipEvent.LeaderKnown.class);

    // An outsider: an actor system that is not a member of the cluster.
    ActorSystem<Void> outsider = cluster.startSystem(0, "");
    var outsiderAddress = Cluster.get(outsider).selfMember().uniqueAddress();
    String target = TestCluster.addressOf(follower) + ElectionRuntime.ACTOR_PATH;
    ActorRef<Object> toFollower = ActorRefResolver.get(outsider).resolveActorRef(target);
    String leaderAddress = TestCluster.addressOf(leader).toString();
    long leaderUid = Cluster.get(leader).selfMember().uniqueAddress().longUid();
    var config = VoterConfig.of(new ConfigId(term + 50, 1), List.of(leaderId, followerId));
    // Messages that would depose the leader if they were believed.
    long lineage = before.lineage();
    ElectionMessage coup = new VoteRequest(term + 50, new NodeId("intruder", 1), lineage,
        new ConfigId(term + 50, 9), Optional.empty());
    ElectionMessage fakeLeader = new Heartbeat(term + 50, leaderId, lineage, 1, config,
        TimeUnit.MILLISECONDS.toNanos(500));

    long dropped = rt(follower).droppedCount();
    var bad = new ArrayList<Object>();
    // not a member
    bad.add(new PeerEnvelope(outsiderAddress.address().toString(), outsiderAddress.longUid(),
        new ElectionEnvelope(followerId.name(), coup)));
    // a member's address, another incarnation (uid)
    bad.add(new PeerEnvelope(leaderAddress, leaderUid + 1,
        new ElectionEnvelope(followerId.name(), fakeLeader)));
    // malformed sender address
    bad.add(new PeerEnvelope("not an address", 1, new ElectionEnvelope(followerId.name(), coup)));
    // meant for another node
    bad.add(new PeerEnvelope(leaderAddress, leaderUid,
        new ElectionEnvelope("someone-else", fakeLeader)));
    // the sender name does not belong to the sending member
    bad.add(new PeerEnvelope(leaderAddress, leaderUid,
        new ElectionEnvelope(followerId.name(), coup)));
    // no sender identity at all
    bad.add(new ElectionEnvelope(followerId.name(), coup));
    // A payload outside the actor's protocol: Pekko reports it as unhandled (a dead-letter log
    // line); it never reaches the actor's code, so it is not counted, and it must not crash it.
    toFollower.tell("junk");
    bad.forEach(toFollower::tell);
    Await.until(Duration.ofSeconds(15), () -> "all " + bad.size() + " dropped, "
        + (rt(follower).droppedCount() - dropped) + " so far",
        () -> rt(follower).droppedCount() - dropped >= bad.size());

    // A stale term from the real leader's address: the core answers it; nothing changes.
    ActorRef<Object> fromLeader = ActorRefResolver.get(leader).resolveActorRef(target);
    long received = rt(follower).receivedCount();
    fromLeader.tell(new PeerEnvelope(leaderAddress, leaderUid, new ElectionEnvelope(
        followerId.name(), new VoteRequest(term - 1, leaderId, lineage, ConfigId.NONE,
        Optional.empty()))));
    Await.until(Duration.ofSeconds(10), "the stale message reached the core",
        () -> rt(follower).receivedCount() > received);

    followerEvents.expectNoMessage(Duration.ofMillis(300));
    List<LeadershipEvent> leaderSaw = drain(leaderEvents, Duration.ofMillis(300));
    assertTrue(leaderSaw.stream().allMatch(e -> e instanceof LeadershipEvent.LeaseRenewed),
        () -> "the leader only renews its lease: " + leaderSaw);
    assertEquals(0, rt(follower).restartCount());
    assertEquals(term, TestCluster.view(follower).term());
    assertEquals(Optional.of(leaderId), TestCluster.view(follower).leader());
    assertTrue(TestCluster.view(leader).holdsLease());
    assertEquals(term, TestCluster.view(leader).term());
  }

  /**
   * The vote is durable: a restarted node refuses a second vote in the term it voted in. The
   * request is a real {@link PeerEnvelope} from a real member ({@code peer}, which runs no
   * election); the restarted node takes no part in elections itself (it lacks the voter role), so
   * its term stays put, and the vote it stores is what the test reads.
   */
  @Test
  void aRestartedNodeKeepsItsTermAndDoesNotVoteTwice() throws Exception {
    cluster = new TestCluster(stateRoot);
    int port = Ports.freePort();
    ActorSystem<Void> node = cluster.startNode(port, "");
    TestCluster.awaitLeader(List.of(node), -1, ELECT); // alone: it votes for itself
    HardState voted = rt(node).lastState().orElseThrow().hard();
    NodeId self = RegentElection.get(node).selfId();
    assertEquals(Optional.of(self), voted.votedFor());
    long term = voted.term();

    cluster.terminate(node);
    // Same port, same state directory; without the voter role it cannot campaign and change
    // its term.
    ActorSystem<Void> again = cluster.startSystem(port, "regent.election.voter-role = voter");
    assertEquals(self, RegentElection.get(again).selfId(), "same identity");
    assertEquals(term, RegentElection.get(again).current().term(), "same term");
    Cluster.get(again).manager().tell(Join.create(TestCluster.addressOf(again)));
    ActorSystem<Void> peer = cluster.startSystem(0, "");
    Cluster.get(peer).manager().tell(Join.create(TestCluster.addressOf(again)));
    cluster.awaitAllUp(ELECT);

    // After a restart a node votes for no one during its grace; wait it out (bounded), so the
    // refusal below is the durable vote's.
    Await.until(Duration.ofSeconds(10), "the restart grace is over",
        () -> rt(again).lastState().map(st -> st.graceUntil() - System.nanoTime() < 0)
            .orElse(false));
    NodeId other =
        new NodeId(NodeNames.fromAddress(TestCluster.addressOf(peer)).orElseThrow(), 42);
    long lineage = voted.lineage();
    var request = new VoteRequest(term, other, lineage, new ConfigId(term + 100, 100),
        Optional.empty());
    deliver(peer, again, request);
    assertEquals(Optional.of(self), rt(again).lastState().orElseThrow().hard().votedFor(),
        "voted twice in one term");
    assertEquals(term, rt(again).lastState().orElseThrow().term());

    // The same candidate in the next term is granted: the refusal above is the stored vote's.
    var next = new VoteRequest(term + 1, other, lineage, new ConfigId(term + 100, 100),
        Optional.empty());
    deliver(peer, again, next);
    assertEquals(Optional.of(other), rt(again).lastState().orElseThrow().hard().votedFor());
    assertEquals(term + 1, rt(again).lastState().orElseThrow().term());
  }

  /**
   * Sends {@code message} from member {@code from} to the election actor of {@code to}, as a peer
   * would, and waits until {@code to}'s core has taken it.
   */
  private static void deliver(ActorSystem<?> from, ActorSystem<?> to, ElectionMessage message) {
    long before = rt(to).receivedCount(message.getClass());
    var self = Cluster.get(from).selfMember().uniqueAddress();
    ActorRef<ElectionProtocol> ref = ActorRefResolver.get(from)
        .resolveActorRef(TestCluster.addressOf(to) + ElectionRuntime.ACTOR_PATH);
    ref.tell(new PeerEnvelope(self.address().toString(), self.longUid(),
        new ElectionEnvelope(RegentElection.get(to).selfId().name(), message)));
    Await.until(Duration.ofSeconds(10), "the core took " + message,
        () -> rt(to).receivedCount(message.getClass()) > before);
  }

  /** Every message {@code probe} receives within {@code window}. */
  private static <T> List<T> drain(TestProbe<T> probe, Duration window) {
    var out = new ArrayList<T>();
    long end = System.nanoTime() + window.toNanos();
    for (long left = window.toNanos(); left > 0; left = end - System.nanoTime()) {
      try {
        out.add(probe.receiveMessage(Duration.ofNanos(left)));
      } catch (AssertionError timeout) {
        break;
      }
    }
    return out;
  }

  @Test
  void transferHandsOverAtOnce() throws Exception {
    cluster = new TestCluster(stateRoot);
    List<ActorSystem<Void>> nodes = cluster.form(3);
    ActorSystem<Void> leader = TestCluster.awaitLeader(nodes, -1, ELECT);
    long term = TestCluster.view(leader).term();
    TestProbe<LeadershipEvent> probe = TestProbe.create(leader);
    RegentElection.get(leader).subscribe(probe.ref());
    probe.expectMessageClass(LeadershipEvent.LeaderKnown.class);
    probe.expectMessageClass(LeadershipEvent.BecameLeader.class);

    long t0 = System.nanoTime();
    RegentElection.get(leader).transferLeadership(Duration.ofSeconds(5))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertFalse(TestCluster.view(leader).isLeader());
    var fished = probe.fishForMessage(Duration.ofSeconds(5), e -> e instanceof SteppedDown
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    assertEquals(new SteppedDown(term, LeadershipEvent.Reason.TRANSFER),
        fished.get(fished.size() - 1));
    ActorSystem<Void> next = TestCluster.awaitLeader(nodes, term, ELECT);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertInstanceOf(Leadership.class, TestCluster.view(next));
    System.out.println("transferLeadership: new leader with a lease after " + millis + " ms");
    // Not leader: completes at once.
    RegentElection.get(leader).transferLeadership(Duration.ofMillis(1))
        .toCompletableFuture().get(1, TimeUnit.SECONDS);
  }
}
