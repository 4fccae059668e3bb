#!/usr/bin/env bash
# Builds the release zip that a Function App runs: host.json,
# MessageTraceTimer/function.json and the handler binary at the zip root.
# The binary keeps mode 0755, because a zip entry without Unix modes lands
# without its execute bit and the host then fails to start it. The script
# also reports the newest glibc symbol version the binary needs and warns
# when it is newer than the 2.31 of the Functions images (Debian 11).
#
#   scripts/package.sh [--binary FILE] [--output FILE] [--strict]
#
# Without --binary it uses build/handler/handler, building it first if it is
# missing. --strict turns the glibc warning into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly max_glibc=2.31

usage() {
  cat <<EOF
usage: scripts/package.sh [--binary FILE] [--output FILE] [--strict]

  --binary FILE   handler executable to package (default: build/handler/handler,
                  built with the default CMake preset if missing)
  --output FILE   zip to write (default: build/message-trace-handler.zip)
  --strict        exit 1 when the binary needs a glibc newer than $max_glibc
EOF
}

fail() {
  echo "package: $1" >&2
  exit "${2:-1}"
}

binary=""
output=build/message-trace-handler.zip
strict=false
while (($# > 0)); do
  case "$1" in
    --binary | --output)
      (($# >= 2)) || fail "$1 needs a file name" 64
      if [[ $1 == --binary ]]; then binary=$2; else output=$2; fi
      shift
      ;;
    --strict) strict=true ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      fail "unknown argument '$1'" 64
      ;;
  esac
  shift
done

for tool in zip zipinfo objdump; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed; run scripts/install-deps.sh"
done

if [[ -z $binary ]]; then
  binary=build/handler/handler
  if [[ ! -x $binary ]]; then
    echo "package: $binary is missing; building it" >&2
    cmake --preset default >/dev/null
    cmake --build --preset default --target handler
  fi
fi
[[ -f $binary && -x $binary ]] || fail "binary $binary is missing or not executable"

# Compares dotted version numbers: succeeds when $1 is newer than $2.
version_newer() {
  [[ $1 != "$2" && $(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1) == "$1" ]]
}

# Reports what the binary needs from the target system.
check_glibc() {
  local symbols newest
  if ! symbols=$(objdump -T "$binary" 2>/dev/null); then
    echo "package: $binary has no dynamic symbol table (statically linked): it needs no glibc from the host"
    return 0
  fi
  newest=$(grep -o 'GLIBC_[0-9][0-9.]*' <<<"$symbols" | sed 's/^GLIBC_//' | sort -uV | tail -n 1 || true)
  echo "package: shared libraries the binary loads:" $(objdump -p "$binary" | awk '/NEEDED/ {print $2}')
  if [[ -z $newest ]]; then
    echo "package: the binary needs no versioned glibc symbol"
    return 0
  fi
  echo "package: newest glibc symbol version needed: GLIBC_$newest"
  if version_newer "$newest" "$max_glibc"; then
    echo "package: warning: GLIBC_$newest is newer than the glibc $max_glibc of the Azure Functions images" \
      "(Debian 11); the host will fail to start the handler with \"version \`GLIBC_$newest' not found\"." \
      "Build as deploy/README.md describes under \"Building for the Functions image\"." >&2
    $strict && return 1
  fi
  return 0
}

check_glibc || fail "not writing $output: the binary needs a glibc newer than $max_glibc (--strict)"

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

mkdir -p "$staging/MessageTraceTimer"
install -m 0644 host.json "$staging/host.json"
install -m 0644 MessageTraceTimer/function.json "$staging/MessageTraceTimer/function.json"
install -m 0755 "$binary" "$staging/handler"
# Debug information only makes the zip larger; symbols stay for stack traces.
strip --strip-debug "$staging/handler" 2>/dev/null || true

# Fixed timestamps make two builds of the same commit give the same zip.
timestamp=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
find "$staging" -exec touch -h -d "@$timestamp" {} +

mkdir -p "$(dirname "$output")"
output=$(cd "$(dirname "$output")" && pwd)/$(basename "$output")
rm -f "$output"
# -X leaves out the extra fields with owner ids and extended timestamps. The
# Unix mode is still stored, in each entry's external attributes.
(cd "$staging" && zip -X -q -r "$output" host.json MessageTraceTimer handler)

mode=$(zipinfo "$output" handler | awk '{print $1}')
[[ $mode == -rwxr-xr-x ]] || fail "handler entry in $output has mode $mode instead of -rwxr-xr-x"

echo "package: wrote $output"
zipinfo "$output"
