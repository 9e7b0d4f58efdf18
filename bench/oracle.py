#!/usr/bin/env python3
"""The Go runtime's own leak detector as an oracle for leakhound's verdicts.

Go 1.26 ships the programs its goroutine leak detector is tested with
($GOROOT/src/runtime/testdata/testgoroutineleakprofile). Each registered
test leaks (or, for the negative controls, does not leak) goroutines and
prints the goroutineleak profile at debug=2: a full traceback dump in
which the goroutines the GC proved unreachable carry "(leaked)".

This script copies the top-level .go files of that folder into a temporary
directory (they are never kept in this repository), builds them with Go
1.26, runs every name given to register(...) with the environment the
runtime's own test uses (goroutineleakprofile_test.go), and scores
leakhound against the marks:

  recall        marked goroutines leakhound raises (leak or suspect) when
                the "(leaked)" markers are removed from the dump first
  false alarms  unmarked goroutines it raises (the running goroutine that
                writes the profile is left out)
  marker kept   with the markers left in, every marked goroutine must be
                a leak finding

The goker/ subfolder (ports of the GoBench kernels) is never read: only
the top-level package is used.

  bench/oracle.sh [--go GO] [--leakhound BIN] [--reps N] [--keep DIR] [--source]
                  [--leakhound-arg=ARG]... [--verbose]
                  [--check MIN_RECALL_PERCENT MAX_FALSE_ALARMS [MIN_STACK_RECALL_PERCENT]]

By default leakhound reads the programs' source lines from the paths in
the dumps (they exist while the script runs), as it does on a developer's
machine; --leakhound-arg=--no-source scores the dump alone, --source also
runs the linter over the programs.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HEADER = re.compile(r"^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[(.*)\]:\s*$")
REGISTER = re.compile(r'\bregister\(\s*"([^"]+)"')


def die(msg):
    print("oracle: " + msg, file=sys.stderr)
    sys.exit(2)


def parse_dump(text):
    """Goroutines of a traceback dump: id -> dict(state, leaked, key)."""
    gs = {}
    cur = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = HEADER.match(line)
        if m:
            status = m.group(2)
            cur = {
                "id": int(m.group(1)),
                "status": status,
                "leaked": " (leaked)" in status,
                "state": status.replace(" (leaked)", "").split(",")[0],
                "frames": [],
                "creator": None,
            }
            gs[cur["id"]] = cur
            i += 1
            continue
        if cur is not None and line and not line.startswith("\t"):
            loc = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("\t") else ""
            fl = loc.strip().split(" ")[0]
            lineno = int(fl.rsplit(":", 1)[1]) if ":" in fl and fl.rsplit(":", 1)[1].isdigit() else 0
            if line.startswith("created by "):
                fn = line[len("created by "):].split(" in goroutine ")[0]
                cur["creator"] = (fn, lineno)
            elif not line.startswith("..."):
                fn = line[: line.rfind("(")] if line.endswith(")") else line
                cur["frames"].append((fn, lineno))
        elif not line:
            cur = None
        i += 1
    return gs


def is_writer(g):
    """The goroutine writing the profile: running inside runtime/pprof."""
    return g["state"] == "running" and any(fn.startswith("runtime/pprof.") for fn, _ in g["frames"])


def strip_markers(text):
    return "\n".join(
        l.replace(" (leaked)", "") if l.startswith("goroutine ") else l for l in text.split("\n")
    )


def goroutine_key(g):
    return (tuple(g["frames"]), g["creator"])


def finding_key(f):
    frames = tuple((fr["function"], fr["line"]) for fr in f.get("frames") or [])
    c = f.get("creator")
    return (frames, (c["function"], c["line"]) if c else None)


def findings_by_goroutine(report, gs, marked):
    """goroutine id -> (severity, confidence, pattern)."""
    out = {}
    for f in report.get("findings", []):
        proof = f.get("proof") or {}
        verdict = (f["severity"], f["confidence"], f["pattern"], proof.get("marker"))
        if f.get("ids_omitted", 0) == 0 and len(f.get("ids", [])) == f["count"]:
            members = f["ids"]
        else:  # more ids than the JSON lists: match the stack instead
            # Buckets split by "(leaked)" too: the listed ids say which side.
            key = finding_key(f)
            leaked = None
            if marked and f.get("ids") and f["ids"][0] in gs:
                leaked = gs[f["ids"][0]]["leaked"]
            members = [
                g["id"]
                for g in gs.values()
                if goroutine_key(g) == key and g["state"].startswith(f["state"])
                and (leaked is None or g["leaked"] == leaked)
            ]
            if len(members) != f["count"]:
                raise RuntimeError(
                    "finding of %d goroutines at %s matched %d in the dump"
                    % (f["count"], key[0][:1], len(members))
                )
        for gid in members:
            out[gid] = verdict
    return out


def run_leakhound(binary, path, extra):
    p = subprocess.run(
        [binary, "analyze", "--format", "json", "--no-config", "--all", "--no-progress"]
        + extra + [path],
        capture_output=True,
        text=True,
    )
    if p.returncode not in (0, 1):
        raise RuntimeError("leakhound exit %d on %s: %s" % (p.returncode, path, p.stderr[-500:]))
    return json.loads(p.stdout)


def test_env_kinds(goroot):
    """Test name -> simple (GOMAXPROCS=1) as the runtime's test declares it."""
    kinds = {}
    path = os.path.join(goroot, "src/runtime/goroutineleakprofile_test.go")
    try:
        src = open(path).read()
    except OSError:
        return kinds
    for m in re.finditer(r'\b(makeTest|makeFlakyTest)\(\s*"([^"]+)"', src):
        kinds[m.group(2)] = m.group(1) == "makeTest"
    return kinds


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--go", default=os.environ.get("GO126", "/usr/local/go/bin/go"))
    ap.add_argument("--leakhound", default=os.path.join(root, "build", "leakhound"))
    ap.add_argument("--reps", type=int, default=1, help="runs of each test (default 1)")
    ap.add_argument("--keep", help="write the dumps and reports here")
    ap.add_argument("--verbose", action="store_true", help="list every miss and false alarm")
    ap.add_argument("--source", action="store_true",
                    help="give leakhound the programs' source (analyze --source DIR): lint "
                         "findings then meet the runtime ones")
    ap.add_argument("--leakhound-arg", action="append", default=[],
                    help="extra argument for leakhound analyze (repeatable), e.g. --no-source")
    ap.add_argument("--check", nargs="+", type=float, metavar="N",
                    help="MIN_RECALL_PERCENT MAX_FALSE_ALARMS [MIN_STACK_RECALL_PERCENT]: "
                         "exit 1 below these")
    args = ap.parse_args()
    t0 = time.time()
    extra = args.leakhound_arg

    if not os.access(args.leakhound, os.X_OK):
        die("no leakhound binary at %s (build first)" % args.leakhound)
    try:
        goroot = subprocess.run(
            [args.go, "env", "GOROOT"], capture_output=True, text=True, check=True,
            env=dict(os.environ, GOTOOLCHAIN="local"),
        ).stdout.strip()
        version = subprocess.run(
            [args.go, "env", "GOVERSION"], capture_output=True, text=True, check=True,
            env=dict(os.environ, GOTOOLCHAIN="local"),
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        die("cannot run %s: %s" % (args.go, e))
    progdir = os.path.join(goroot, "src/runtime/testdata/testgoroutineleakprofile")
    if not os.path.isdir(progdir):
        die("%s has no %s (Go 1.26 or later needed)" % (version, progdir))

    tmp = tempfile.mkdtemp(prefix="leakhound-oracle-")
    try:
        src = os.path.join(tmp, "src")
        os.mkdir(src)
        names = []
        for f in sorted(os.listdir(progdir)):
            p = os.path.join(progdir, f)
            if f.endswith(".go") and not f.endswith("_test.go") and os.path.isfile(p):
                shutil.copy(p, src)
                names += REGISTER.findall(open(p).read())
        with open(os.path.join(src, "go.mod"), "w") as f:
            f.write("module testgoroutineleakprofile\n\ngo 1.26\n")
        benv = dict(os.environ, GOTOOLCHAIN="local", GOEXPERIMENT="goroutineleakprofile",
                    GOPROXY="off", GOFLAGS="-mod=mod", GOWORK="off")
        if not benv.get("HOME") and not benv.get("GOCACHE"):
            benv["GOCACHE"] = os.path.join(tmp, "gocache")
        prog = os.path.join(tmp, "testgoroutineleakprofile")
        b = subprocess.run([args.go, "build", "-o", prog, "."], cwd=src, env=benv,
                           capture_output=True, text=True)
        if b.returncode != 0:
            die("go build failed:\n" + b.stderr)
        t_build = time.time() - t0

        if args.source:
            extra = extra + ["--source", src]
        kinds = test_env_kinds(goroot)
        base_env = {k: v for k, v in os.environ.items()
                    if k not in ("GOMAXPROCS", "GODEBUG", "GOEXPERIMENT", "GOTRACEBACK")}
        rows, problems, details = [], [], []
        t_run = t_an = 0.0
        for name in names:
            env = dict(base_env, GODEBUG="asyncpreemptoff=1", GOEXPERIMENT="goroutineleakprofile")
            simple = kinds.get(name, True)
            if simple:
                env["GOMAXPROCS"] = "1"
            row = dict(name=name, simple=simple, runs=0, total=0, marked=0, found=0,
                       kept_leak=0, unmarked=0, false=0, twins=0, proved=0, false_proofs=0)
            sites, found_sites = set(), set()  # distinct places of marked goroutines
            for rep in range(args.reps):
                ts = time.time()
                try:
                    p = subprocess.run([prog, name], env=env, capture_output=True, text=True,
                                       timeout=120)
                except subprocess.TimeoutExpired:
                    problems.append("%s: timed out" % name)
                    continue
                t_run += time.time() - ts
                if p.returncode != 0 or not p.stdout.strip():
                    problems.append("%s: exit %d, %d bytes of output: %s"
                                    % (name, p.returncode, len(p.stdout), p.stderr[-300:]))
                    continue
                dump = p.stdout
                gs = parse_dump(dump)
                if not gs:
                    problems.append("%s: no goroutines in the output" % name)
                    continue
                stem = os.path.join(args.keep or tmp, "%s.%d" % (name, rep))
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                with open(stem + ".marked.txt", "w") as f:
                    f.write(dump)
                with open(stem + ".stripped.txt", "w") as f:
                    f.write(strip_markers(dump))
                ts = time.time()
                try:
                    blind = run_leakhound(args.leakhound, stem + ".stripped.txt", extra)
                    kept = run_leakhound(args.leakhound, stem + ".marked.txt", extra)
                    vb = findings_by_goroutine(blind, gs, False)
                    vk = findings_by_goroutine(kept, gs, True)
                except (RuntimeError, ValueError) as e:
                    problems.append("%s: %s" % (name, e))
                    continue
                t_an += time.time() - ts
                if args.keep:
                    for tag, rep_json in (("stripped", blind), ("marked", kept)):
                        with open(stem + "." + tag + ".json", "w") as f:
                            json.dump(rep_json, f, indent=1)
                row["runs"] += 1
                # The runtime does not always mark every goroutine of a
                # leaking place (it marks those it found blocked when its
                # leak-finding GC cycle ran): unmarked goroutines at the
                # same stack and state as marked ones in the same dump are
                # counted apart ("twins"), not as false alarms.
                marked_here = {(g["state"],) + goroutine_key(g) for g in gs.values() if g["leaked"]}
                for g in gs.values():
                    row["total"] += 1
                    sev, conf, pat, proof = vb.get(g["id"], ("none", 0.0, "-", None))
                    raised = sev in ("leak", "suspect")
                    top = next((fn for fn, _ in g["frames"]
                                if not fn.startswith(("runtime.", "sync.", "internal/"))),
                               g["frames"][0][0] if g["frames"] else "?")
                    desc = "%s run %d: goroutine %d [%s] %s -> %s %s %.2f" % (
                        name, rep + 1, g["id"], g["state"], top, sev, pat, conf)
                    if g["leaked"]:
                        site = (g["state"],) + goroutine_key(g)
                        sites.add(site)
                        if raised:
                            found_sites.add(site)
                        row["marked"] += 1
                        row["found"] += raised
                        row["proved"] += sev == "leak" and proof is not None
                        if not raised:
                            details.append("miss   " + desc)
                        ksev = vk.get(g["id"], ("none", 0, "-"))[0]
                        if ksev == "leak":
                            row["kept_leak"] += 1
                        else:
                            problems.append("%s run %d: marked goroutine %d is '%s' with the "
                                            "marker kept" % (name, rep + 1, g["id"], ksev))
                    elif not is_writer(g):
                        row["unmarked"] += 1
                        if proof is not None and (g["state"],) + goroutine_key(g) not in marked_here:
                            row["false_proofs"] += 1
                            details.append("PROOF  " + desc)
                        if not raised:
                            continue
                        if (g["state"],) + goroutine_key(g) in marked_here:
                            row["twins"] += 1
                        else:
                            row["false"] += 1
                            details.append("false  " + desc)
            row["sites"], row["found_sites"] = len(sites), len(found_sites)
            rows.append(row)

        cols = "%-24s %4s %6s %7s %11s %11s %9s %10s %8s %6s %6s"
        hdr = cols % ("program", "runs", "gor.", "marked", "recall", "proved", "sites", "kept→leak",
                      "unmarked", "false", "twins")
        print("leakhound vs the Go runtime's (leaked) marks — %s, %s%s" % (
            version, args.leakhound, " " + " ".join(extra) if extra else ""))
        print(hdr)
        print("-" * len(hdr))
        keys = ("runs", "total", "marked", "found", "proved", "sites", "found_sites", "kept_leak",
                "unmarked", "false", "false_proofs", "twins")
        tot = dict.fromkeys(keys, 0)

        def frac(a, b):
            return "%d/%d" % (a, b) if b else "-"

        for r in rows + [None]:
            if r is None:
                print("-" * len(hdr))
                r = dict(tot, name="total")
            else:
                for k in keys:
                    tot[k] += r[k]
            print(cols % (r["name"], r["runs"], r["total"], r["marked"],
                          frac(r["found"], r["marked"]), frac(r["proved"], r["marked"]),
                          frac(r["found_sites"], r["sites"]),
                          frac(r["kept_leak"], r["marked"]), r["unmarked"], r["false"], r["twins"]))
        recall = 100.0 * tot["found"] / tot["marked"] if tot["marked"] else 100.0
        site_recall = 100.0 * tot["found_sites"] / tot["sites"] if tot["sites"] else 100.0
        clean = sum(1 for r in rows if r["found"] == r["marked"] and r["false"] == 0)
        print("recall %.1f%% of marked goroutines (%.1f%% of their distinct stacks); "
              "%d false alarm(s) among %d unmarked (+%d raised twins of marked goroutines); "
              "programs fully right: %d/%d"
              % (recall, site_recall, tot["false"], tot["unmarked"], tot["twins"], clean,
                 len(rows)))
        print("proved by leakhound itself (markers removed): %.1f%% of marked goroutines; "
              "proofs on unmarked goroutines: %d"
              % (100.0 * tot["proved"] / tot["marked"] if tot["marked"] else 100.0,
                 tot["false_proofs"]))
        print("time: %.1f s total (build %.1f s, programs %.1f s, leakhound %.1f s)"
              % (time.time() - t0, t_build, t_run, t_an))
        shown = details if args.verbose else details[:20]
        for d in shown:
            print("  " + d)
        if len(shown) < len(details):
            print("  ... %d more (--verbose)" % (len(details) - len(shown)))
        for p in problems:
            print("problem: " + p)
        if args.check:
            if len(args.check) not in (2, 3):
                die("--check takes MIN_RECALL MAX_FALSE [MIN_STACK_RECALL]")
            min_recall, max_false = args.check[0], args.check[1]
            min_sites = args.check[2] if len(args.check) == 3 else 0
            fails = []
            if site_recall < min_sites:
                fails.append("recall by distinct stack %.1f%% < %.1f%%" % (site_recall, min_sites))
            if recall < min_recall:
                fails.append("recall %.1f%% < %.1f%%" % (recall, min_recall))
            if tot["false"] > max_false:
                fails.append("%d false alarms > %d" % (tot["false"], max_false))
            if problems:
                fails.append("%d problem(s) above" % len(problems))
            if len(rows) == 0 or tot["marked"] == 0:
                fails.append("no marked goroutines at all")
            if fails:
                print("FAIL: " + "; ".join(fails))
                return 1
            print("PASS: recall %.1f%% >= %.1f%% (by stack %.1f%% >= %.1f%%), "
                  "%d false alarms <= %d"
                  % (recall, min_recall, site_recall, min_sites, tot["false"], max_false))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
