#!/bin/sh
# Builds the Debian package with CPack, installs it with dpkg into this (throw-away, root) machine,
# checks what it installed, and purges it again, also when a check fails.
# Usage: deb_install_test.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)

# Files other branches generate at build time, by installed path. Each one listed here must be in
# the package; packaging/CMakeLists.txt (BACKSTOP_GENERATED_FILES) installs them when they exist.
BACKSTOP_PACKAGE_GENERATED="/usr/share/man/man1/backstop.1 /usr/share/man/man5/backstop.toml.5
/usr/share/man/man7/backstop-lua.7 /usr/share/bash-completion/completions/backstop
/usr/share/zsh/vendor-completions/_backstop /usr/share/fish/vendor_completions.d/backstop.fish
/usr/share/backstop/backstop.schema.json /usr/share/backstop/lua-stubs/backstop.lua"

fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "installs a package with dpkg: run as root (CI does)"
for tool in cpack dpkg dpkg-shlibdeps man systemd-analyze; do
  command -v "$tool" >/dev/null || fail "$tool not found (.ci/install-deps installs dpkg-dev, man-db, systemd)"
done
if dpkg-query -W -f='${Status}' backstop 2>/dev/null | grep -q installed; then
  fail "a backstop package is installed already; this test installs and purges its own and would remove it"
fi

out=$(mktemp -d /tmp/backstop-deb.XXXXXX)
installed=""
cleanup() {
  status=$?
  if [ -n "$installed" ]; then
    dpkg_retry -P backstop >"$out/purge.log" 2>&1 || { cat "$out/purge.log" >&2; status=1; }
  fi
  rm -rf "$out"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Another dpkg or apt run (someone's install) holds the lock for a while: wait for it, up to 5 min.
dpkg_retry() {
  tries=0
  while ! dpkg "$@" 2>"$out/dpkg.err"; do
    grep -q "lock" "$out/dpkg.err" && [ $tries -lt 300 ] || { cat "$out/dpkg.err" >&2; return 1; }
    tries=$((tries + 1))
    sleep 1
  done
}

(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log" >&2; fail "cpack -G DEB"; }
deb=$(ls "$out"/backstop_*.deb)
echo "built $deb"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libcurl4 liblua5.4-0 libmicrohttpd12 libsystemd0; do
  echo "$depends" | grep -q "$lib" || fail "Depends lacks $lib"
done

installed=1
dpkg_retry -i "$deb" || fail "dpkg -i $deb"

version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
/usr/bin/backstop --version | grep -q "^backstop $version" || fail "backstop --version: $(/usr/bin/backstop --version 2>&1) (want backstop $version)"

for f in /usr/bin/backstop /usr/lib/systemd/system/backstop.service \
         /usr/share/doc/backstop/examples/quickstart/backstop.toml /usr/share/doc/backstop/examples/quickstart/demo.sh \
         /usr/share/doc/backstop/examples/git-site/backstop.toml $BACKSTOP_PACKAGE_GENERATED; do
  [ -f "$f" ] || fail "$f not installed"
  dpkg -S "$f" >/dev/null 2>&1 || fail "$f is not the package's"
done
[ -x /usr/share/doc/backstop/examples/quickstart/demo.sh ] || fail "demo.sh lost its executable bit"

# systemd-analyze verify also opens the unit's Documentation= man pages: only once they are built.
man_check=no
case " $BACKSTOP_PACKAGE_GENERATED " in
  *" /usr/share/man/man1/backstop.1 "*)
    man_check=yes
    man -w backstop >/dev/null || fail "man -w backstop finds no page"
    ;;
esac
systemd-analyze verify --man=$man_check /usr/lib/systemd/system/backstop.service || fail "systemd-analyze verify backstop.service"

dpkg_retry -P backstop || fail "dpkg -P backstop"
installed=""
[ ! -e /usr/bin/backstop ] || fail "/usr/bin/backstop still there after dpkg -P"
[ ! -e /usr/lib/systemd/system/backstop.service ] || fail "backstop.service still there after dpkg -P"
echo "ok: installed, checked and purged $deb"
