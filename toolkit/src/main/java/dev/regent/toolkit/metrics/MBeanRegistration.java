package dev.regent.toolkit.metrics;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers one node's MBean with the platform MBean server and unregisters it again. A restarted
 * node's actor system in the same JVM may replace the MBean of an older one that has not
 * terminated yet; the older one's unregistration then leaves the newer MBean in place.
 */
final class MBeanRegistration {

  private static final Logger log = LoggerFactory.getLogger(MBeanRegistration.class);

  /** Which registration owns a registered name. */
  private static final Map<ObjectName, MBeanRegistration> OWNERS = new ConcurrentHashMap<>();

  private final ObjectName objectName;

  private MBeanRegistration(ObjectName objectName) {
    this.objectName = objectName;
  }

  /** {@code dev.regent:type=<type>,node=<quoted node>}. */
  static ObjectName objectName(String type, String node) {
    try {
      return new ObjectName(
          RegentMetrics.JMX_DOMAIN + ":type=" + type + ",node=" + ObjectName.quote(node));
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException("cannot name an MBean for node " + node, e);
    }
  }

  /** Registers {@code mbean} under {@code name}; a failure is logged, not thrown. */
  static MBeanRegistration register(ObjectName name, Object mbean) {
    var registration = new MBeanRegistration(name);
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    synchronized (OWNERS) {
      try {
        try {
          server.registerMBean(mbean, name);
        } catch (InstanceAlreadyExistsException e) {
          // An earlier actor system of this node in this JVM (a restart) has not terminated yet.
          log.debug("Replacing MBean {} of an earlier actor system", name);
          server.unregisterMBean(name);
          server.registerMBean(mbean, name);
        }
        OWNERS.put(name, registration);
      } catch (Exception e) {
        log.warn("Could not register MBean {}: {}", name, e.toString());
      }
    }
    return registration;
  }

  ObjectName objectName() {
    return objectName;
  }

  void unregister() {
    synchronized (OWNERS) {
      if (!OWNERS.remove(objectName, this)) {
        return; // never registered, or replaced by a newer system of the same node
      }
      try {
        ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
      } catch (Exception e) {
        log.debug("Could not unregister MBean {}: {}", objectName, e.toString());
      }
    }
  }
}
