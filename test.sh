#!/usr/bin/env bash
# Installs what Weft's tests need (idempotently), then runs the whole test suite.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Validation]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

# The .NET 10 SDK is the one prerequisite: the machine image provides it. Everything else the tests use
# (xunit, YamlDotNet, System.CommandLine) comes from NuGet on restore.
if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK is missing; install .NET 10 (dotnet) first" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ -d ../shared/istio-corpus ]; then
  echo "test.sh: Istio corpus found at ../shared/istio-corpus; conformance suites will run"
else
  echo "test.sh: Istio corpus NOT found at ../shared/istio-corpus; conformance suites will be SKIPPED"
fi

# The interop tests run gRPC's own xDS client (npm @grpc/grpc-js-xds, versions pinned by the
# committed package-lock.json). Without node/npm, or if the install fails, those tests skip and say so.
interop="$here/test/interop/grpc-js-xds"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  # npm ci starts from scratch each time; skip it while node_modules is newer than the manifests.
  if [ -f "$interop/node_modules/.package-lock.json" ] \
     && [ "$interop/node_modules/.package-lock.json" -nt "$interop/package-lock.json" ] \
     && [ "$interop/node_modules/.package-lock.json" -nt "$interop/package.json" ]; then
    echo "test.sh: grpc-js-xds interop packages already installed ($(node --version))"
  elif (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    echo "test.sh: installed grpc-js-xds interop packages with npm ci ($(node --version))"
  else
    echo "test.sh: npm ci failed in test/interop/grpc-js-xds; grpc-js-xds interop tests will be SKIPPED" >&2
  fi
else
  echo "test.sh: node/npm NOT found; grpc-js-xds interop tests will be SKIPPED"
fi

# The proxy's capture test installs an iptables REDIRECT rule (as Istio's init does); it needs root and iptables.
# Without them it skips and says so; as root on Debian we try to install iptables first.
if ! command -v iptables >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if (apt-get install -y -q iptables >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q iptables >/dev/null 2>&1; }); then
    echo "test.sh: installed iptables for the proxy's capture test"
  else
    echo "test.sh: could not install iptables; the proxy's capture test will be SKIPPED"
  fi
fi

dotnet restore Weft.slnx -v q
dotnet build Weft.slnx -c Release --no-restore -v q -nologo -clp:ErrorsOnly

# The proxy as ./weft proxy runs it, compiled ahead of time (NativeAOT), for the test that runs that binary; ./weft
# builds it once (and again when its sources change). Without a native toolchain that test is skipped and says so.
if ./weft proxy --help >/dev/null 2>&1 && [ -x artifacts/weft-proxy/weft ] && [ ! -f artifacts/weft-proxy/.failed ]; then
  echo "test.sh: the NativeAOT proxy is built (artifacts/weft-proxy/weft)"
else
  echo "test.sh: the NativeAOT proxy could not be built (see artifacts/weft-proxy/build.log); its test will be SKIPPED"
fi

results="$here/artifacts/test-results"
rm -rf "$results"
set +e
dotnet test Weft.slnx -c Release --no-build -v q --results-directory "$results" \
  --logger "trx" --logger "console;verbosity=normal" "$@" 2>&1 \
  | grep -E '^\s+(Failed|Skipped) |^\s*Error Message|^\s*(Assert|Expected|Actual)|^\s+at Weft\..* in .*:line [0-9]+|SKIPPED|agree|^\[xUnit.net .*\] .*(FAIL|SKIP)' 
status=${PIPESTATUS[0]}
set -e

# One closing line over all test assemblies, from the TRX counters.
read -r passed failed skipped < <(cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*' \
  | sed -E 's/.*total="([0-9]+)" executed="([0-9]+)" passed="([0-9]+)" failed="([0-9]+)".*/\1 \2 \3 \4/' \
  | awk '{p+=$3; f+=$4; s+=$1-$2} END {print p+0, f+0, s+0}')
# Conformance figures against Istio's corpus (written by the conformance suites).
for f in "$results"/conformance-*.txt "$results"/fast-yaml-corpus.txt; do
  [ -f "$f" ] && head -n 1 "$f"
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
if [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
