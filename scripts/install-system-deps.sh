#!/usr/bin/env bash
# System packages: iproute2 (network namespaces), util-linux (unshare, used by the sample
# platform's own production run), nftables (the sandbox's egress rules), openssl (the per-run CA
# of the payment sinkhole).
#   --with-test-tools   also chromium (the HTML report is opened in it), libxml2-utils (xmllint
#                       validates the JUnit file) and tmux (the terminal transcript test);
#   --with-bench-tools  also the reference servers `npm run bench -- --only sinkholes` measures our
#                       sinkholes against: postfix (for smtp-sink) and nginx-light with its stream
#                       module. Only the bench needs them, so CI (.ci/run) does not install them.
#                       Postfix is preseeded to "No configuration" and nginx's own service is
#                       disabled again, so neither starts a mail or web server on this machine.
set -euo pipefail
test_tools=false
bench_tools=false
for arg in "$@"; do
  case $arg in
    --with-test-tools) test_tools=true ;;
    --with-bench-tools) bench_tools=true ;;
    *)
      echo "Unknown option $arg; use --with-test-tools and/or --with-bench-tools." >&2
      exit 2
      ;;
  esac
done
missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if $test_tools; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
fi
new_nginx=false
if $bench_tools; then
  [[ -x /usr/sbin/smtp-sink ]] || missing+=(postfix)
  if [[ ! -x /usr/sbin/nginx ]]; then
    missing+=(nginx-light)
    new_nginx=true
  fi
  [[ -e /usr/lib/nginx/modules/ngx_stream_module.so ]] || missing+=(libnginx-mod-stream)
fi
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing system packages: ${missing[*]}. Install them as root: apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  echo "Installing system packages: ${missing[*]}"
  if [[ " ${missing[*]} " == *" postfix "* ]]; then
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  if $new_nginx && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
fi
