#!/usr/bin/env bash
# The local demo: builds what it needs, then starts 3 node JVMs on 127.0.0.1 (ports 2551-2553),
# kills the one hosting the singleton and shows the singleton moving. Add --interactive to choose
# the moment yourself (press Enter). Ends by itself; Ctrl-C stops every node.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests -pl examples -am package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -DincludeScope=runtime
# Runtime scope only: test jars on the class path (the toolkit's tests jar carries a
# logback-test.xml) would shadow the demo's logback.xml and silence the nodes' INFO lines.
if tr ':' '\n' < examples/target/classpath.txt | grep -q -- '-tests\.jar$'; then
  echo "demo.sh: the demo's class path contains a test jar; refusing to run with it" >&2
  exit 1
fi
exec java -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
  dev.regent.examples.demo.DemoLauncher "$@"
