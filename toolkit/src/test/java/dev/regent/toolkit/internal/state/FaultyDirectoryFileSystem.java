package dev.regent.toolkit.internal.state;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default file system seen through a {@link FileSystemProvider} that fails on directories the
 * way a real disk or platform does, so {@link DurableStateStore} can be tested through its public
 * {@code open(Path, String)} without any test hook in the store: every file operation goes to the
 * real default file system, only {@link FileChannel}s opened on a directory misbehave.
 *
 * <ul>
 *   <li>{@link Fault#FORCE_FAILS}: the directory opens, but {@code force} throws an
 *       {@link IOException}, as {@code fsync} does with {@code EIO} after a disk error;
 *   <li>{@link Fault#OPEN_FAILS}: opening a directory throws {@link AccessDeniedException}, as on
 *       Windows, which cannot open a directory for fsync at all.
 * </ul>
 */
final class FaultyDirectoryFileSystem extends FileSystem {

  enum Fault { FORCE_FAILS, OPEN_FAILS }

  private final FileSystem delegate = FileSystems.getDefault();
  private final Provider provider = new Provider();
  private final Fault fault;
  /** How many times a directory was opened (OPEN_FAILS) or forced (FORCE_FAILS) and failed. */
  final AtomicInteger faults = new AtomicInteger();

  FaultyDirectoryFileSystem(Fault fault) {
    this.fault = fault;
  }

  /** {@code path} of the default file system, as a path of this one. */
  Path wrap(Path path) {
    return new WrappedPath(this, path);
  }

  private static Path unwrap(Path path) {
    if (path instanceof WrappedPath w) {
      return w.delegate;
    }
    throw new ProviderMismatchException("not a path of the faulty file system: " + path);
  }

  @Override
  public FileSystemProvider provider() {
    return provider;
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public String getSeparator() {
    return delegate.getSeparator();
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    return () -> {
      Iterator<Path> it = delegate.getRootDirectories().iterator();
      return new Iterator<>() {
        public boolean hasNext() {
          return it.hasNext();
        }

        public Path next() {
          return wrap(it.next());
        }
      };
    };
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return delegate.getFileStores();
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return delegate.supportedFileAttributeViews();
  }

  @Override
  public Path getPath(String first, String... more) {
    return wrap(delegate.getPath(first, more));
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    PathMatcher m = delegate.getPathMatcher(syntaxAndPattern);
    return p -> m.matches(unwrap(p));
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return delegate.getUserPrincipalLookupService();
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException();
  }

  private final class Provider extends FileSystemProvider {
    private final FileSystemProvider real = delegate.provider();

    @Override
    public String getScheme() {
      return "faulty-directory";
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options,
        FileAttribute<?>... attrs) throws IOException {
      Path p = unwrap(path);
      boolean directory = Files.isDirectory(p);
      if (directory && fault == Fault.OPEN_FAILS) {
        faults.incrementAndGet();
        throw new AccessDeniedException(p.toString(), null, "cannot open a directory (simulated)");
      }
      FileChannel ch = real.newFileChannel(p, options, attrs);
      return directory ? new ForceFailingChannel(ch) : ch;
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
        FileAttribute<?>... attrs) throws IOException {
      return newFileChannel(path, options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir,
        DirectoryStream.Filter<? super Path> filter) throws IOException {
      DirectoryStream<Path> s = real.newDirectoryStream(unwrap(dir), p -> filter.accept(wrap(p)));
      return new DirectoryStream<>() {
        public Iterator<Path> iterator() {
          Iterator<Path> it = s.iterator();
          return new Iterator<>() {
            public boolean hasNext() {
              return it.hasNext();
            }

            public Path next() {
              return wrap(it.next());
            }
          };
        }

        public void close() throws IOException {
          s.close();
        }
      };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
      real.createDirectory(unwrap(dir), attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
      real.delete(unwrap(path));
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
      real.copy(unwrap(source), unwrap(target), options);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
      real.move(unwrap(source), unwrap(target), options);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
      return real.isSameFile(unwrap(path), unwrap(path2));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
      return real.isHidden(unwrap(path));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
      return real.getFileStore(unwrap(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
      real.checkAccess(unwrap(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type,
        LinkOption... options) {
      return real.getFileAttributeView(unwrap(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type,
        LinkOption... options) throws IOException {
      return real.readAttributes(unwrap(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
        throws IOException {
      return real.readAttributes(unwrap(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
        throws IOException {
      real.setAttribute(unwrap(path), attribute, value, options);
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Path getPath(URI uri) {
      throw new UnsupportedOperationException();
    }
  }

  /** A directory's channel whose {@code force} fails like {@code fsync} returning EIO. */
  private final class ForceFailingChannel extends FileChannel {
    private final FileChannel ch;

    ForceFailingChannel(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (fault == Fault.FORCE_FAILS) {
        faults.incrementAndGet();
        throw new IOException("Input/output error (simulated fsync failure)");
      }
      ch.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return ch.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return ch.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return ch.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return ch.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return ch.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      ch.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      ch.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return ch.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      return ch.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return ch.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return ch.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return ch.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return ch.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return ch.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      ch.close();
    }
  }

  /** A default-file-system path that belongs to the faulty file system. */
  private static final class WrappedPath implements Path {
    private final FaultyDirectoryFileSystem fs;
    private final Path delegate;

    WrappedPath(FaultyDirectoryFileSystem fs, Path delegate) {
      this.fs = fs;
      this.delegate = delegate;
    }

    private Path wrapOrNull(Path p) {
      return p == null ? null : new WrappedPath(fs, p);
    }

    @Override
    public FileSystem getFileSystem() {
      return fs;
    }

    @Override
    public boolean isAbsolute() {
      return delegate.isAbsolute();
    }

    @Override
    public Path getRoot() {
      return wrapOrNull(delegate.getRoot());
    }

    @Override
    public Path getFileName() {
      return wrapOrNull(delegate.getFileName());
    }

    @Override
    public Path getParent() {
      return wrapOrNull(delegate.getParent());
    }

    @Override
    public int getNameCount() {
      return delegate.getNameCount();
    }

    @Override
    public Path getName(int index) {
      return wrapOrNull(delegate.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
      return wrapOrNull(delegate.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
      return other instanceof WrappedPath w && delegate.startsWith(w.delegate);
    }

    @Override
    public boolean endsWith(Path other) {
      return other instanceof WrappedPath w && delegate.endsWith(w.delegate);
    }

    @Override
    public Path normalize() {
      return wrapOrNull(delegate.normalize());
    }

    @Override
    public Path resolve(Path other) {
      return wrapOrNull(delegate.resolve(unwrap(other)));
    }

    @Override
    public Path relativize(Path other) {
      return wrapOrNull(delegate.relativize(unwrap(other)));
    }

    @Override
    public URI toUri() {
      return delegate.toUri();
    }

    @Override
    public Path toAbsolutePath() {
      return wrapOrNull(delegate.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
      return wrapOrNull(delegate.toRealPath(options));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
        WatchEvent.Modifier... modifiers) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int compareTo(Path other) {
      return delegate.compareTo(unwrap(other));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof WrappedPath w && w.fs == fs && w.delegate.equals(delegate);
    }

    @Override
    public int hashCode() {
      return delegate.hashCode();
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }
}
