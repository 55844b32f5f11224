package dev.regent.toolkit.internal.status;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.regent.toolkit.config.InvalidSettingsException.Problem;
import dev.regent.toolkit.config.InvalidSettingsException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code regent.status}: the HTTP status endpoint's settings, validated.
 *
 * @param enabled whether to start the endpoint
 * @param host the address to bind
 * @param port the port (0 = any free port)
 * @param allowNonLoopback whether a non-loopback {@code host} is accepted
 */
public record StatusSettings(boolean enabled, InetAddress host, int port,
    boolean allowNonLoopback) {

  public static final String PATH = "regent.status";

  /** Reads and checks {@code regent.status} of {@code config}. */
  public static StatusSettings create(Config config) {
    var problems = new ArrayList<Problem>();
    boolean enabled = false;
    boolean allow = false;
    int port = 0;
    String hostName = "127.0.0.1";
    try {
      enabled = config.getBoolean(PATH + ".enabled");
    } catch (ConfigException e) {
      problems.add(new Problem(List.of(PATH + ".enabled"), "must be on or off: " + e.getMessage()));
    }
    try {
      allow = config.getBoolean(PATH + ".allow-non-loopback");
    } catch (ConfigException e) {
      problems.add(new Problem(List.of(PATH + ".allow-non-loopback"),
          "must be on or off: " + e.getMessage()));
    }
    try {
      port = config.getInt(PATH + ".port");
      if (port < 0 || port > 65535) {
        problems.add(new Problem(List.of(PATH + ".port"), "must be in [0, 65535], is " + port));
      }
    } catch (ConfigException e) {
      problems.add(new Problem(List.of(PATH + ".port"), "must be a port number: "
          + e.getMessage()));
    }
    InetAddress host = null;
    try {
      hostName = config.getString(PATH + ".host");
      host = InetAddress.getByName(hostName);
    } catch (ConfigException e) {
      problems.add(new Problem(List.of(PATH + ".host"), "must be a host name or address: "
          + e.getMessage()));
    } catch (UnknownHostException e) {
      problems.add(new Problem(List.of(PATH + ".host"), "cannot resolve '" + hostName + "'"));
    }
    if (enabled && host != null && !host.isLoopbackAddress() && !allow) {
      problems.add(new Problem(List.of(PATH + ".host", PATH + ".allow-non-loopback"),
          "'" + hostName + "' (" + host.getHostAddress() + ") is not a loopback address; the"
              + " status endpoint has no authentication, so binding it there needs "
              + PATH + ".allow-non-loopback = on"));
    }
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new StatusSettings(enabled, host, port, allow);
  }
}
