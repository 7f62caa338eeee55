# Sourced by bin/test, bin/googlenet and .ci/run: use Temurin 25 when it is installed here,
# otherwise keep the caller's JAVA_HOME (any JDK 25 works).
if [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -n "${JAVA_HOME:-}" ]; then
  export PATH="$JAVA_HOME/bin:$PATH"
fi
# Maven's own libraries trip JDK 24+'s sun.misc.Unsafe warnings; silence them there (older JDKs lack the flag)
if java -version 2>&1 | grep -qE 'version "(2[4-9]|[3-9][0-9])'; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
