package dev.regent.toolkit.internal.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.regent.toolkit.leadership.NodeId;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConfigStep} against the table in src/test/resources/quorum/config_step.txt. The leader's
 * view ({@link View}) is written the same way in transfer_target.txt ({@link TransferTargetTest}).
 */
class ConfigStepTest {

  static final ConfigId CURRENT = new ConfigId(2, 3);
  static final ConfigId OLD = new ConfigId(2, 2);

  /** A leader's view as a table row gives it. */
  record View(NodeId self, VoterConfig config, TreeMap<String, NodeId> latestIds,
      java.util.SortedSet<String> eligible, TreeMap<NodeId, ConfigId> ackedConfig,
      TreeMap<NodeId, Long> ackedSentAt) {

    static View of(QuorumTable.Row row) {
      var self = QuorumTable.id(row.get("self"));
      var config = VoterConfig.of(CURRENT, QuorumTable.ids(row.get("voters")));
      var ackedConfig = new TreeMap<NodeId, ConfigId>();
      var ackedSentAt = new TreeMap<NodeId, Long>();
      for (String item : QuorumTable.items(row.get("acked"))) {
        // b:cur or b:cur@10
        String[] idRest = item.split(":");
        String[] cfgAt = idRest[1].split("@");
        var id = QuorumTable.id(idRest[0]);
        ackedConfig.put(id, switch (cfgAt[0]) {
          case "cur" -> CURRENT;
          case "old" -> OLD;
          default -> throw new IllegalArgumentException(row + ": configuration " + cfgAt[0]);
        });
        ackedSentAt.put(id, cfgAt.length > 1 ? Long.parseLong(cfgAt[1]) : 0L);
      }
      var latest = new TreeMap<String, NodeId>();
      config.voters().forEach(v -> latest.put(v.name(), v));
      ackedConfig.keySet().forEach(v -> latest.put(v.name(), v));
      QuorumTable.ids(row.get("heard", "{}")).forEach(v -> latest.put(v.name(), v));
      latest.put(self.name(), self);
      var names = new java.util.TreeSet<String>();
      config.voters().forEach(v -> names.add(v.name()));
      var eligible = QuorumTable.names(row.get("eligible", "{" + String.join(",", names) + "}"));
      return new View(self, config, latest, eligible, ackedConfig, ackedSentAt);
    }
  }

  static List<QuorumTable.Row> steps() {
    return QuorumTable.rows("config_step.txt");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("steps")
  void configStep(QuorumTable.Row row) {
    var v = View.of(row);
    var step = new ConfigStep(v.self(), v.config(), v.eligible(), v.latestIds(),
        v.ackedConfig().keySet(), v.ackedConfig());
    var next = switch (row.get("mode", "one")) {
      case "one" -> step.next();
      case "all" -> step.nextAllAtOnce();
      default -> throw new IllegalArgumentException(row + ": mode");
    };
    assertEquals(row.expected(), next.map(QuorumTable::format).orElse("none"), row::toString);
  }

  @Test
  void tablesAreNotEmpty() {
    assertFalse(steps().isEmpty());
  }
}
