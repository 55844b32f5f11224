package dev.regent.multijvm;

import dev.regent.multijvm.harness.NodeContext;
import dev.regent.multijvm.harness.NodeSetup;
import dev.regent.toolkit.metrics.RegentMetrics;

/**
 * {@link FencedCounterSetup} plus a probe of this node's refused TLS connections
 * ({@link #TLS_REFUSED}: {@code RegentMetrics.tlsConnectionsRefused()}, counted by
 * {@code AuditingSSLEngineProvider}), so a test can check that no connection between the nodes was
 * refused, e.g. while certificates were rotated.
 */
public final class TlsCounterSetup implements NodeSetup {

  /** Probe: how many TLS connections this node refused so far. */
  public static final String TLS_REFUSED = "regent.tls-refused";

  @Override
  public void start(NodeContext ctx) {
    new FencedCounterSetup().start(ctx);
    RegentMetrics metrics = RegentMetrics.get(ctx.system());
    ctx.probe(TLS_REFUSED, () -> Long.toString(metrics.tlsConnectionsRefused()));
  }
}
