# Sourced by bin/test, bin/googlenet and .ci/run: use Temurin 25 when it is installed here,
# otherwise keep the caller's JAVA_HOME (any JDK 25 works).
if [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -n "${JAVA_HOME:-}" ]; then
  export PATH="$JAVA_HOME/bin:$PATH"
fi
