#!/usr/bin/env bash
# Makes a Pulumi engine available for the tests and the `local` stack.
#
# A normal user just installs Pulumi (https://www.pulumi.com/docs/install/): when `pulumi` and its
# Node.js language host are on PATH, this script only says so. Otherwise (this project's machines
# reach package registries only) it builds one from the Go module proxy, at the version pinned in
# scripts/pulumi-engine/versions.env, into $REHEARSAL_PULUMI_CACHE (default /var/cache/rehearsal/pulumi):
#   - the CLI, github.com/pulumi/pulumi/pkg/v3/cmd/pulumi (module scripts/pulumi-engine/cli);
#   - the Node.js language host: the proxy does not serve Pulumi's own (a module of its own), so
#     scripts/pulumi-engine/language-nodejs, which starts @pulumi/pulumi's run and run-policy-pack;
#   - pulumi-resource-pulumi-nodejs (dynamic providers, used by the local stack), from the SDK module.
# The result is cached per version and source: a second run takes a second.
# Prints the directory to put first on PATH as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD/scripts/pulumi-engine
# shellcheck source=pulumi-engine/versions.env
source "$here/versions.env"

if [[ -z ${REHEARSAL_PULUMI_BUILD:-} ]] && command -v pulumi >/dev/null 2>&1 && command -v pulumi-language-nodejs >/dev/null 2>&1; then
  echo "Using the installed Pulumi: $(command -v pulumi) ($(pulumi version))"
  dirname "$(command -v pulumi)"
  exit 0
fi

cache=${REHEARSAL_PULUMI_CACHE:-/var/cache/rehearsal/pulumi}
bin=$cache/$PULUMI_VERSION/bin
key="pulumi $PULUMI_VERSION; go sources $(cat "$here"/versions.env "$here"/cli/* "$here"/language-nodejs/* | sha256sum | cut -c1-16)"
if [[ -x $bin/pulumi && -f $bin/.built-from && $(cat "$bin/.built-from") == "$key" ]]; then
  echo "Pulumi engine $PULUMI_VERSION already built in $bin"
  echo "$bin"
  exit 0
fi

go=$(command -v go || echo /usr/local/go/bin/go)
if [[ ! -x $go ]]; then
  echo "No pulumi on PATH and no Go to build one. Install Pulumi (https://www.pulumi.com/docs/install/), or Go 1.25 or later, and run this again." >&2
  exit 2
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one build at a time; a second caller waits and then finds the cache

export GOMODCACHE=$cache/gomod GOCACHE=$cache/gocache GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
started=$SECONDS
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
staging=$work/bin
mkdir -p "$staging"

echo "Building the Pulumi CLI $PULUMI_VERSION from the Go module proxy (a few minutes the first time)..."
cp -r "$here/cli" "$work/cli"
(cd "$work/cli" && nice -n 10 "$go" build -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
  -o "$staging/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)

echo "Building the Node.js language host..."
cp -r "$here/language-nodejs" "$work/language-nodejs"
(cd "$work/language-nodejs" && nice -n 10 "$go" build -trimpath \
  -ldflags "-s -w -X main.version=$PULUMI_VERSION" -o "$staging/pulumi-language-nodejs" .)

sdk=$("$go" -C "$work/language-nodejs" list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdk/nodejs/dist/pulumi-resource-pulumi-nodejs" "$staging/"

"$staging/pulumi" version >/dev/null
echo "$key" >"$staging/.built-from"
rm -rf "$bin"
mkdir -p "$(dirname "$bin")"
mv "$staging" "$bin"
echo "Built the Pulumi engine $PULUMI_VERSION in $((SECONDS - started)) s: $bin"
echo "$bin"
