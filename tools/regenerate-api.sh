#!/usr/bin/env bash
# Regenerates Weft.Api's schema tables and models from Istio's CRDs.
# The generated files are removed first: the generator builds against Weft.Api itself.
set -euo pipefail
cd "$(dirname "$0")/.."
crds=${1:-../shared/istio-corpus/crds/istio-crds.yaml}
# The generator compiles only the reader and schema types, so the old output may stay until it is replaced.
dotnet run --project tools/Weft.ApiGen -- "$crds" src/Weft.Api
