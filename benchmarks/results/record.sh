#!/usr/bin/env bash
# Records a benchmark run for benchmarks/results/: JMH JSON plus its Markdown table, on JDK 17 (java on the PATH) and,
# when installed, JDK 25.
#   benchmarks/results/record.sh NAME [JMH args...]
#   e.g. benchmarks/results/record.sh roofs '(Triad|Dot)Benchmark'
#        benchmarks/results/record.sh matmul MatMulBenchmark
# Writes NAME-jdk17.json/.md and NAME-jdk25.json/.md next to this script. Run it on a quiet machine: other processes
# on the same cores make the figures meaningless.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$ROOT/benchmarks/target/benchmarks.jar}"  # JAR=... records with another build of the jar
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64
[ $# -ge 1 ] || { echo "usage: $0 NAME [JMH args...]" >&2; exit 2; }
NAME="$1"; shift

[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q -Dmaven.test.skip=true -pl benchmarks -am package)

JAVAS=(java)
[ -x "$JDK25/bin/java" ] && JAVAS+=("$JDK25/bin/java")
for JAVA in "${JAVAS[@]}"; do
  FEATURE="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  FLAGS=(--add-modules=jdk.incubator.vector)
  if [ "${FEATURE%%.*}" -ge 24 ]; then
    FLAGS+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
  fi
  JSON="$HERE/$NAME-jdk$FEATURE.json"
  echo "== $NAME on JDK $FEATURE -> $JSON"
  "$JAVA" "${FLAGS[@]}" -jar "$JAR" "$@" -rf json -rff "$JSON"
  "$JAVA" -cp "$JAR" org.llm4e.benchmarks.support.JmhMarkdown "$JSON" \
    --title "$NAME, JDK $FEATURE" \
    --command "java ${FLAGS[*]} -jar benchmarks/target/benchmarks.jar $*" \
    --out "${JSON%.json}.md"
done
