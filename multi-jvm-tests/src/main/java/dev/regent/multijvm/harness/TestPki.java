package dev.regent.multijvm.harness;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A certificate authority for tests, built on the JDK alone ({@code java.security} for keys and
 * signatures, a minimal DER encoder here for the X.509 structures): it issues RSA node certificates
 * and writes them as PEM files in the layout Pekko's {@code RotatingKeysSSLEngineProvider} reads
 * ({@code tls.key} as unencrypted PKCS#8, {@code tls.crt}, {@code ca.crt}).
 *
 * <p>Why RSA and a root CA only: that provider reads RSA keys only and needs the node certificate
 * to be issued directly by the CA in {@code ca.crt} (Pekko 1.7 reference.conf,
 * {@code rotating-keys-engine}).
 *
 * <p>Each node certificate carries the node's own name as its CN and the cluster's name as a DNS
 * subject alternative name. The provider accepts a peer only when the peer's certificate shares
 * a subject name (CN or DNS SAN) with its own: so nodes of one cluster accept each other, and a
 * certificate of another cluster, even one signed by the same CA, is refused.
 */
public final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A key pair and its certificate. */
  public record Issued(PrivateKey key, X509Certificate certificate) {}

  private final String name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private TestPki(String name, KeyPair keys, X509Certificate certificate) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new self-signed root CA named {@code cn}, valid for a day. */
  public static TestPki newCa(String cn) {
    KeyPair kp = rsa();
    byte[] subject = name(cn);
    X509Certificate cert = sign(kp, subject, subject, kp.getPublic().getEncoded(), true,
        List.of(), Duration.ofDays(1));
    return new TestPki(cn, kp, cert);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String name() {
    return name;
  }

  /**
   * A node certificate signed by this CA: CN {@code nodeName}, DNS SANs {@code dnsNames}, IP SAN
   * 127.0.0.1; for server and client authentication; valid for a day.
   */
  public Issued issue(String nodeName, List<String> dnsNames) {
    KeyPair kp = rsa();
    X509Certificate cert = sign(keys, name(name), name(nodeName), kp.getPublic().getEncoded(),
        false, dnsNames, Duration.ofDays(1));
    return new Issued(kp.getPrivate(), cert);
  }

  /**
   * Writes {@code tls.key}, {@code tls.crt} and {@code ca.crt} into {@code dir} (created if
   * needed). Each file is written to a temporary name and moved into place atomically, key first:
   * a reader never sees a half-written file.
   */
  public void writePem(Path dir, Issued node) {
    try {
      Files.createDirectories(dir);
      atomicWrite(dir.resolve("tls.key"), pem("PRIVATE KEY", node.key().getEncoded()));
      atomicWrite(dir.resolve("tls.crt"), pem("CERTIFICATE", node.certificate().getEncoded()));
      atomicWrite(dir.resolve("ca.crt"), pem("CERTIFICATE", certificate.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Makes {@code link} (a symbolic link to a directory) point to a new directory holding
   * {@code node}'s PEM files, in one atomic rename: the way a secret manager (e.g. Kubernetes'
   * {@code ..data} link) rotates a mounted secret. A reader that opens the three files one after
   * the other can still read them across a swap (see docs/TLS.md, "Rotation").
   */
  public void install(Path link, Issued node) {
    Path generation = link.resolveSibling(link.getFileName() + "-"
        + node.certificate().getSerialNumber());
    writePem(generation, node);
    Path tmp = link.resolveSibling(link.getFileName() + ".link.tmp");
    try {
      Files.deleteIfExists(tmp);
      Files.createSymbolicLink(tmp, generation.getFileName());
      Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * HOCON for Artery over TLS with Regent's {@code AuditingSSLEngineProvider} around Pekko's
   * {@code RotatingKeysSSLEngineProvider}, reading
   * {@code <dirExpression>/tls.key} etc.; {@code dirExpression} is a HOCON value (may hold
   * substitutions), e.g. {@code "\"/certs/node-\"${regent.harness.node-index}"}.
   */
  public static String artery(String dirExpression, Duration cacheTtl) {
    return String.join("\n",
        "pekko.remote.artery.transport = tls-tcp",
        // Pekko's RotatingKeysSSLEngineProvider (regent.tls.delegate-provider's default), with
        // refused connections logged and counted on the refusing node.
        "pekko.remote.artery.ssl.ssl-engine-provider ="
            + " \"dev.regent.toolkit.tls.AuditingSSLEngineProvider\"",
        "pekko.remote.artery.ssl.rotating-keys-engine {",
        "  key-file = " + dirExpression + "\"/tls.key\"",
        "  cert-file = " + dirExpression + "\"/tls.crt\"",
        "  ca-cert-file = " + dirExpression + "\"/ca.crt\"",
        "  ssl-context-cache-ttl = " + cacheTtl.toMillis() + "ms",
        "}");
  }

  /** The serial number of the certificate in a PEM file. */
  public static BigInteger serialOf(Path pemFile) {
    try (var in = Files.newInputStream(pemFile)) {
      return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in))
          .getSerialNumber();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  private static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048, RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(KeyPair issuerKeys, byte[] issuer, byte[] subject,
      byte[] subjectPublicKeyInfo, boolean ca, List<String> dnsNames, Duration validity) {
    byte[] sha256WithRsa = seq(oid("1.2.840.113549.1.1.11"), new byte[] {0x05, 0x00});
    Instant now = Instant.now();
    var extensions = new ArrayList<byte[]>();
    // basicConstraints (critical): CA true for the CA, empty for a node.
    extensions.add(extension("2.5.29.19", true,
        ca ? seq(new byte[] {0x01, 0x01, (byte) 0xFF}) : seq()));
    // keyUsage (critical): keyCertSign + cRLSign for the CA; digitalSignature + keyEncipherment.
    extensions.add(extension("2.5.29.15", true,
        ca ? new byte[] {0x03, 0x02, 0x01, 0x06} : new byte[] {0x03, 0x02, 0x05, (byte) 0xA0}));
    if (!ca) {
      // extKeyUsage: serverAuth, clientAuth (each node is both, Artery connects both ways).
      extensions.add(extension("2.5.29.37", false,
          seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))));
      var names = new ArrayList<byte[]>();
      for (String dns : dnsNames) {
        names.add(tlv(0x82, dns.getBytes(StandardCharsets.US_ASCII)));
      }
      names.add(tlv(0x87, InetAddress.getLoopbackAddress().getAddress()));
      extensions.add(extension("2.5.29.17", false, seq(names.toArray(byte[][]::new))));
    }
    byte[] tbs = seq(
        tlv(0xA0, integer(BigInteger.TWO)),
        integer(BigInteger.valueOf(SERIAL.incrementAndGet())),
        sha256WithRsa,
        issuer,
        seq(time(now.minus(Duration.ofMinutes(5))), time(now.plus(validity))),
        subject,
        subjectPublicKeyInfo,
        tlv(0xA3, seq(extensions.toArray(byte[][]::new))));
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(issuerKeys.getPrivate());
      s.update(tbs);
      byte[] sig = s.sign();
      byte[] bits = new byte[sig.length + 1];
      System.arraycopy(sig, 0, bits, 1, sig.length);
      byte[] der = seq(tbs, sha256WithRsa, tlv(0x03, bits));
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** O=Regent test, CN=cn. */
  private static byte[] name(String cn) {
    return seq(
        set(seq(oid("2.5.4.10"), tlv(0x0C, "Regent test".getBytes(StandardCharsets.UTF_8)))),
        set(seq(oid("2.5.4.3"), tlv(0x0C, cn.getBytes(StandardCharsets.UTF_8)))));
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical
        ? seq(oid(oid), new byte[] {0x01, 0x01, (byte) 0xFF}, tlv(0x04, value))
        : seq(oid(oid), tlv(0x04, value));
  }

  private static byte[] time(Instant t) {
    String s = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t);
    return tlv(0x17, s.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] integer(BigInteger v) {
    return tlv(0x02, v.toByteArray());
  }

  private static byte[] oid(String dotted) {
    String[] parts = dotted.split("\\.");
    var out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
    for (int i = 2; i < parts.length; i++) {
      long v = Long.parseLong(parts[i]);
      int n = 0;
      byte[] tmp = new byte[10];
      do {
        tmp[n++] = (byte) (v & 0x7F);
        v >>>= 7;
      } while (v != 0);
      for (int j = n - 1; j >= 0; j--) {
        out.write(tmp[j] | (j > 0 ? 0x80 : 0));
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] concat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] tlv(int tag, byte[] content) {
    var out = new ByteArrayOutputStream();
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else {
      byte[] l = BigInteger.valueOf(len).toByteArray();
      int off = l[0] == 0 ? 1 : 0;
      out.write(0x80 | (l.length - off));
      out.write(l, off, l.length - off);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static void atomicWrite(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
