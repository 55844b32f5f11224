#!/usr/bin/env bash
# The failover benchmark: Regent against Pekko's built-in ClusterSingleton (with Pekko's
# split-brain resolver, keep-majority), each with its defaults and a tuned profile, in four 3-node
# clusters of separate JVMs on 127.0.0.1, one trial at a time, round-robin, then again under load
# (a CPU hog in a separate JVM). Builds what it needs, runs about 30 minutes (2 cores) with the
# default trial counts, prints the table and where the results went.
# What it measures and how: docs/BENCHMARK.md. It asserts nothing about times.
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  cat <<'EOF'
usage: ./bench.sh [options]
  --crash N                  crash (SIGKILL) trials per cluster (default 10)
  --crash-pekko-default N    crash trials for Pekko default, ~60 s each (default 4)
  --pause N                  pause (SIGSTOP) trials per cluster (default 3)
  --pause-pekko-default N    pause trials for Pekko default, ~60 s each (default 2)
  --graceful N               SIGTERM trials per cluster (default 5)
  --graceful-pekko-default N SIGTERM trials for Pekko default (default 5)
  --rounds N                 throughput and ask-latency runs per cluster (default 3)
  --messages N               work messages per throughput run (default 20000)
  --asks N                   timed asks per latency run (default 2000)
  --rate N                   messages per second sent during each crash (default 200)
  --idle-seconds N           idle CPU window (default 10)
  --load-crash N             crash trials under load per cluster (default 5)
  --load-crash-pekko-default N  crash trials under load for Pekko default (default 2)
  --load-window-seconds N    quiet window under load, all clusters at once (default 30)
  --load-threads N           busy threads of the CPU hog (default 2 x cores + 2)
  --load-reserve-minutes N   the last N minutes of the budget are kept for the loaded phase
                             (default 9)
  --no-load                  skip the loaded phase (CPU hog, quiet window, crashes under load)
  --budget-minutes N         start no trial that could end later than this (default 32)
  --quick                    2 trials per cluster (Pekko default 1), 1 throughput run; under
                             load 1 crash per cluster and a 20 s window: ~9 min
  --out DIR                  results folder (default multi-jvm-tests/target/benchmark/<time>)
  --offline                  pass -o to Maven (everything already in ~/.m2)
  --redraw DIR               run nothing: write results.md and failover.svg in DIR again from
                             DIR/results.json (e.g. --redraw docs/benchmark after a chart change)
EOF
}

props=()
out=""
redraw=""
mvn_flags=(-B)
while [ $# -gt 0 ]; do
  case "$1" in
    --crash) props+=("-Dregent.bench.crash=$2"); shift 2 ;;
    --crash-pekko-default) props+=("-Dregent.bench.crash.pekko-default=$2"); shift 2 ;;
    --pause) props+=("-Dregent.bench.pause=$2"); shift 2 ;;
    --pause-pekko-default) props+=("-Dregent.bench.pause.pekko-default=$2"); shift 2 ;;
    --graceful) props+=("-Dregent.bench.graceful=$2"); shift 2 ;;
    --graceful-pekko-default) props+=("-Dregent.bench.graceful.pekko-default=$2"); shift 2 ;;
    --rounds) props+=("-Dregent.bench.rounds=$2"); shift 2 ;;
    --messages) props+=("-Dregent.bench.messages=$2"); shift 2 ;;
    --asks) props+=("-Dregent.bench.asks=$2"); shift 2 ;;
    --rate) props+=("-Dregent.bench.rate=$2"); shift 2 ;;
    --idle-seconds) props+=("-Dregent.bench.idle-seconds=$2"); shift 2 ;;
    --budget-minutes) props+=("-Dregent.bench.budget-minutes=$2"); shift 2 ;;
    --load-crash) props+=("-Dregent.bench.load.crash=$2"); shift 2 ;;
    --load-crash-pekko-default) props+=("-Dregent.bench.load.crash.pekko-default=$2"); shift 2 ;;
    --load-window-seconds) props+=("-Dregent.bench.load.window-seconds=$2"); shift 2 ;;
    --load-threads) props+=("-Dregent.bench.load.threads=$2"); shift 2 ;;
    --load-reserve-minutes) props+=("-Dregent.bench.load.reserve-minutes=$2"); shift 2 ;;
    --no-load) props+=("-Dregent.bench.load=off"); shift ;;
    --quick)
      props+=("-Dregent.bench.crash=2" "-Dregent.bench.crash.pekko-default=1"
        "-Dregent.bench.pause=2" "-Dregent.bench.pause.pekko-default=1"
        "-Dregent.bench.graceful=2" "-Dregent.bench.graceful.pekko-default=1"
        "-Dregent.bench.rounds=1" "-Dregent.bench.load.crash=1"
        "-Dregent.bench.load.crash.pekko-default=1" "-Dregent.bench.load.window-seconds=20")
      shift ;;
    --out) out="$2"; shift 2 ;;
    --offline) mvn_flags+=(-o); shift ;;
    --redraw) redraw="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [ -n "$redraw" ]; then
  if [ ! -f "$redraw/results.json" ]; then
    echo "bench: no $redraw/results.json" >&2
    exit 2
  fi
  redraw="$(cd "$redraw" && pwd)"
  mvn "${mvn_flags[@]}" -q -pl multi-jvm-tests -am test \
    -Dtest=BenchReportRedrawTest#redraw -Dsurefire.failIfNoSpecifiedTests=false \
    -Dregent.bench.redraw="$redraw"
  exit 0
fi

if [ -z "$out" ]; then
  out="multi-jvm-tests/target/benchmark/$(date +%Y%m%d-%H%M%S)"
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
command_line="./bench.sh${*:+ $*}"

echo "bench: building and running (log: $out/mvn.log); progress lines follow"
set +e
mvn "${mvn_flags[@]}" -pl multi-jvm-tests -am verify \
  -Dtest=FailoverBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dregent.bench=full -Dregent.bench.out="$out" -Dregent.bench.command="$command_line" \
  ${props[@]+"${props[@]}"} 2>&1 | tee "$out/mvn.log" | grep --line-buffered -E '^(BENCH|TRIAL) |\[ERROR\]|BUILD (SUCCESS|FAILURE)'
status=${PIPESTATUS[0]}
set -e

echo
if [ -f "$out/table.txt" ]; then
  cat "$out/table.txt"
else
  grep '^SUMMARY ' "$out/mvn.log" || true
fi
echo
echo "bench: results in $out (trials.txt: every value; results.json, results.md, failover.svg:"
echo "       the report; node logs under multi-jvm-tests/target/node-logs/bench-*)"
if [ "$status" -ne 0 ]; then
  echo "bench: the run failed (Maven status $status); see $out/mvn.log" >&2
fi
exit "$status"
