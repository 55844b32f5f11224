package dev.regent.toolkit.internal.shell;

import dev.regent.toolkit.internal.config.NodeNames;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * One node's view of its peers, as the election shell needs it: the cluster members (by unique
 * address), their voter names (from their addresses, or learned from hellos when names are
 * configured), the address under which each name is reached, which names are eligible voters, and
 * whether a message's claimed sender is a current member. Plain data: no actor, no I/O, one thread.
 */
final class PeerDirectory {

  /** Why a claimed sender is not accepted. */
  enum Refusal {
    /** The sender address does not parse. */
    MALFORMED_ADDRESS,
    /** Not a member in this view, while this node is not Up or is leaving (its view lags). */
    NOT_A_MEMBER_WHILE_JOINING_OR_LEAVING,
    /** A member's address, but another incarnation (uid) of it. */
    OTHER_INCARNATION,
    /** Not a cluster member. */
    NOT_A_MEMBER
  }

  /** A checked sender: the member, or why it was refused (and the address, when it parsed). */
  record Sender(Optional<Member> member, Optional<Refusal> refusal, Optional<Address> address) {
    static Sender accepted(Member m) {
      return new Sender(Optional.of(m), Optional.empty(), Optional.of(m.address()));
    }

    static Sender refused(Refusal r, Address a) {
      return new Sender(Optional.empty(), Optional.of(r), Optional.ofNullable(a));
    }
  }

  /** What {@link #learn} did with a claimed name. */
  enum Learned { NEW, KNOWN, CONFLICT }

  private final String selfName;
  private final UniqueAddress self;
  private final boolean customNames;
  private final Optional<String> voterRole;

  private final Map<UniqueAddress, Member> members = new HashMap<>();
  /** With configured names only: names learned from peers' hellos and envelopes. */
  private final Map<UniqueAddress, String> learnedNames = new HashMap<>();
  private Map<String, Address> nameToAddress = Map.of();
  private SortedSet<String> eligible = new TreeSet<>();

  /**
   * @param selfName this node's voter name
   * @param self this node's unique address
   * @param voterRole the role a member needs to be eligible, if any
   */
  PeerDirectory(String selfName, UniqueAddress self, Optional<String> voterRole) {
    this.selfName = selfName;
    this.self = self;
    this.customNames = !NodeNames.fromAddress(self.address()).equals(Optional.of(selfName));
    this.voterRole = voterRole;
  }

  /** Whether names are configured (and learned from peers) rather than derived from addresses. */
  boolean customNames() {
    return customNames;
  }

  /** Adds current members (the cluster state at start). */
  void seed(Iterable<Member> current) {
    current.forEach(m -> members.put(m.uniqueAddress(), m));
  }

  /**
   * Applies a membership event. Returns whether this node should tell the member its name (names
   * are configured and the member just became Up).
   */
  boolean apply(ClusterEvent.MemberEvent e) {
    Member m = e.member();
    if (e instanceof ClusterEvent.MemberRemoved) {
      members.remove(m.uniqueAddress());
      learnedNames.remove(m.uniqueAddress());
      return false;
    }
    members.put(m.uniqueAddress(), m);
    return customNames && m.status() == MemberStatus.up() && !m.uniqueAddress().equals(self);
  }

  /** The member that sent a message claiming {@code addressText} and {@code uid}, if current. */
  Sender sender(String addressText, long uid, boolean retiring) {
    Address from;
    try {
      from = AddressFromURIString.parse(addressText);
    } catch (Exception ex) { // MalformedURLException, thrown undeclared by Scala code
      return Sender.refused(Refusal.MALFORMED_ADDRESS, null);
    }
    Member m = members.get(UniqueAddress.apply(from, uid));
    if (m != null) {
      return Sender.accepted(m);
    }
    if (!selfUp() || retiring) {
      return Sender.refused(Refusal.NOT_A_MEMBER_WHILE_JOINING_OR_LEAVING, from);
    }
    boolean otherIncarnation = members.keySet().stream().anyMatch(u -> u.address().equals(from));
    return Sender.refused(otherIncarnation ? Refusal.OTHER_INCARNATION : Refusal.NOT_A_MEMBER,
        from);
  }

  /** Whether this node is an Up member in this view. */
  boolean selfUp() {
    Member m = members.get(self);
    return m != null && m.status() == MemberStatus.up();
  }

  /** The voter name of {@code m}, if known. */
  Optional<String> nameOf(Member m) {
    if (m.uniqueAddress().equals(self)) {
      return Optional.of(selfName);
    }
    if (customNames) {
      return Optional.ofNullable(learnedNames.get(m.uniqueAddress()));
    }
    return NodeNames.fromAddress(m.address());
  }

  /**
   * With configured names: binds member {@code m} to {@code name}, unless the member already has
   * another name or the name is taken.
   */
  Learned learn(Member m, String name) {
    String old = learnedNames.get(m.uniqueAddress());
    if (name.equals(old)) {
      return Learned.KNOWN;
    }
    if (old != null || name.equals(selfName) || nameToAddress.containsKey(name)) {
      return Learned.CONFLICT;
    }
    learnedNames.put(m.uniqueAddress(), name);
    return Learned.NEW;
  }

  /** The name {@code m} had before a conflicting claim (for the log), if any. */
  Optional<String> learnedName(Member m) {
    return Optional.ofNullable(learnedNames.get(m.uniqueAddress()));
  }

  /** Where the member named {@code name} is reached (the Up incarnation when there are two). */
  Optional<Address> addressOf(String name) {
    return Optional.ofNullable(nameToAddress.get(name));
  }

  /**
   * Recomputes names, addresses and the eligible voters (Up members with the voter role, if one is
   * set; not this node while it retires). Returns the eligible names if they changed.
   */
  Optional<SortedSet<String>> refresh(boolean retiring) {
    var addresses = new HashMap<String, Address>();
    var newEligible = new TreeSet<String>();
    for (Member m : members.values()) {
      Optional<String> name = nameOf(m);
      if (name.isEmpty()) {
        continue;
      }
      // Prefer the live incarnation when an old one of the same name is still listed.
      if (!addresses.containsKey(name.get()) || m.status() == MemberStatus.up()) {
        addresses.put(name.get(), m.address());
      }
      if (m.status() == MemberStatus.up()
          && (voterRole.isEmpty() || m.hasRole(voterRole.get()))) {
        newEligible.add(name.get());
      }
    }
    if (retiring) {
      newEligible.remove(selfName);
    }
    nameToAddress = addresses;
    if (newEligible.equals(eligible)) {
      return Optional.empty();
    }
    eligible = newEligible;
    return Optional.of(java.util.Collections.unmodifiableSortedSet(new TreeSet<>(newEligible)));
  }
}
