package dev.regent.multijvm.harness;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Ends a node JVM when the JVM that spawned it is gone, so no node outlives a test run, even when
 * the test JVM was killed with SIGKILL and could not run its shutdown hook.
 *
 * <p>Two independent signals, each on its own daemon thread: the harness keeps the write end of the
 * node's stdin open for the node's whole life, so end-of-file on stdin means the parent died (the
 * kernel closes its pipe ends); and the parent process handle is polled every 500 ms. Either one
 * calls {@link Runtime#halt} with status {@value #EXIT_PARENT_GONE}; no shutdown hooks run, like a
 * crash. A SIGSTOPped node cannot run its watchdog: the harness's shutdown hook kills it (SIGKILL
 * also ends stopped processes), but if the test JVM itself is SIGKILLed while a node is paused, that
 * node stays stopped until someone kills it.
 */
final class ParentWatchdog {

  static final int EXIT_PARENT_GONE = 97;

  private ParentWatchdog() {}

  static void start(InputStream stdin) {
    Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    Thread stdinWatch = new Thread(() -> {
      byte[] buf = new byte[64];
      try {
        while (stdin.read(buf) >= 0) {
          // The harness never writes; anything read is ignored.
        }
      } catch (IOException e) {
        // A broken pipe is the same signal as end-of-file.
      }
      halt("stdin closed");
    }, "regent-parent-watchdog-stdin");
    stdinWatch.setDaemon(true);
    stdinWatch.start();

    Thread parentPoll = new Thread(() -> {
      while (true) {
        if (parent.isEmpty() || !parent.get().isAlive()) {
          halt("parent process gone");
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "regent-parent-watchdog-poll");
    parentPoll.setDaemon(true);
    parentPoll.start();
  }

  private static void halt(String why) {
    System.err.println("regent node: " + why + ": the harness is gone, halting");
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_PARENT_GONE);
  }
}
