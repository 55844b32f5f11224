package dev.regent.toolkit.internal.sbr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import dev.regent.toolkit.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Fast rejoin on a real 3-node cluster in this JVM: node 2 disappears without a word and a new
 * incarnation starts at its port while the old one is still a member (the resolver's stable-after
 * is far away). Pekko's join retry is off ({@code retry-unsuccessful-join-after = off}), so the new
 * incarnation's first join, which only makes the cluster down the old one, is its last: it becomes
 * a member only through the resolver's hint (and the leader's nudges on the way). With fast rejoin
 * off, the same node stays outside, which shows the test needs the hint to pass. The resolvers'
 * debug log shows the nudges to the cluster core on the way (and none with fast rejoin off).
 */
class FastRejoinClusterTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String CONFIG = String.join("\n",
      "pekko.cluster.retry-unsuccessful-join-after = off",
      "regent.split-brain-resolver.stable-after = 30s");

  private LocalCluster cluster;
  private final ListAppender<ILoggingEvent> resolverLog = new ListAppender<>();
  private final Logger resolverLogger =
      (Logger) LoggerFactory.getLogger(SplitBrainResolverActor.class);
  private Level level;
  private boolean additive;

  @BeforeEach
  void captureResolverLog() {
    level = resolverLogger.getLevel();
    additive = resolverLogger.isAdditive();
    resolverLog.start();
    resolverLogger.addAppender(resolverLog);
    resolverLogger.setLevel(Level.DEBUG);
    resolverLogger.setAdditive(false);
  }

  @AfterEach
  void stop() {
    try {
      if (cluster != null) {
        cluster.close();
        cluster = null;
      }
    } finally {
      resolverLogger.detachAppender(resolverLog);
      resolverLogger.setLevel(level);
      resolverLogger.setAdditive(additive);
      resolverLog.stop();
    }
  }

  private List<String> logged(String text) {
    synchronized (resolverLog) {
      return resolverLog.list.stream().map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains(text)).toList();
    }
  }

  @Test
  void aNewIncarnationAtTheAddressOfAMemberJoinsOnTheHint() {
    cluster = new LocalCluster(3);
    cluster.start(CONFIG);
    UniqueAddress old = Cluster.get(cluster.node(2)).selfUniqueAddress();
    cluster.crash(2, TIMEOUT);
    ActorSystem fresh = cluster.restart(2, CONFIG, 0, 1);
    UniqueAddress now = Cluster.get(fresh).selfUniqueAddress();
    assertEquals(old.address(), now.address());
    assertNotEquals(old.longUid(), now.longUid());
    for (int i = 0; i < 3; i++) {
      int n = i;
      Await.until(TIMEOUT, "node " + n + " sees the new incarnation of node 2 and 3 members Up",
          () -> cluster.upMembers(n) == 3 && cluster.members(n) == 3
              && status(cluster.node(n), now) == MemberStatus.up());
    }
    for (int i = 0; i < 3; i++) {
      assertFalse(cluster.terminated(i), "node " + i + " terminated");
      assertEquals(null, status(cluster.node(i), old), "old incarnation still listed on " + i);
    }
    assertEquals(1, logged("telling its address that a new incarnation may join now").size());
    assertEquals(1, logged("instead of waiting for the join retry").size());
    assertEquals(1, logged("Fast rejoin: gossiping the Down of").size(),
        "the member that refused the new incarnation's join gossips the Down once");
    assertFalse(logged("Fast rejoin: gossip converged, running the leader actions now").isEmpty());
    assertEquals(1, logged("joined on a hint; gossiping that now").size());
  }

  @Test
  void withoutFastRejoinTheNewIncarnationStaysOutside() {
    String off = CONFIG + "\nregent.split-brain-resolver.fast-rejoin = off";
    cluster = new LocalCluster(3);
    cluster.start(off);
    UniqueAddress old = Cluster.get(cluster.node(2)).selfUniqueAddress();
    cluster.crash(2, TIMEOUT);
    ActorSystem fresh = cluster.restart(2, off, 0, 1);
    // Its join makes the cluster down and remove the old incarnation...
    for (int i = 0; i < 2; i++) {
      int n = i;
      Await.until(TIMEOUT, "node " + n + " removed the old incarnation of node 2",
          () -> status(cluster.node(n), old) == null && cluster.members(n) == 2);
    }
    // ...and then nothing brings the new one in (no retry, no hint).
    Await.holds(Duration.ofSeconds(4), "the new incarnation stays outside",
        () -> Cluster.get(fresh).state().getMembers().iterator().hasNext() == false
            && cluster.members(0) == 2 && cluster.members(1) == 2);
    assertTrue(logged("Fast rejoin:").isEmpty(), "nudges with fast-rejoin off");
    assertTrue(logged("telling its address").isEmpty(), "a hint with fast-rejoin off");
  }

  /** The status of incarnation {@code u} in {@code system}'s view, or null if not a member. */
  private static MemberStatus status(ActorSystem system, UniqueAddress u) {
    Iterable<Member> ms = Cluster.get(system).state().getMembers();
    return StreamSupport.stream(ms.spliterator(), false)
        .filter(m -> m.uniqueAddress().equals(u)).map(Member::status).findFirst().orElse(null);
  }
}
