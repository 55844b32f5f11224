package dev.regent.multijvm;

import dev.regent.multijvm.harness.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A TLS client for tests: which certificate does a node's Artery port serve to a new connection. */
final class TlsProbe {

  private static final char[] PASSWORD = "probe".toCharArray();

  private TlsProbe() {}

  /**
   * Opens a new TLS 1.3 connection to {@code hostPort} as {@code client} (trusting {@code ca}),
   * completes the handshake, and returns the serial number of the certificate the node presented.
   * Then closes the connection (Artery logs that a connection ended before a frame arrived).
   */
  static BigInteger servedSerial(String hostPort, TestPki ca, TestPki.Issued client) {
    String[] hp = hostPort.split(":");
    try (SSLSocket s = (SSLSocket) context(ca, client).getSocketFactory()
        .createSocket(hp[0], Integer.parseInt(hp[1]))) {
      s.setSoTimeout(5000);
      s.setEnabledProtocols(new String[] {"TLSv1.3"});
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    } catch (IOException e) {
      throw new UncheckedIOException("TLS handshake with " + hostPort + " failed", e);
    }
  }

  static SSLContext context(TestPki trusted, TestPki.Issued client) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("client", client.key(), PASSWORD,
          new Certificate[] {client.certificate()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, PASSWORD);
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("ca", trusted.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
