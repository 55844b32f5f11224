package dev.regent.toolkit.tls;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.regent.toolkit.config.InvalidSettingsException;
import org.apache.pekko.actor.ActorSystem;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bad delegate settings fail with a message that names {@code regent.tls.delegate-provider}. The
 * provider's work (refusals counted and logged on a real TLS cluster) is tested in the
 * multi-jvm-tests module (HostilePeersTest, TlsClusterTest), where the test CA lives.
 */
class AuditingSSLEngineProviderTest {

  @Test
  void aDelegateThatCannotBeCreatedNamesTheKey() throws Exception {
    for (String delegate : new String[] {"no.such.Provider", "java.lang.String",
        AuditingSSLEngineProvider.class.getName()}) {
      ActorSystem system = ActorSystem.create("tls-config", ConfigFactory.parseString(
          "regent.tls.delegate-provider = \"" + delegate + "\"")
          .withFallback(ConfigFactory.load()));
      try {
        var e = assertThrows(InvalidSettingsException.class,
            () -> new AuditingSSLEngineProvider(system));
        assertTrue(e.getMessage().contains(AuditingSSLEngineProvider.DELEGATE_KEY)
            && e.getMessage().contains(delegate), e.getMessage());
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }
}
