#!/usr/bin/env bash
# Builds riglog's Debian package; the last line printed is the path of the .deb.
#
#   scripts/deb.sh                         release build, Swift runtime linked in (make deb)
#   scripts/deb.sh --configuration debug --runtime private --skip-build
#                                          the build `make test` made, its Swift runtime shipped
#                                          privately in /usr/lib/riglog (the install test)
#   options: --out DIR (default .build/deb)   --compression xz|gzip (default xz)
#            --scratch-path DIR (swift build's; make bench's static release build is .build/micro)
#
# What goes where (DESIGN.md, "Installed on a lab PC"):
#   /usr/lib/riglog/riglog, riglog_LabWeb.resources/   the binary and the web UI's templates
#   /usr/bin/riglog -> ../lib/riglog/riglog
#   /usr/share/riglog/Devices, /usr/share/riglog/Dashboards
#   /usr/share/man/man1/riglog*.1.gz                   from the commands' help (generate-manual)
#   bash, zsh and fish completions                     from riglog --generate-completion-script
#   /lib/systemd/system/riglog.service, /etc/default/riglog, /etc/riglog/ (lab.yaml goes there)
#   maintainer scripts: the riglog system user in dialout; purge keeps /var/lib/riglog
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
configuration=release
runtime=static
build=yes
out=.build/deb
compression=xz
scratch=()

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
fail() { echo "deb: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case "$1" in
        --configuration) configuration=${2:?}; shift 2 ;;
        --runtime) runtime=${2:?}; shift 2 ;;
        --skip-build) build=no; shift ;;
        --out) out=${2:?}; shift 2 ;;
        --compression) compression=${2:?}; shift 2 ;;
        --scratch-path) scratch=(--scratch-path "${2:?}"); shift 2 ;;
        -h|--help) usage ;;
        *) echo "deb: unknown option $1" >&2; usage ;;
    esac
done
case "$configuration" in release|debug) ;; *) fail "--configuration: found \"$configuration\", expected release or debug" ;; esac
case "$runtime" in static|private) ;; *) fail "--runtime: found \"$runtime\", expected static or private" ;; esac
case "$compression" in xz|gzip) ;; *) fail "--compression: found \"$compression\", expected xz or gzip" ;; esac
for tool in dpkg-deb dpkg-shlibdeps patchelf strip readelf; do
    command -v "$tool" >/dev/null || fail "$tool is missing: make deps installs it (Debian: dpkg-dev, patchelf, binutils)"
done

static_flag=()
[ "$runtime" = static ] && static_flag=(--static-swift-stdlib)
if [ "$build" = yes ]; then
    echo "deb: building riglog ($configuration, Swift runtime $runtime)" >&2
    "$SWIFT" build -c "$configuration" "${scratch[@]}" "${static_flag[@]}" --product riglog >&2
fi
bin=$("$SWIFT" build -c "$configuration" "${scratch[@]}" --show-bin-path)
[ -x "$bin/riglog" ] || fail "no riglog in $bin: build it first (make build, or drop --skip-build)"
[ -d "$bin/riglog_LabWeb.resources" ] || fail "no riglog_LabWeb.resources beside $bin/riglog"
toolchain_libs=$(ldd "$bin/riglog" | awk '$3 ~ /\/lib\/swift\// {print $3}')
if [ "$runtime" = static ] && [ -n "$toolchain_libs" ]; then
    fail "$bin/riglog loads the Swift runtime from the toolchain; build it with --static-swift-stdlib, or package it with --runtime private"
fi
if [ "$runtime" = private ] && [ -z "$toolchain_libs" ]; then
    fail "$bin/riglog has the Swift runtime linked in: package it with --runtime static"
fi

version=$("$bin/riglog" --version)
# A school packaging its own build puts its address here (DEB_MAINTAINER="Name <address>").
maintainer=${DEB_MAINTAINER:-"riglog authors <riglog@example.org>"}
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/riglog"
umask 022

# The binary and what it reads beside itself.
install -d "$root/usr/lib/riglog" "$root/usr/bin"
install -m 755 "$bin/riglog" "$root/usr/lib/riglog/riglog"
cp -R "$bin/riglog_LabWeb.resources" "$root/usr/lib/riglog/"
if [ "$runtime" = private ]; then
    for lib in $toolchain_libs; do install -m 644 "$lib" "$root/usr/lib/riglog/"; done
    # Found beside the binary, never in the build machine's toolchain folder.
    patchelf --set-rpath '$ORIGIN' "$root/usr/lib/riglog/riglog"
    for lib in "$root"/usr/lib/riglog/*.so*; do patchelf --set-rpath '$ORIGIN' "$lib"; done
fi
strip --strip-unneeded --remove-section=.comment "$root/usr/lib/riglog/riglog"
for lib in "$root"/usr/lib/riglog/*.so*; do [ -e "$lib" ] && strip --strip-unneeded --remove-section=.comment "$lib"; done
ln -s ../lib/riglog/riglog "$root/usr/bin/riglog"

# Profiles and dashboards, found by the installed binary (InstalledProfiles).
install -d "$root/usr/share/riglog"
cp -R Devices Dashboards "$root/usr/share/riglog/"

# Man pages from the commands' help, by swift-argument-parser's own generator.
manual_tool_build=.build/generate-manual
if [ ! -x "$manual_tool_build/debug/generate-manual" ]; then
    [ -d .build/checkouts/swift-argument-parser ] || "$SWIFT" package resolve >&2
    echo "deb: building swift-argument-parser's generate-manual" >&2
    "$SWIFT" build --package-path .build/checkouts/swift-argument-parser --scratch-path "$manual_tool_build" \
        --product generate-manual >&2
fi
install -d "$root/usr/share/man/man1"
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}" +%Y-%m-%d)
# One page, riglog(1), with every subcommand in it. The help texts' blank lines become paragraph
# breaks and their indented example lines literal blocks, as mdoc wants them.
"$manual_tool_build/debug/generate-manual" "$root/usr/lib/riglog/riglog" --date "$date" \
    --authors "riglog authors" --output-directory - \
    | awk '
        /^  / && !/^\./ { if (!literal) { print ".Bd -literal -offset indent"; literal = 1 } print; next }
        literal { print ".Ed"; literal = 0 }
        /^$/ { print ".Pp"; next }
        { print }
        END { if (literal) print ".Ed" }' \
    | gzip -9n >"$root/usr/share/man/man1/riglog.1.gz"

# Shell completions.
install -d "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d"
# bash-completion sources the file: no #! line.
"$bin/riglog" --generate-completion-script bash | sed '1{/^#!/d}' >"$root/usr/share/bash-completion/completions/riglog"
"$bin/riglog" --generate-completion-script zsh >"$root/usr/share/zsh/vendor-completions/_riglog"
"$bin/riglog" --generate-completion-script fish >"$root/usr/share/fish/vendor_completions.d/riglog.fish"

# The service, its settings, and the folder the lab config goes in.
install -d "$root/lib/systemd/system" "$root/etc/default" "$root/etc/riglog"
install -m 644 Packaging/debian/riglog.service "$root/lib/systemd/system/riglog.service"
install -m 644 Packaging/debian/default "$root/etc/default/riglog"

install -d "$root/usr/share/doc/riglog"
install -m 644 Packaging/debian/copyright "$root/usr/share/doc/riglog/copyright"
sed -e "s/^riglog ([^)]*)/riglog ($version)/" -e "s/^ -- [^>]*>/ -- $maintainer/" Packaging/debian/changelog | gzip -9n >"$root/usr/share/doc/riglog/changelog.gz"
gzip -9nc README.md >"$root/usr/share/doc/riglog/README.md.gz"
# Yams, the YAML parser riglog reads profiles and lab configs with, builds libyaml into every
# program that uses it (Swift packages link statically); there is no system libyaml to use instead.
install -d "$root/usr/share/lintian/overrides"
install -m 644 Packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/riglog"

# Control files. Depends: the shared libraries the binary loads (dpkg-shlibdeps), the charts
# the web UI serves from Debian's package, and adduser for the service user (deb-systemd-helper,
# which enables the unit, is in init-system-helpers, an essential package).
install -d "$root/DEBIAN"
install -m 755 Packaging/debian/postinst Packaging/debian/prerm Packaging/debian/postrm "$root/DEBIAN/"
echo /etc/default/riglog >"$root/DEBIAN/conffiles"
mkdir -p "$work/src/debian"
printf 'Source: riglog\n\nPackage: riglog\nArchitecture: any\n' >"$work/src/debian/control"
objects=("$root/usr/lib/riglog/riglog")
[ "$runtime" = private ] && objects+=("$root"/usr/lib/riglog/*.so*)
shlibs=$(cd "$work/src" && dpkg-shlibdeps -O --ignore-missing-info -l"$root/usr/lib/riglog" "${objects[@]}" 2>/dev/null \
    | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || fail "dpkg-shlibdeps found no shared libraries for $bin/riglog"
# dpkg-shlibdeps reads glibc's symbol versions, not the loader's: riglog's packed relocations
# (RELR, Package.swift's `lean`) need glibc 2.36, and an older loader refuses to start it.
if readelf -VW "$root/usr/lib/riglog/riglog" | grep -q GLIBC_ABI_DT_RELR; then
    libc=$(echo "$shlibs" | sed -n 's/.*libc6 (>= \([^)]*\)).*/\1/p')
    if [ -z "$libc" ]; then
        shlibs="libc6 (>= 2.36), $shlibs"
    elif dpkg --compare-versions "$libc" lt 2.36; then
        shlibs=$(echo "$shlibs" | sed "s/libc6 (>= $libc)/libc6 (>= 2.36)/")
    fi
fi
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: riglog
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $shlibs, libjs-dygraphs, adduser
Section: science
Priority: optional
Description: telemetry collector for vocational training rigs
 riglog polls the training rigs of a workshop lab (brake, engine, EV battery,
 transmission and rail trainers) over Modbus TCP or RTU, never writing to them,
 stores their samples compactly in SQLite, and turns them into per-student
 practice logs: sessions, exercises attempted and passed, alarms, active time.
 .
 It serves a lab board, rig pages and an instructor portal in the browser,
 exports assessment CSV for Moodle, Canvas and Excel, and can forward to a
 school-wide PostgreSQL. riglog.service runs the collector on
 /etc/riglog/lab.yaml as the riglog user.
EOF

mkdir -p "$out"
deb="$out/riglog_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"$compression" --build "$root" "$deb" >&2
echo "$deb"
