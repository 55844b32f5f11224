package dev.regent.multijvm.harness;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The main class of the CPU hog process started by {@link CpuHog}. Not for direct use; the harness
 * builds its command line: {@code THREADS MAX_MILLIS}.
 *
 * <p>Runs {@code THREADS} threads that spin without sleeping, and ends by itself, with status 0,
 * after {@code MAX_MILLIS} even if nobody stops it. It also halts (status {@value #EXIT_PARENT_GONE})
 * as soon as its stdin reaches end-of-file or its parent process is gone: the harness keeps the
 * write end of the hog's stdin open for the hog's whole life, so a test JVM that dies, even by
 * SIGKILL, takes the hog with it. Its main class name is distinct from {@link NodeMain}'s, so a
 * leftover hog can be found (and CI checks that none is left).
 */
public final class CpuHogMain {

  static final int EXIT_PARENT_GONE = 97;

  /** Written by the spinning threads, so the JIT cannot remove their loops. */
  static volatile long sink;

  private CpuHogMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: CpuHogMain THREADS MAX_MILLIS");
      System.exit(2);
    }
    int threads = Integer.parseInt(args[0]);
    long maxMillis = Long.parseLong(args[1]);
    long deadline = System.nanoTime() + maxMillis * 1_000_000L;
    watchParent();
    List<Thread> spinners = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread s = new Thread(() -> spin(deadline), "cpu-hog-" + t);
      s.setDaemon(true);
      spinners.add(s);
      s.start();
    }
    System.out.println("cpu hog: pid " + ProcessHandle.current().pid() + ", " + threads
        + " busy threads, ends by itself after " + maxMillis + " ms");
    for (Thread s : spinners) {
      s.join();
    }
    System.out.println("cpu hog: time limit reached, exiting");
    System.exit(0);
  }

  private static void spin(long deadline) {
    long x = Thread.currentThread().getId();
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < 100_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
      sink = x;
    }
  }

  /** Halts when stdin ends (the parent's pipe closed) or the parent process is gone. */
  private static void watchParent() {
    var parent = ProcessHandle.current().parent();
    Thread stdin = new Thread(() -> {
      byte[] buf = new byte[64];
      try {
        while (System.in.read(buf) >= 0) {
          // Nothing is ever written; anything read is ignored.
        }
      } catch (IOException e) {
        // A broken pipe means the same.
      }
      halt("stdin closed");
    }, "cpu-hog-watch-stdin");
    stdin.setDaemon(true);
    stdin.start();
    Thread poll = new Thread(() -> {
      while (parent.isPresent() && parent.get().isAlive()) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
      halt("parent process gone");
    }, "cpu-hog-watch-parent");
    poll.setDaemon(true);
    poll.start();
  }

  private static void halt(String why) {
    System.err.println("cpu hog: " + why + ": the harness is gone, halting");
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_PARENT_GONE);
  }
}
