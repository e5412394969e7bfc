# riglog: make deps | build | demo | install | deb | test | golden | bench | reliability | tsan | asan | clean
# `make test` is what CI runs (.ci/run); it installs what is missing first.
SWIFT ?= swift
# make install PREFIX=$HOME/.local puts bin/riglog there; DESTDIR stages it (packaging).
PREFIX ?= /usr/local

.PHONY: all deps build demo install deb test golden bench reliability tsan asan clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build

# A simulated lab collected for 30 s into ./riglog-data (riglog demo --help for more); it ends by
# writing the busiest student's HTML report and their group's assessment CSV to riglog-data/reports.
demo: build
	.build/debug/riglog demo --for 30s

# A release build of riglog copied to $(DESTDIR)$(PREFIX)/bin/riglog (sudo for /usr/local), with
# the web UI's resources beside it. The Swift runtime is linked in, as in the package (make deb):
# the two share .build/release, and switching that flag in one build folder breaks its next link.
install: deps
	$(SWIFT) build -c release --static-swift-stdlib --product riglog
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 "$$($(SWIFT) build -c release --show-bin-path)/riglog" "$(DESTDIR)$(PREFIX)/bin/riglog"
	# The web UI's templates, scripts and styles: found next to the binary (Bundle.module).
	rm -rf "$(DESTDIR)$(PREFIX)/bin/riglog_LabWeb.resources"
	cp -R "$$($(SWIFT) build -c release --show-bin-path)/riglog_LabWeb.resources" "$(DESTDIR)$(PREFIX)/bin/"
	# The shipped profiles and dashboards, found by the installed binary when no ./Devices is at hand.
	install -d "$(DESTDIR)$(PREFIX)/share/riglog"
	rm -rf "$(DESTDIR)$(PREFIX)/share/riglog/Devices" "$(DESTDIR)$(PREFIX)/share/riglog/Dashboards"
	cp -R Devices Dashboards "$(DESTDIR)$(PREFIX)/share/riglog/"

# The Debian package for a lab PC (README, "Install on a lab PC"): a release build with the Swift
# runtime linked in; the last line printed is the .deb's path (scripts/deb.sh --help for more).
deb: deps
	SWIFT=$(SWIFT) bash scripts/deb.sh

# Builds everything (the tests run the riglog binary and its helper programs), then runs every test:
# the in-process lab runs in a test process of their own, beside the rest (scripts/test.sh says why).
test: deps
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) bash scripts/test.sh

# Rewrites the report golden files (Tests/ReportsTests/Golden) after an intended change: never a
# test mode, the tests only read them (scripts/golden.sh). Review the diff before committing.
golden: deps
	SWIFT=$(SWIFT) bash scripts/golden.sh

# Measurements against baselines built in the same run (see Benchmarks/README.md).
bench: deps
	python3 Benchmarks/run.py

# The reliability suite at full length (faults, 50 kill -9 cycles, full and read-only disks, clock
# steps, web security, libFuzzer, valgrind at the libmodbus boundary), then its table
# (scripts/reliability.sh; README, "Reliability"). About half an hour; `make test` runs it bounded.
reliability: deps
	SWIFT=$(SWIFT) bash scripts/reliability.sh

# The whole test suite built and run under ThreadSanitizer / AddressSanitizer (scripts/sanitize.sh).
tsan: deps
	SWIFT=$(SWIFT) bash scripts/sanitize.sh thread

asan: deps
	SWIFT=$(SWIFT) bash scripts/sanitize.sh address

clean:
	rm -rf .build .build-* bench-results.json Benchmarks/bin
