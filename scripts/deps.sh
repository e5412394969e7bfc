#!/usr/bin/env bash
# Installs what riglog needs to build and test, and only what is missing:
#   libmodbus-dev (and pkg-config)   the Modbus library riglog is built on
#   socat, mbpoll                    a serial line made of two ptys, an independent Modbus client
#   sqlite3                          the command-line shell, for looking into a data folder
#   valgrind, curl, prometheus       instruction counts for make bench; promtool checks /metrics
#   pymodbus (PyPI)                  an independent Modbus server for the peer tests
#   schemathesis (PyPI)              generated requests against the web API's OpenAPI file
#   chromium, DejaVu and Noto CJK    the HTML report rendered to PNG, the web UI in a real browser
#   libjs-dygraphs                   the time-series charts the web UI serves (from /usr/share/javascript)
#   wrk                              load for make bench's page-time rows
#   postgresql                       a real PostgreSQL the central-store tests start in a temp folder
#   dpkg-dev, patchelf               make deb: the package's library dependencies, the private runtime's path
#   debootstrap, lintian             the package test installs riglog's .deb into a clean Debian root
# Uses sudo when not root. Safe to run again: it does nothing when everything is there.
set -euo pipefail

need_apt=()
pkg-config --version >/dev/null 2>&1 || need_apt+=(pkg-config)
pkg-config --exists libmodbus 2>/dev/null || need_apt+=(libmodbus-dev)
command -v socat >/dev/null 2>&1 || need_apt+=(socat)
command -v mbpoll >/dev/null 2>&1 || need_apt+=(mbpoll)
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
command -v valgrind >/dev/null 2>&1 || need_apt+=(valgrind)   # make bench: instruction counts; make reliability: memcheck
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)     # a self-signed certificate for the HTTPS test
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus) # promtool checks /metrics in the tests
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need_apt+=(chromium)  # HTML report -> PNG test
# grep without -q reads all of fc-list: with -q it exits at the first match, fc-list gets SIGPIPE
# and pipefail would count the font as missing.
[ -f /usr/share/javascript/dygraphs/dygraph.min.js ] || [ -f /usr/share/javascript/dygraphs/dygraph.js ] || need_apt+=(libjs-dygraphs)  # charts in the web UI
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)             # make bench: page times under load
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)  # central store tests (run as nobody)
command -v dpkg-shlibdeps >/dev/null 2>&1 || need_apt+=(dpkg-dev)      # make deb: Depends from the libraries linked
command -v patchelf >/dev/null 2>&1 || need_apt+=(patchelf)            # make deb: the Swift runtime found beside the binary
command -v debootstrap >/dev/null 2>&1 || need_apt+=(debootstrap)  # make deb's install test (a clean Debian root)
command -v lintian >/dev/null 2>&1 || need_apt+=(lintian)          # make deb's package checked by Debian's rules
command -v mkfs.ext4 >/dev/null 2>&1 || need_apt+=(e2fsprogs)      # reliability: a data folder on an ext4 image that fails
fc-list 2>/dev/null | grep -i "DejaVu Sans" >/dev/null || need_apt+=(fonts-dejavu-core)   # Latin and Cyrillic in reports
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need_apt+=(fonts-noto-cjk)     # Chinese in reports

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
        echo "riglog deps: not root and no sudo; install as root: apt-get install ${need_apt[*]:-}" >&2
        [ ${#need_apt[@]} -eq 0 ] || exit 1
    fi
fi

if [ ${#need_apt[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "riglog deps: this system has no apt-get. Install these by hand (Debian names): ${need_apt[*]}" >&2
        echo "  (libmodbus is https://libmodbus.org; pkg-config must find 'libmodbus')" >&2
        exit 1
    fi
    echo "riglog deps: installing ${need_apt[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import pymodbus' >/dev/null 2>&1; then
    echo "riglog deps: installing pymodbus (peer tests)"
    python3 -m pip install -q 'pymodbus>=3.9,<4' 2>/dev/null \
        || python3 -m pip install -q --break-system-packages 'pymodbus>=3.9,<4'
fi
if ! command -v schemathesis >/dev/null 2>&1; then
    echo "riglog deps: installing schemathesis (the web API against its OpenAPI file)"
    python3 -m pip install -q 'schemathesis==4.32.5' 2>/dev/null \
        || python3 -m pip install -q --break-system-packages 'schemathesis==4.32.5'
fi
echo "riglog deps: ready (libmodbus $(pkg-config --modversion libmodbus), $(socat -V 2>/dev/null | sed -n 's/^socat version \([^ ]*\).*/socat \1/p'), pymodbus $(python3 -c 'import pymodbus; print(pymodbus.__version__)'), schemathesis $(python3 -c 'import schemathesis; print(schemathesis.__version__)'))"
