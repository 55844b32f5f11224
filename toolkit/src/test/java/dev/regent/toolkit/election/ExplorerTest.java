package dev.regent.toolkit.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class ExplorerTest {

  @Test
  void probe() {
    var prop = System.getProperty("regent.explore.probe", "THREE:cold:8");
    for (String spec : prop.split(",")) {
      var p = spec.split(":");
      var o = Explorer.Options.of(Explorer.Scenario.valueOf(p[0]), Integer.parseInt(p[2]));
      o = switch (p[1]) {
        case "LEADER" -> o.from("LEADER", Explorer.LEADER);
        case "SPLIT" -> o.from("SPLIT", Explorer.SPLIT);
        case "RENEWED" -> o.from("RENEWED", Explorer.RENEWED);
        case "QUIET" -> o.from("QUIET", Explorer.QUIET);
        case "QUIET0" -> o.from("QUIET0", Explorer.quiesced(Explorer.QUIET));
        case "RENEWED0" -> o.from("RENEWED0", Explorer.quiesced(Explorer.RENEWED));
        case "LATE_ACK0" -> o.from("LATE_ACK0", Explorer.quiesced(Explorer.LATE_ACK));
        case "DEBUG" -> o.from("DEBUG", Explorer.concat(Explorer.quiesced(Explorer.RENEWED),
            System.getProperty("regent.explore.debug").split(";")));
        default -> o;
      };
      if (p.length > 4) {
        o = o.withTimeoutSpan(Integer.parseInt(p[4]));
      }
      if (p.length > 3 && !p[3].isEmpty()) {
        o = o.withDefects(EnumSet.of(Defect.valueOf(p[3])));
      }
      var r = new Explorer(o).run();
      System.out.println(r.report());
    }
  }
}
