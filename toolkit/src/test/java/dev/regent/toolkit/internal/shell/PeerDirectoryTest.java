package dev.regent.toolkit.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.regent.toolkit.internal.shell.PeerDirectory.Learned;
import dev.regent.toolkit.internal.shell.PeerDirectory.Refusal;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member$;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.util.Version;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/** The election shell's view of its peers, without actors or a cluster. */
class PeerDirectoryTest {

  private static UniqueAddress unique(int port, long uid) {
    return UniqueAddress.apply(new Address("pekko", "regent", "127.0.0.1", port), uid);
  }

  private static Member member(UniqueAddress u, MemberStatus status, String... roles) {
    var all = new java.util.HashSet<>(List.of(roles));
    all.add("dc-default");
    scala.collection.immutable.Set<String> scalaRoles = CollectionConverters.asScala(all).toSet();
    // Member.apply is package-private in Scala, public in bytecode, reached through the companion.
    Member joining = Member$.MODULE$.apply(u, scalaRoles, Version.Zero());
    if (status == MemberStatus.joining()) {
      return joining;
    }
    Member up = joining.copyUp(1);
    return status == MemberStatus.up() ? up : up.copy(status);
  }

  private static SortedSet<String> names(String... names) {
    return new TreeSet<>(Set.of(names));
  }

  private final UniqueAddress self = unique(2551, 1);
  private final UniqueAddress peer = unique(2552, 2);

  @Test
  void namesComeFromAddressesAndEligibleAreTheUpMembers() {
    var d = new PeerDirectory("127.0.0.1-2551", self, Optional.empty());
    assertFalse(d.customNames());
    d.seed(List.of(member(self, MemberStatus.up()), member(peer, MemberStatus.joining())));
    assertEquals(Optional.of(names("127.0.0.1-2551")), d.refresh(false));
    assertEquals(Optional.empty(), d.refresh(false), "reported once per change");

    assertFalse(d.apply(new ClusterEvent.MemberUp(member(peer, MemberStatus.up()))));
    assertEquals(Optional.of(names("127.0.0.1-2551", "127.0.0.1-2552")), d.refresh(false));
    assertEquals(Optional.of(peer.address()), d.addressOf("127.0.0.1-2552"));
    assertEquals(Optional.of(names("127.0.0.1-2552")), d.refresh(true), "retiring: not self");

    d.apply(new ClusterEvent.MemberRemoved(member(peer, MemberStatus.removed()),
        MemberStatus.down()));
    assertEquals(Optional.of(names()), d.refresh(true));
    assertEquals(Optional.empty(), d.addressOf("127.0.0.1-2552"));
  }

  @Test
  void theVoterRoleLimitsEligibility() {
    var d = new PeerDirectory("127.0.0.1-2551", self, Optional.of("voter"));
    d.seed(List.of(member(self, MemberStatus.up(), "voter"), member(peer, MemberStatus.up())));
    assertEquals(Optional.of(names("127.0.0.1-2551")), d.refresh(false));
    assertEquals(Optional.of(peer.address()), d.addressOf("127.0.0.1-2552"), "still reachable");
  }

  @Test
  void sendersMustBeCurrentMembersOfThisIncarnation() {
    var d = new PeerDirectory("127.0.0.1-2551", self, Optional.empty());
    d.seed(List.of(member(self, MemberStatus.up()), member(peer, MemberStatus.up())));
    d.refresh(false);
    String peerAddress = peer.address().toString();

    assertEquals(Optional.of(peer), d.sender(peerAddress, 2, false).member()
        .map(Member::uniqueAddress));
    assertEquals(Optional.of(Refusal.OTHER_INCARNATION),
        d.sender(peerAddress, 3, false).refusal());
    assertEquals(Optional.of(Refusal.NOT_A_MEMBER),
        d.sender(unique(2553, 4).address().toString(), 4, false).refusal());
    assertEquals(Optional.of(Refusal.MALFORMED_ADDRESS), d.sender("not an address", 1, false)
        .refusal());
    assertEquals(Optional.of(Refusal.NOT_A_MEMBER_WHILE_JOINING_OR_LEAVING),
        d.sender(peerAddress, 3, true).refusal(), "leaving: the view is torn down");
  }

  @Test
  void aJoiningNodeRefusesStrangersQuietly() {
    var d = new PeerDirectory("127.0.0.1-2551", self, Optional.empty());
    d.seed(List.of(member(self, MemberStatus.joining())));
    assertFalse(d.selfUp());
    assertEquals(Optional.of(Refusal.NOT_A_MEMBER_WHILE_JOINING_OR_LEAVING),
        d.sender(peer.address().toString(), 2, false).refusal());
  }

  @Test
  void configuredNamesAreLearnedOnceAndNeverTwice() {
    var d = new PeerDirectory("alpha", self, Optional.empty());
    assertTrue(d.customNames());
    Member p = member(peer, MemberStatus.up());
    Member other = member(unique(2553, 3), MemberStatus.up());
    d.seed(List.of(member(self, MemberStatus.up())));
    assertTrue(d.apply(new ClusterEvent.MemberUp(p)), "say hello to a new Up member");
    d.apply(new ClusterEvent.MemberUp(other));
    assertEquals(Optional.of(names("alpha")), d.refresh(false), "unnamed members do not vote");

    assertEquals(Learned.NEW, d.learn(p, "beta"));
    assertEquals(Optional.of(names("alpha", "beta")), d.refresh(false));
    assertEquals(Learned.KNOWN, d.learn(p, "beta"));
    assertEquals(Learned.CONFLICT, d.learn(p, "gamma"), "a member keeps its first name");
    assertEquals(Learned.CONFLICT, d.learn(other, "beta"), "a name has one member");
    assertEquals(Learned.CONFLICT, d.learn(other, "alpha"), "nobody takes this node's name");
    assertEquals(Optional.of("beta"), d.nameOf(p));
    assertEquals(Optional.empty(), d.nameOf(other));
  }
}
