#!/usr/bin/env bash
# System packages: iproute2 (network namespaces), util-linux (unshare, used by the sample
# platform's own production run), nftables (the sandbox's egress rules), openssl (the per-run CA
# of the payment sinkhole); for the tests also chromium (the HTML report is opened in it),
# libxml2-utils (xmllint validates the JUnit file) and tmux (the terminal transcript test).
set -euo pipefail
missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [[ ${1:-} == --with-test-tools ]]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
fi
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing system packages: ${missing[*]}. Install them as root: apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
