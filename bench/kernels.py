#!/usr/bin/env python3
"""How often leakhound's verdict on one real dump names the bug, and proves it.

The corpus is testdata/kernels: buggy/fixed pairs of small programs shaped
after blocking-bug classes of real Go services (our own code; see its
README). Each program parks its goroutines and prints a debug=2 goroutine
dump. This script builds and runs every program with every toolchain
asked for, analyzes each dump with the built leakhound (JSON), and counts:

  first        the bug's blocking line (its `// BUG` marker) is the first
               finding listed, or the first finding proves a wait-for
               cycle one of whose waits is at that line
  proof        the finding at that line is `leak` with a proof that is not
               the runtime's "(leaked)" mark (these dumps carry none)
  leak         the finding at that line is `leak` (with or without proof)
  suspect      the finding at that line is `suspect`
  missed       no leak or suspect finding at that line
  fixed leak / fixed suspect
               leak and suspect findings on the fixed programs, and on the
               negative controls testdata/go/benign (-mode debug2) and
               testdata/go/busy (its /debug/pprof/goroutine?debug=2 under
               its own load)

Every dump is analyzed twice: with the source (readable at the paths the
dump names, as on the developer's machine that built the program) and
with --no-source (the dump alone, as in an incident far from the code).
The figures of one run are printed side by side, with the wall time.

  bench/kernels.sh [--leakhound build/leakhound] [--go VERSION=GO[=GOTOOLCHAIN]]...
                   [--only NAME] [--keep DIR] [--verbose]
                   [--check MIN_FIRST_PCT MIN_PROOF_PCT MAX_FIXED_LEAK MAX_FIXED_SUSPECT]

Toolchains default to 1.19=/usr/lib/go-1.19/bin/go=local,
1.26=go=local, 1.27=go=go1.27.3 (each checked with `go version`).
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KERNELS = os.path.join(ROOT, "testdata", "kernels")
DEFAULT_GO = ["1.19=/usr/lib/go-1.19/bin/go=local", "1.26=go=local", "1.27=go=go1.27.3"]


def toolchains(specs):
    out = []
    for spec in specs:
        parts = spec.split("=")
        if len(parts) == 2:
            parts.append("local")
        if len(parts) != 3:
            sys.exit(f"kernels: --go wants VERSION=GO[=GOTOOLCHAIN], got {spec!r}")
        out.append(tuple(parts))
    return out


def go_env(work, gotoolchain):
    env = dict(os.environ)
    env.setdefault("GOCACHE", os.path.join(work, "go-cache"))
    env.setdefault("GOPATH", os.path.join(work, "go-path"))
    env["GOTOOLCHAIN"] = gotoolchain
    env["GOFLAGS"] = "-mod=mod -buildvcs=false"
    env["GO111MODULE"] = "on"
    return env


def check_toolchain(version, go, env):
    r = subprocess.run([go, "version"], env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0 or f"go version go{version}." not in r.stdout:
        sys.exit(f"kernels: Go {version} unusable: `{go} version` said {r.stdout}{r.stderr}")


def build(go, env, pkgdir, module_dir, out):
    r = subprocess.run([go, "build", "-o", out, "./" + os.path.relpath(pkgdir, module_dir)],
                       cwd=module_dir, env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"kernels: build of {pkgdir} failed: {r.stderr}")


def run_dump(binary, args=()):
    r = subprocess.run([binary, *args], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        sys.exit(f"kernels: {binary} exited {r.returncode}: {r.stderr[-500:]}")
    return r.stdout


def busy_dump(binary):
    """testdata/go/busy under its own load: its goroutine profile, debug=2."""
    p = subprocess.Popen([binary, "-addr", "127.0.0.1:0", "-selfload", "-clients", "8"],
                         stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        m = re.search(r"http://(\S+)", line)
        if not m:
            sys.exit(f"kernels: busy printed {line!r}")
        time.sleep(2.0)
        url = f"http://{m.group(1)}/debug/pprof/goroutine?debug=2"
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.read().decode("utf-8", "replace")
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


def bug_line(path):
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if re.search(r"//\s*BUG\b", line):
                return n
    sys.exit(f"kernels: {path} has no // BUG marker")


def analyze(leakhound, dump, source):
    args = [leakhound, "analyze", "--format", "json", "--no-config"]
    if not source:
        args.append("--no-source")
    r = subprocess.run(args + [dump], capture_output=True, text=True, timeout=300)
    if r.returncode not in (0, 1):  # 1: findings at --fail-on severity
        sys.exit(f"kernels: leakhound exited {r.returncode} on {dump}: {r.stderr}")
    return json.loads(r.stdout)


def at_line(report, path, line):
    for f in report["findings"]:
        b = f.get("blocking_frame")
        if b and b["line"] == line and os.path.realpath(b["file"]) == os.path.realpath(path):
            return f
    return None


def first_is(report, path, line):
    """The first finding is at the bug's line, or proves a wait-for cycle
    that runs through it (every goroutine of a deadlock cycle is its root
    as much as any other: AB-BA has two blocking lines, one marked)."""
    fs = report["findings"]
    if not fs or not fs[0].get("blocking_frame"):
        return False
    same = lambda f, n: n == line and os.path.realpath(f) == os.path.realpath(path)
    b = fs[0]["blocking_frame"]
    if same(b["file"], b["line"]):
        return True
    proof = fs[0].get("proof") or {}
    if any(same(s["wants"]["file"], s["wants"]["line"]) for s in proof.get("cycle", [])):
        return True
    # Without the source: an AB-BA shape's other half is as much the root
    # as the half the marker names (the pair is the deadlock). A writer
    # queued behind a recursive read lock is not: it is the consequence.
    return any(w.get("kind") == "ab-ba" and w.get("blocking_frame") and
               same(w["blocking_frame"]["file"], w["blocking_frame"]["line"])
               for w in fs[0].get("shape_with", []))


def raised(report):
    leak = sum(1 for f in report["findings"] if f["severity"] == "leak")
    suspect = sum(1 for f in report["findings"] if f["severity"] == "suspect")
    return leak, suspect


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leakhound", default=os.path.join(ROOT, "build", "leakhound"))
    ap.add_argument("--go", action="append", default=None)
    ap.add_argument("--only", default=None, help="one kernel by name")
    ap.add_argument("--keep", default=None, help="keep the dumps in this folder")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--check", nargs=4, type=float, default=None)
    a = ap.parse_args()

    names = sorted(d for d in os.listdir(KERNELS)
                   if os.path.isfile(os.path.join(KERNELS, d, "bug", "main.go"))
                   and os.path.isfile(os.path.join(KERNELS, d, "fixed", "main.go")))
    if a.only:
        names = [n for n in names if n == a.only]
    if not names:
        sys.exit("kernels: no kernels found under testdata/kernels")
    work = tempfile.mkdtemp(prefix="lh-kernels-")
    keep = a.keep
    if keep:
        os.makedirs(keep, exist_ok=True)
    modes = [("source", True), ("no source", False)]
    totals = {m: dict(bugs=0, first=0, proof=0, leak=0, suspect=0, missed=0, fixed_leak=0,
                      fixed_suspect=0, controls=0) for m, _ in modes}
    misses = []
    started = time.monotonic()
    analyze_secs = 0.0
    try:
        for version, go, gotc in toolchains(a.go or DEFAULT_GO):
            env = go_env(work, gotc)
            check_toolchain(version, go, env)
            bindir = os.path.join(work, "bin" + version)
            os.makedirs(bindir, exist_ok=True)
            dumps = []  # (kind, name, dump path, bug file, bug line)
            for name in names:
                for kind in ("bug", "fixed"):
                    pkg = os.path.join(KERNELS, name, kind)
                    exe = os.path.join(bindir, f"{name}-{kind}")
                    build(go, env, pkg, KERNELS, exe)
                    path = os.path.join(keep or work, f"{name}-{kind}-go{version}.txt")
                    with open(path, "w") as f:
                        f.write(run_dump(exe))
                    src = os.path.join(pkg, "main.go")
                    dumps.append((kind, name, path, src, bug_line(src) if kind == "bug" else 0))
            if not a.only:
                for control in ("benign", "busy"):
                    d = os.path.join(ROOT, "testdata", "go", control)
                    exe = os.path.join(bindir, control)
                    build(go, env, d, d, exe)
                    text = run_dump(exe, ["-mode", "debug2"]) if control == "benign" else busy_dump(exe)
                    path = os.path.join(keep or work, f"{control}-go{version}.txt")
                    with open(path, "w") as f:
                        f.write(text)
                    dumps.append(("control", control, path, "", 0))
            for mode, source in modes:
                t = totals[mode]
                for kind, name, path, src, line in dumps:
                    t0 = time.monotonic()
                    r = analyze(a.leakhound, path, source)
                    analyze_secs += time.monotonic() - t0
                    if kind == "bug":
                        t["bugs"] += 1
                        f = at_line(r, src, line)
                        sev = f["severity"] if f else None
                        proven = bool(f and f["proof"] and f["proof"]["marker"] != "(leaked)" and sev == "leak")
                        t["first"] += first_is(r, src, line)
                        t["proof"] += proven
                        t["leak"] += sev == "leak"
                        t["suspect"] += sev == "suspect"
                        t["missed"] += sev not in ("leak", "suspect")
                        if not first_is(r, src, line) or not proven:
                            top = r["findings"][0] if r["findings"] else None
                            top_where = (f"{os.path.basename(top['blocking_frame']['file'])}:"
                                         f"{top['blocking_frame']['line']} {top['pattern']} {top['severity']}"
                                         if top and top.get("blocking_frame") else "none")
                            misses.append(f"go{version} {mode:9} {name}: at BUG line {sev or 'nothing'}"
                                          f"{' (proof)' if proven else ''}; first: {top_where}")
                    else:
                        leak, suspect = raised(r)
                        t["fixed_leak"] += leak
                        t["fixed_suspect"] += suspect
                        t["controls"] += 1
                        if (leak or suspect) and a.verbose:
                            for x in r["findings"]:
                                if x["severity"] in ("leak", "suspect"):
                                    b = x.get("blocking_frame") or {}
                                    misses.append(f"go{version} {mode:9} {name} ({kind}): {x['severity']} "
                                                  f"{x['pattern']} at {os.path.basename(b.get('file', '?'))}:"
                                                  f"{b.get('line', '?')}")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    wall = time.monotonic() - started
    print(f"kernels: {len(names)} bug/fixed pairs x {len(a.go or DEFAULT_GO)} toolchains, "
          f"plus benign and busy; {wall:.1f} s wall, {analyze_secs:.2f} s in leakhound")
    print(f"{'':24}{'with source':>16}{'dump only':>16}")

    def pct(n, d):
        return f"{n}/{d} {100.0 * n / d:5.1f}%" if d else "-"

    rows = [("bug line listed first", "first"), ("leak with proof", "proof"), ("leak", "leak"),
            ("suspect", "suspect"), ("missed", "missed")]
    for label, key in rows:
        print(f"{label:24}" + "".join(f"{pct(totals[m][key], totals[m]['bugs']):>16}" for m, _ in modes))
    for label, key in (("fixed+controls leak", "fixed_leak"), ("fixed+controls suspect", "fixed_suspect")):
        print(f"{label:24}" + "".join(f"{totals[m][key]:>16}" for m, _ in modes)
              + f"   (over {totals['source']['controls']} dumps)")
    if misses and (a.verbose or a.check):
        print("\nnot first or not proven:")
        for m in misses:
            print("  " + m)
    if a.check:
        min_first, min_proof, max_leak, max_suspect = a.check
        t = totals["source"]
        ok = (100.0 * t["first"] / t["bugs"] >= min_first and 100.0 * t["proof"] / t["bugs"] >= min_proof
              and t["fixed_leak"] <= max_leak and t["fixed_suspect"] <= max_suspect)
        print("check (with source):", "ok" if ok else "FAILED")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
