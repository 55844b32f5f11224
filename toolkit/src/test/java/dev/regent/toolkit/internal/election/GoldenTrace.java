package dev.regent.toolkit.internal.election;

import dev.regent.toolkit.leadership.NodeId;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Golden traces (issue 14, item 7): what the election cores of one simulated schedule were fed and
 * what they answered, as a readable text file that replays without the simulator, in the spirit of
 * etcd-raft's {@code testdata/*.txt} with {@code interaction_test.go}.
 *
 * <p>Format, one item per line ({@code #} starts a comment: the seed, the scenario and the violation
 * the schedule produced):
 * <pre>
 * core n1 timings=100000000,700000000,1000000000,500000000,0.1 policy=3,2000000000,1 defects=
 * start n1#1 now=123 seed=-42 hard=term=0 votedFor=- config=0.1[n1#1,n2#1] lineage=77 promiseNanos=0
 * n1 Received now=130 Heartbeat term=1 from=n2#1 lineage=77 sentAt=99 config=1.2[n1#1,n2#1] leaseNanos=500000000
 *   > Send[to=n2, message=HeartbeatAck[...]]
 *   wake 830
 * </pre>
 * Events in ({@code start} and {@code <node> <event>}), effects out ({@code >}: messages sent,
 * state persisted, leadership changes) and the next wake-up. {@link GoldenTraceTest} replays every
 * checked-in file against the current core and compares the outputs line by line.
 */
final class GoldenTrace {

  private GoldenTrace() {}

  // ---- writing --------------------------------------------------------------------------------

  static String coreLine(String node, ElectionCore core, Set<Defect> defects) {
    ElectionTimings t = core.timings();
    ElectionPolicy p = core.policy();
    var names = new ArrayList<String>();
    defects.forEach(d -> names.add(d.name()));
    return "core " + node + " timings=" + t.heartbeatIntervalNanos() + "," + t.electionTimeoutMinNanos()
        + "," + t.electionTimeoutMaxNanos() + "," + t.leaseNanos() + "," + t.maxClockDrift()
        + " policy=" + p.bootstrapExpect() + "," + p.handOverTimeoutNanos() + "," + p.firstTerm()
        + " defects=" + String.join(",", names);
  }

  static String startLine(NodeId self, HardState hard, long now, long seed) {
    return "start " + nodeId(self) + " now=" + now + " seed=" + seed + " hard=" + fields(hard);
  }

  static String eventLine(String node, ElectionEvent e) {
    if (e instanceof ElectionEvent.Received r) {
      return node + " Received now=" + r.now() + " " + r.message().getClass().getSimpleName() + " "
          + fields(r.message());
    }
    return node + " " + e.getClass().getSimpleName() + " " + fields(e);
  }

  static List<String> outputLines(Step step) {
    var out = new ArrayList<String>();
    for (ElectionEffect e : step.effects()) {
      out.add("  > " + e);
    }
    out.add("  wake " + step.wakeAt());
    return out;
  }

  private static String fields(Object r) {
    var sb = new StringBuilder();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      try {
        Object v = c.getAccessor().invoke(r);
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(c.getName()).append('=').append(value(v));
      } catch (ReflectiveOperationException ex) {
        throw new IllegalStateException(ex);
      }
    }
    return sb.toString();
  }

  private static String value(Object v) {
    if (v instanceof NodeId id) {
      return nodeId(id);
    }
    if (v instanceof Optional<?> o) {
      return o.isEmpty() ? "-" : value(o.get());
    }
    if (v instanceof ConfigId c) {
      return c.term() + "." + c.index();
    }
    if (v instanceof VoterConfig c) {
      var parts = new ArrayList<String>();
      c.voters().forEach(n -> parts.add(nodeId(n)));
      return c.id().term() + "." + c.id().index() + "[" + String.join(",", parts) + "]";
    }
    if (v instanceof SortedSet<?> s) {
      var parts = new ArrayList<String>();
      s.forEach(x -> parts.add(String.valueOf(x)));
      return "{" + String.join(",", parts) + "}";
    }
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    return String.valueOf(v);
  }

  private static String nodeId(NodeId id) {
    return id.name() + "#" + id.stateId();
  }

  // ---- reading and replaying ------------------------------------------------------------------

  /** Replays a golden file; returns the mismatches (empty when the core still answers the same). */
  static List<String> replay(List<String> lines) {
    var problems = new ArrayList<String>();
    var cores = new TreeMap<String, ElectionCore>();
    var states = new TreeMap<String, NodeState>();
    List<String> produced = null;
    int producedAt = 0;
    String producedFor = null;
    for (int i = 0; i < lines.size() && problems.size() < 5; i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("  ")) {
        String expected = line;
        if (produced == null || producedAt >= produced.size()) {
          problems.add("line " + (i + 1) + ": expected " + expected.strip() + " but " + producedFor
              + " produced nothing more");
        } else if (!produced.get(producedAt).equals(expected)) {
          problems.add("line " + (i + 1) + ": expected " + expected.strip() + "\n      but got "
              + produced.get(producedAt).strip());
        }
        producedAt++;
        continue;
      }
      if (produced != null && producedAt < produced.size()) {
        problems.add("line " + (i + 1) + ": " + producedFor + " produced more: "
            + produced.get(producedAt).strip());
      }
      String[] parts = line.split(" ", 3);
      Step step;
      if (parts[0].equals("core")) {
        cores.put(parts[1], parseCore(parts[2]));
        produced = null;
        continue;
      } else if (parts[0].equals("start")) {
        NodeId self = parseNodeId(parts[1]);
        Map<String, String> kv = keyValues(parts[2], "hard=");
        HardState hard = (HardState) build(HardState.class, kv.get("hard="));
        step = cores.get(self.name()).start(self, hard, Long.parseLong(kv.get("now")),
            Long.parseLong(kv.get("seed")));
        producedFor = "start of " + self;
        states.put(self.name(), step.state());
      } else {
        String node = parts[0];
        ElectionEvent e = parseEvent(parts[1] + " " + parts[2]);
        step = cores.get(node).step(states.get(node), e);
        states.put(node, step.state());
        producedFor = "line " + (i + 1);
      }
      produced = outputLines(step);
      producedAt = 0;
    }
    return problems;
  }

  private static Map<String, String> keyValues(String text, String restKey) {
    var out = new TreeMap<String, String>();
    int rest = text.indexOf(restKey);
    String head = rest >= 0 ? text.substring(0, rest) : text;
    for (String tok : head.trim().split(" ")) {
      int eq = tok.indexOf('=');
      out.put(tok.substring(0, eq), tok.substring(eq + 1));
    }
    if (rest >= 0) {
      out.put(restKey, text.substring(rest + restKey.length()));
    }
    return out;
  }

  private static ElectionCore parseCore(String text) {
    Map<String, String> kv = keyValues(text, "\u0000");
    String[] t = kv.get("timings").split(",");
    var timings = new ElectionTimings(Long.parseLong(t[0]), Long.parseLong(t[1]),
        Long.parseLong(t[2]), Long.parseLong(t[3]), Double.parseDouble(t[4]));
    String[] p = kv.get("policy").split(",");
    var policy = new ElectionPolicy(Integer.parseInt(p[0]), Long.parseLong(p[1]),
        Long.parseLong(p[2]));
    var defects = EnumSet.noneOf(Defect.class);
    for (String d : kv.getOrDefault("defects", "").split(",")) {
      if (!d.isBlank()) {
        defects.add(Defect.valueOf(d));
      }
    }
    return new ElectionCore(timings, policy, defects);
  }

  static ElectionEvent parseEvent(String text) {
    String[] parts = text.split(" ", 2);
    String type = parts[0];
    if (type.equals("Received")) {
      String[] rest = parts[1].split(" ", 3);
      long now = Long.parseLong(rest[0].substring("now=".length()));
      ElectionMessage m = (ElectionMessage) build(messageClass(rest[1]), rest[2]);
      return new ElectionEvent.Received(now, m);
    }
    for (Class<?> c : ElectionEvent.class.getPermittedSubclasses()) {
      if (c.getSimpleName().equals(type)) {
        return (ElectionEvent) build(c, parts.length > 1 ? parts[1] : "");
      }
    }
    throw new IllegalArgumentException("unknown event " + type);
  }

  private static Class<?> messageClass(String name) {
    for (Class<?> c : ElectionMessage.class.getPermittedSubclasses()) {
      if (c.getSimpleName().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown message " + name);
  }

  private static Object build(Class<?> type, String text) {
    var values = new TreeMap<String, String>();
    for (String tok : text.trim().isEmpty() ? new String[0] : text.trim().split(" ")) {
      int eq = tok.indexOf('=');
      values.put(tok.substring(0, eq), tok.substring(eq + 1));
    }
    RecordComponent[] comps = type.getRecordComponents();
    var types = new Class<?>[comps.length];
    var args = new Object[comps.length];
    for (int i = 0; i < comps.length; i++) {
      types[i] = comps[i].getType();
      String v = values.get(comps[i].getName());
      if (v == null) {
        throw new IllegalArgumentException("missing " + comps[i].getName() + " in " + text);
      }
      args[i] = parseValue(types[i], v);
    }
    try {
      Constructor<?> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (ReflectiveOperationException ex) {
      throw new IllegalArgumentException("cannot build " + type.getSimpleName() + " from " + text,
          ex);
    }
  }

  private static Object parseValue(Class<?> type, String v) {
    if (type == long.class) {
      return Long.parseLong(v);
    }
    if (type == int.class) {
      return Integer.parseInt(v);
    }
    if (type == boolean.class) {
      return Boolean.parseBoolean(v);
    }
    if (type == String.class) {
      return v.substring(1, v.length() - 1);
    }
    if (type == NodeId.class) {
      return parseNodeId(v);
    }
    if (type == Optional.class) {
      return v.equals("-") ? Optional.empty() : Optional.of(parseNodeId(v));
    }
    if (type == ConfigId.class) {
      return parseConfigId(v);
    }
    if (type == VoterConfig.class) {
      int b = v.indexOf('[');
      var voters = new TreeSet<NodeId>();
      String inner = v.substring(b + 1, v.length() - 1);
      if (!inner.isEmpty()) {
        for (String s : inner.split(",")) {
          voters.add(parseNodeId(s));
        }
      }
      return new VoterConfig(parseConfigId(v.substring(0, b)), voters);
    }
    if (type == SortedSet.class) {
      var set = new TreeSet<String>();
      String inner = v.substring(1, v.length() - 1);
      if (!inner.isEmpty()) {
        set.addAll(List.of(inner.split(",")));
      }
      return set;
    }
    throw new IllegalArgumentException("cannot parse " + type + " from " + v);
  }

  private static ConfigId parseConfigId(String v) {
    int dot = v.indexOf('.');
    return new ConfigId(Long.parseLong(v.substring(0, dot)), Long.parseLong(v.substring(dot + 1)));
  }

  private static NodeId parseNodeId(String v) {
    int hash = v.lastIndexOf('#');
    return new NodeId(v.substring(0, hash), Long.parseLong(v.substring(hash + 1)));
  }
}
