# riglog: make deps | build | demo | test | bench | clean
# `make test` is what CI runs (.ci/run); it installs what is missing first.
SWIFT ?= swift

.PHONY: all deps build demo test bench clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build

# A simulated lab collected for 30 s into ./riglog-data (riglog demo --help for more).
demo: build
	.build/debug/riglog demo --for 30s
	@# Then the group's assessment CSV and the HTML report of the roster's first ТЭ-21 student with sessions.
	@mkdir -p riglog-data/reports
	@.build/debug/riglog export assessment --group ТЭ-21 -o riglog-data/reports/te-21-assessment.csv \
		&& echo "assessment: riglog-data/reports/te-21-assessment.csv" \
		|| echo "no assessment CSV: the demo's store has no group ТЭ-21 (see the message above)"
	@student=$$(python3 -c 'import csv, sys; n = {r["student_id"]: float(r["sessions"]) for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))}; print(next((r["id"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["group"] == "ТЭ-21" and n.get(r["id"], 0) > 0), ""))' Devices/demo/students.csv riglog-data/reports/te-21-assessment.csv 2>/dev/null); \
	if ! .build/debug/riglog report --help 2>/dev/null | grep -q "USAGE: riglog report"; then echo "no HTML report: this riglog has no report command yet"; \
	elif [ -z "$$student" ]; then echo "no HTML report: no ТЭ-21 student has a session yet (run the demo longer)"; \
	else .build/debug/riglog report student "$$student" --format html -o "riglog-data/reports/$$student.html" \
		&& echo "report:     riglog-data/reports/$$student.html"; fi

# Builds everything (the tests run the riglog binary and its helper programs), then runs every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Measurements against baselines built in the same run (see Benchmarks/README.md).
bench: deps
	python3 Benchmarks/run.py

clean:
	rm -rf .build .build-* bench-results.json Benchmarks/bin
