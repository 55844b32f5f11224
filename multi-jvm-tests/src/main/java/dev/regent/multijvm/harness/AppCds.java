package dev.regent.multijvm.harness;

import dev.regent.toolkit.testkit.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AppCDS (dynamic class-data sharing) archive for the node JVMs: the classes a node loads while
 * it creates its actor system and joins a cluster, pre-parsed and verified, mapped into each node
 * JVM at start instead of being loaded from the jars again.
 *
 * <p>Built once per class path and JVM flags: a training JVM ({@code NodeMain --train}, see
 * {@link Training}) runs a two-node cluster with Regent's election and singleton, so that the
 * archive also holds what a real node loads to join others (Artery's outbound streams, the join
 * protocol, the serializers, Regent's classes), and exits cleanly with
 * {@code -XX:ArchiveClassesAtExit}. The
 * archive is named after a fingerprint of the jars (paths, sizes, times) and the flags, so a
 * rebuild that changes a jar gets a new archive instead of a stale one (which the JVM would reject
 * with a warning and run without). When training fails, nodes run without an archive and a warning
 * is logged. Old archives under {@code multi-jvm/cds} are left for {@code mvn clean}.
 */
final class AppCds {

  private static final Logger log = LoggerFactory.getLogger(AppCds.class);

  private AppCds() {}

  static synchronized Optional<Path> archive(MultiJvmCluster cluster, Path workDir) {
    Path dir = workDir.resolve("multi-jvm").resolve("cds");
    String key = ClassPathJars.fingerprint(cluster.classPath(), cluster.baseJvmOptions());
    Path archive = dir.resolve("nodes-" + key + ".jsa");
    if (Files.exists(archive)) {
      return Optional.of(archive);
    }
    Path failedMarker = dir.resolve("nodes-" + key + ".failed");
    if (Files.exists(failedMarker)) {
      return Optional.empty();
    }
    long start = System.nanoTime();
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve("nodes-" + key + ".jsa.tmp");
      Files.deleteIfExists(tmp);
      Path trainDir = dir.resolve("training-" + key);
      MultiJvmCluster.deleteRecursively(trainDir);
      Path logFile = dir.resolve("training-" + key + ".log");
      var cmd = new ArrayList<>(cluster.javaCommand(Optional.empty(),
          List.of("-XX:ArchiveClassesAtExit=" + tmp)));
      cmd.addAll(List.of("--index", "0", "--port", Integer.toString(Ports.freePort()),
          "--node-dir", trainDir.toString(), "--train"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
          .redirectInput(ProcessBuilder.Redirect.PIPE).start();
      boolean done;
      try {
        done = p.waitFor(120, TimeUnit.SECONDS);
      } finally {
        if (p.isAlive()) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
        p.getOutputStream().close();
      }
      if (done && p.exitValue() == 0 && Files.exists(tmp)) {
        Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE);
        MultiJvmCluster.deleteRecursively(trainDir);
        log.info("AppCDS archive {} built in {} ms", archive,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return Optional.of(archive);
      }
      log.warn("AppCDS training failed (exit {}); nodes run without an archive. See {}",
          done ? p.exitValue() : "timeout", logFile);
      Files.writeString(failedMarker, "see " + logFile);
      return Optional.empty();
    } catch (IOException e) {
      log.warn("AppCDS archive could not be built; nodes run without one", e);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
