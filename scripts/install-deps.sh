#!/usr/bin/env bash
# Installs what the build, the local run and the tests need on Debian 12:
# the compiler and libraries from Debian's packages, then the Node.js test
# dependencies pinned in package-lock.json. Safe to run again; it installs
# only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git ca-certificates openssl
  libcpp-httplib-dev libboost-json1.81-dev libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libicu-dev
  dnstwist faketime locales publicsuffix
  zip unzip
)
# Node.js 18 or newer runs the fakes and end-to-end tests. Debian's own nodejs
# and npm are used only where no node is installed yet, so that a machine with
# another Node.js distribution keeps it.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  echo "install-deps: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The locale test runs the handler under de_DE.UTF-8 to prove that dates and
# signatures do not follow the process locale.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf8$'; then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
  "${sudo_cmd[@]}" locale-gen >&2
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
