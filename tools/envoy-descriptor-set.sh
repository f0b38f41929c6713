#!/usr/bin/env bash
# Compiles Envoy's own versions of the .proto files Weft.Xds defines into one FileDescriptorSet, so that
# EnvoyConformanceTests can compare every message, field number, oneof and enum value of ours with Envoy's:
#
#   tools/envoy-descriptor-set.sh ENVOY_API CNCF_XDS PGV OUT.pb
#   WEFT_ENVOY_DESCRIPTOR_SET=OUT.pb dotnet test test/Weft.Xds.Tests
#
# ENVOY_API: a checkout of envoyproxy/data-plane-api (or envoyproxy/envoy's api/ folder), holding envoy/...;
# CNCF_XDS: cncf/xds (udpa/, xds/); PGV: bufbuild/protoc-gen-validate (validate/).
# protoc and the well-known types come from the Grpc.Tools package, google/rpc from Google.Api.CommonProtos
# (run `dotnet restore src/Weft.Xds` first). The CEL expression protos that Envoy's RBAC imports are stubbed:
# Weft leaves the CEL fields out.
set -euo pipefail
[ $# -eq 4 ] || { sed -n '2,12p' "$0"; exit 2; }
api=$(realpath "$1"); xds=$(realpath "$2"); pgv=$(realpath "$3"); out=$(realpath -m "$4")
cd "$(dirname "$0")/.."
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
version() { sed -n "s/.*PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" Directory.Packages.props; }
tools=$packages/grpc.tools/$(version Grpc.Tools)
common=$packages/google.api.commonprotos/$(version Google.Api.CommonProtos)/content/protos
case "$(uname -m)" in aarch64|arm64) arch=linux_arm64 ;; *) arch=linux_x64 ;; esac
protoc=$tools/tools/$arch/protoc
[ -x "$protoc" ] || chmod +x "$protoc"

stub=$(mktemp -d)
trap 'rm -rf "$stub"' EXIT
mkdir -p "$stub/google/api/expr/v1alpha1"
printf 'syntax = "proto3";\npackage google.api.expr.v1alpha1;\nmessage Expr {}\n' > "$stub/google/api/expr/v1alpha1/syntax.proto"
printf 'syntax = "proto3";\npackage google.api.expr.v1alpha1;\nmessage CheckedExpr {}\n' > "$stub/google/api/expr/v1alpha1/checked.proto"

files=$(cd src/Weft.Xds/Protos && find envoy -name '*.proto' | sort)
"$protoc" -I"$api" -I"$xds" -I"$pgv" -I"$common" -I"$stub" -I"$tools/build/native/include" \
  --include_imports -o "$out" $files
echo "wrote $out ($(echo "$files" | wc -l) files of Envoy's API and their imports)"
