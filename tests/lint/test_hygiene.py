#!/usr/bin/env python3
"""Fails on the test habits that break on a loaded machine or beside other people's processes.

- An upper bound on a measured time in a CHECK/REQUIRE (`took < 1s`, `r.seconds < 15`,
  `steady_clock::now() - start < 2s`): a slow machine fails it. Assert outcomes or wait for events
  (support/eventually.h); speed belongs to bench/. A bound that only catches a hang (failing it
  means "hung", never "slow") is allowed when its line says `hang guard` in a comment. Lower bounds
  (`took >= 250ms`: a deadline was honoured) cannot fail from load and are allowed.
- Ending processes by name (pkill, killall, pidof): it can hit processes that are not the test's.
  Kill by the PID the test started.
- Skipping with a warning when a tool is missing (`WARN("… not installed …"); return;`): a tool
  `make test` installs (.ci/install-deps) must make the test fail when it is absent.

Usage: test_hygiene.py TESTS_DIR. Prints FILE:LINE: what is wrong, one line per finding.
"""
import pathlib
import re
import sys

from findings import report

TIME_WORDS = re.compile(r"steady_clock|system_clock|elapsed|seconds_since|\btook\b|\.seconds\b|duration_ms")
UPPER_BOUND = re.compile(r"\s<=?\s")
ASSERTION = re.compile(r"\b(CHECK|REQUIRE)(_FALSE|_THAT)?\s*\(")
KILL_BY_NAME = re.compile(r"\b(pkill|killall|pidof)\b")
SKIP_WARNING = re.compile(r"\b(WARN|SUCCEED)\s*\(.*(skip|install|not found|missing)", re.IGNORECASE)


def code_part(line):
    """The line without a trailing // comment (good enough for this tree: no // inside strings
    that matter here)."""
    at = line.find("//")
    return line if at < 0 else line[:at]


def findings(path):
    lines = path.read_text(errors="replace").splitlines()
    for number, line in enumerate(lines, 1):
        code = code_part(line)
        if ASSERTION.search(code) and TIME_WORDS.search(code) and UPPER_BOUND.search(code):
            if "hang guard" not in line:
                yield number, "an upper bound on a measured time: assert the outcome or wait for an event"
        if KILL_BY_NAME.search(code):
            yield number, "ends processes by name: kill only the PID the test started"
        if SKIP_WARNING.search(code):
            yield number, "skips with a warning: a missing tool that make test installs is a failure"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tests = pathlib.Path(sys.argv[1])
    found = []
    for path in sorted(tests.rglob("*")):
        if path.is_file() and path.suffix in (".cpp", ".h", ".sh", "") and path.parent.name != "lint":
            found += [f"{path}:{n}: {why}" for n, why in findings(path)]
    report(found, f"no timing bounds, kills by name or skips in {tests}")


if __name__ == "__main__":
    main()
