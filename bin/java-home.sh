# Sourced by the scripts in bin/ and .ci/run: picks a JDK >= 21 (the build targets Java 21).
ragline_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(ragline_java_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ] 2>/dev/null; then
  JAVA_HOME=""
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/java" ] && [ "$(ragline_java_major "$candidate")" -ge 21 ] 2>/dev/null; then
      JAVA_HOME="$candidate"; break
    fi
  done
  [ -n "$JAVA_HOME" ] || { echo "No JDK 21 or newer found: install one or set JAVA_HOME" >&2; exit 1; }
fi
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
