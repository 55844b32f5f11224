package dev.regent.multijvm.harness;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The node JVMs' class path: the test JVM's {@code java.class.path} with every directory
 * ({@code target/classes}, {@code target/test-classes}) packed into a jar, because an AppCDS archive
 * can only be dumped and used with a class path of jars. A packed jar is named after a hash of the
 * directory's file names, sizes and modification times, so it is reused (and the archive stays
 * valid) until a rebuild changes the classes. Jars are copied there too (see {@link #snapshot}), so
 * that the archive and the nodes see exactly the bytes they were built from.
 */
final class ClassPathJars {

  private ClassPathJars() {}

  static List<Path> of(String classPath, Path jarDir) {
    var out = new ArrayList<Path>();
    for (String entry : classPath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path p = Path.of(entry).toAbsolutePath().normalize();
      if (Files.isDirectory(p)) {
        out.add(pack(p, jarDir));
      } else if (Files.isRegularFile(p)) {
        out.add(snapshot(p, jarDir));
      }
    }
    return out;
  }

  /**
   * A private copy of a jar, named after its path, size and time. Jars in a shared local Maven
   * repository can be overwritten by another build at any moment (same path, new content); the JVM
   * then refuses the AppCDS archive ("A jar file is not the one used while building the shared
   * archive file"), and a node could even load classes from a half-written jar.
   */
  private static Path snapshot(Path jar, Path jarDir) {
    if (jar.startsWith(jarDir.toAbsolutePath().normalize())) {
      return jar;
    }
    try {
      String stamp = jar + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis();
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      String hash = HexFormat.of().formatHex(md.digest(stamp.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 16);
      String name = jar.getFileName().toString();
      String base = name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
      Path copy = jarDir.resolve(base + "-" + hash + ".jar");
      if (!Files.exists(copy)) {
        Files.createDirectories(jarDir);
        Path tmp = Files.createTempFile(jarDir, "copying", ".tmp");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + jar, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path pack(Path dir, Path jarDir) {
    try {
      List<Path> files;
      try (Stream<Path> s = Files.walk(dir)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(dir.toString().getBytes(StandardCharsets.UTF_8));
      for (Path f : files) {
        md.update((dir.relativize(f) + "|" + Files.size(f) + "|"
            + Files.getLastModifiedTime(f).toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      String hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
      Path jar = jarDir.resolve(dir.getParent().getParent().getFileName() + "-"
          + dir.getFileName() + "-" + hash + ".jar");
      if (Files.exists(jar)) {
        return jar;
      }
      Files.createDirectories(jarDir);
      Path tmp = Files.createTempFile(jarDir, "packing", ".tmp");
      try (OutputStream os = Files.newOutputStream(tmp); var jos = new JarOutputStream(os)) {
        for (Path f : files) {
          var e = new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/'));
          e.setTime(Files.getLastModifiedTime(f).toMillis());
          jos.putNextEntry(e);
          Files.copy(f, jos);
          jos.closeEntry();
        }
      }
      Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pack " + dir + " into a jar", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A hash of the jars' paths, sizes and times and of {@code extra}: names an AppCDS archive. */
  static String fingerprint(List<Path> jars, List<String> extra) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Path j : jars) {
        md.update((j + "|" + Files.size(j) + "|" + Files.getLastModifiedTime(j).toMillis() + "\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      for (String s : extra) {
        md.update((s + "\n").getBytes(StandardCharsets.UTF_8));
      }
      md.update(System.getProperty("java.vm.version", "").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
