package dev.regent.toolkit.tls;

import dev.regent.toolkit.config.InvalidSettingsException;
import dev.regent.toolkit.internal.logging.RateLimitedLog;
import dev.regent.toolkit.metrics.RegentMetrics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.List$;
import scala.reflect.ClassTag$;

/**
 * An Artery {@link SSLEngineProvider} that does what another provider does (by default Pekko's
 * {@code RotatingKeysSSLEngineProvider}: PEM files re-read periodically, mutual authentication,
 * peers accepted only with a certificate that shares a subject name with this node's) and, in
 * addition, logs and counts every connection it refuses: a TLS handshake that fails (a certificate
 * of another CA, no client certificate, not TLS at all, no common protocol or cipher) and a session
 * that the delegate's verification refuses (a certificate of another cluster). Pekko itself logs
 * such refusals only on the side that opened the connection (a WARN there) and not on the node that
 * refused it, so without this a hostile or misconfigured peer knocking at a node's port leaves no
 * trace on that node.
 *
 * <p>Configure with {@code pekko.remote.artery.ssl.ssl-engine-provider =
 * "dev.regent.toolkit.tls.AuditingSSLEngineProvider"} and the delegate with
 * {@code regent.tls.delegate-provider} (docs/TLS.md). Refusals are counted in
 * {@link RegentMetrics#tlsConnectionsRefused()} by kind ({@code handshake},
 * {@code peer-verification}) and logged at WARN, at most once per 10 s per kind and direction.
 */
public final class AuditingSSLEngineProvider implements SSLEngineProvider {

  /** The configuration key of the delegate provider's class name. */
  public static final String DELEGATE_KEY = "regent.tls.delegate-provider";

  private static final Logger log = LoggerFactory.getLogger(AuditingSSLEngineProvider.class);

  private final ExtendedActorSystem system;
  private final SSLEngineProvider delegate;
  private final RateLimitedLog refusals =
      new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));

  /** Called by Artery (by reflection) when {@code transport = tls-tcp}. */
  public AuditingSSLEngineProvider(ActorSystem system) {
    this.system = (ExtendedActorSystem) system;
    String className = system.settings().config().getString(DELEGATE_KEY);
    if (className.equals(getClass().getName())) {
      throw invalid(className, "must name another provider, not this one");
    }
    try {
      this.delegate = this.system.dynamicAccess().createInstanceFor(className,
          List$.MODULE$.<Tuple2<Class<?>, Object>>empty()
              .$colon$colon(new Tuple2<>(ActorSystem.class, system)),
          ClassTag$.MODULE$.<SSLEngineProvider>apply(SSLEngineProvider.class)).get();
    } catch (Exception e) {
      throw invalid(className, "cannot create it: " + e);
    }
  }

  private static InvalidSettingsException invalid(String className, String why) {
    return new InvalidSettingsException(List.of(new InvalidSettingsException.Problem(
        List.of(DELEGATE_KEY), "'" + className + "' " + why
            + " (an SSLEngineProvider with a constructor taking the ActorSystem)")));
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    return new AuditedSSLEngine(delegate.createServerSSLEngine(hostname, port),
        e -> refused("handshake", "inbound", "An inbound TLS connection on port {} failed in"
            + " the handshake and was not admitted: {}", port, e.toString()));
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    return new AuditedSSLEngine(delegate.createClientSSLEngine(hostname, port),
        e -> refused("handshake", "outbound", "TLS handshake with {}:{} failed: {}", hostname,
            port, e.toString()));
  }

  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    Option<Throwable> result = delegate.verifyClientSession(hostname, session);
    if (result.isDefined()) {
      refused("peer-verification", "outbound", "Refused the TLS peer {}: {}", hostname,
          result.get().getMessage());
    }
    return result;
  }

  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    Option<Throwable> result = delegate.verifyServerSession(hostname, session);
    if (result.isDefined()) {
      refused("peer-verification", "inbound", "Refused an inbound TLS peer: {}",
          result.get().getMessage());
    }
    return result;
  }

  private void refused(String kind, String direction, String message, Object... args) {
    RegentMetrics.get(Adapter.toTyped(system)).tlsConnectionRefused(kind);
    synchronized (refusals) {
      refusals.warn(kind + "/" + direction, message, args);
    }
  }
}
