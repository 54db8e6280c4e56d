#!/usr/bin/python3
"""End-to-end test of `livecheck eval`: runs the real binary and model pack on a small set built
at test time from the dev set (a manifest and a folder of symlinks), then checks report.json,
report.md, the PNG plots and the exit codes. Runs with Debian's /usr/bin/python3 (python3-opencv
for decoding the PNGs); no dataset file is copied, only linked or referenced.
"""
import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys

import cv2

NOFACE_IMAGE = "/usr/share/doc/opencv-doc/examples/data/fruits.jpg"
MISSING = "live/this_file_does_not_exist.png"
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def pick_rows(dev):
    """About 40 image rows: live, print and replay, full frames and crops, from every source."""
    with open(os.path.join(dev, "MANIFEST.tsv"), newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        header = reader.fieldnames
        rows = [r for r in reader if not r["path"].startswith("videos/")]
    groups = {}
    for r in rows:
        kind = "full-frame" if "full-frame" in r["notes"] else "face-crop"
        groups.setdefault((r["label"], r["attack_type"], kind), []).append(r)
    picked = []
    for key in sorted(groups):
        g = groups[key]
        step = max(1, len(g) // 8)
        picked += g[::step][:8]
    return header, picked


def write_manifest(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, delimiter="\t", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def rate(num, den):
    return num / den if den else None


def check_pngs(out):
    for name in ("det.png", "hist.png"):
        img = cv2.imread(os.path.join(out, name))
        check(img is not None, f"{name} decodes")
        if img is not None:
            check(img.shape == (700, 900, 3), f"{name} is 900x700 BGR, got {img.shape}")
            check(int((img < 250).any(axis=2).sum()) > 5000, f"{name} has drawn content")


def check_manifest_run(out, rows, threshold):
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    n = len(rows)
    check(rep["counts"]["images"] == n, f"counts.images == {n}: {rep['counts']['images']}")
    check(rep["counts"]["failed"] == 1, f"one failure: {rep['counts']['failed']}")
    check(len(rep["failures"]) == 1 and rep["failures"][0]["path"] == MISSING,
          f"the missing file is listed: {rep['failures']}")
    if rep["failures"]:
        check(rep["failures"][0]["error"]["code"] == "not_found", "missing file is not_found")
    check(rep["threshold"] == threshold and rep["score"] == "calibrated", "score and threshold")
    check(len(rep["images"]) == n, "one row per image")

    m = rep["metrics"]
    at = m["at_threshold"]
    check(set(at["apcer_by_type"]) == {"print", "replay"}, f"types: {at['apcer_by_type']}")
    check(set(m["per_attack_type"]) == {"print", "replay"}, "per_attack_type")
    # Recompute APCER/BPCER from the per-image rows, with the stated treatment: no face = not
    # accepted (live: counts towards BPCER), failures excluded.
    live = [r for r in rep["images"] if r["label"] == "live" and r["error"] is None]
    spoof = [r for r in rep["images"] if r["label"] == "spoof" and r["error"] is None]
    acc = lambda r: r["score"] is not None and r["score"] <= threshold  # noqa: E731
    bpcer = rate(sum(not acc(r) for r in live), len(live))
    apcer = {}
    for t in ("print", "replay"):
        s = [r for r in spoof if r["attack_type"] == t]
        apcer[t] = rate(sum(acc(r) for r in s), len(s))
    check(math.isclose(at["bpcer"], bpcer, abs_tol=1e-12), f"BPCER {at['bpcer']} vs {bpcer}")
    for t, v in apcer.items():
        check(math.isclose(at["apcer_by_type"][t], v, abs_tol=1e-12), f"APCER {t}")
    check(math.isclose(at["apcer_max"], max(apcer.values()), abs_tol=1e-12), "APCER max")
    pooled = rate(sum(acc(r) for r in spoof), len(spoof))
    check(math.isclose(at["apcer_pooled"], pooled, abs_tol=1e-12), "APCER pooled")
    check(math.isclose(at["acer"], (at["apcer_max"] + at["bpcer"]) / 2, abs_tol=1e-12), "ACER")
    for r in rep["images"]:
        if r["label"] in ("live", "spoof") and r["error"] is None:
            check(r["accepted"] == acc(r), f"accepted flag of {r['path']}")
    # AUC, rank-based, from the rows.
    sc = lambda r: math.inf if r["score"] is None else r["score"]  # noqa: E731
    pairs = sum(1.0 if sc(a) > sc(b) else 0.5 if sc(a) == sc(b) else 0.0
                for a in spoof for b in live)
    check(math.isclose(m["auc"], pairs / (len(spoof) * len(live)), abs_tol=1e-12), "AUC")

    check(len(m["bpcer_at_apcer"]) == 4 and len(m["apcer_at_bpcer"]) == 2, "operating points")
    for op in m["bpcer_at_apcer"] + m["apcer_at_bpcer"]:
        check("reachable" in op and (not op["reachable"] or "threshold" in op), "op threshold")
    check(0 <= m["eer"]["max"]["eer"] <= 1 and 0 <= m["eer"]["pooled"]["eer"] <= 1, "EER")
    check("per_source" in rep and len(rep["per_source"]) >= 2, "per-source breakdown")
    check(rep["detection"]["noface"] == {"answered": 1, "correct": 1, "correct_rate": 1.0},
          f"noface detection: {rep['detection']['noface']}")
    lab = rep["counts"]["by_label"]
    check(lab["noface"]["no_face"] == 1 and lab["live"]["failed"] == 1, "counts by label")
    lat = rep["latency_ms"]
    check(lat["n"] > 0 and 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"], "latency")
    check(all("extra" in r and "notes" in r["extra"] for r in rep["images"]), "extra columns")

    with open(os.path.join(out, "report.md")) as f:
        md = f.read()
    for text in ("## ISO/IEC 30107-3 metrics", "## Per attack type", "## Per source",
                 "## Failures (1)", MISSING, "not_found", "APCER at T, max over attack types"):
        check(text in md, f"report.md contains {text!r}")
    check_pngs(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--livecheck", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--dev", required=True, help="shared/datasets/dev")
    ap.add_argument("--work", required=True, help="scratch folder (wiped)")
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    base = [a.livecheck, "eval", "--models", a.models, "--threads", "2"]

    header, rows = pick_rows(a.dev)
    check(len(rows) >= 40, f"picked {len(rows)} dev rows")
    extra = [dict.fromkeys(header, "") for _ in range(2)]
    extra[0].update(path=MISSING, label="live", attack_type="-", source="test", notes="missing")
    extra[1].update(path=NOFACE_IMAGE, label="noface", attack_type="-", source="opencv-doc")
    manifest = os.path.join(a.work, "small.tsv")
    write_manifest(manifest, header, rows + extra)

    # 1. Manifest with --root (its paths are relative to the dev folder, not to the manifest).
    out = os.path.join(a.work, "out-manifest")
    rc, _, err = run(base + ["--manifest", manifest, "--root", a.dev, "--out", out])
    check(rc == 0, f"manifest run exits 0 (got {rc}): {err}")
    if rc == 0:
        check_manifest_run(out, rows + extra, 0.15)
    check("\r[" not in err, "no progress bar when stderr is not a terminal")

    # 2. Raw score and another threshold: rows carry score == raw.
    out_raw = os.path.join(a.work, "out-raw")
    rc, _, err = run(base + ["--manifest", manifest, "--root", a.dev, "--out", out_raw,
                             "--score", "raw", "--threshold", "0.5"])
    check(rc == 0, f"raw run exits 0: {err}")
    if rc == 0:
        with open(os.path.join(out_raw, "report.json")) as f:
            rep = json.load(f)
        check(rep["score"] == "raw" and rep["threshold"] == 0.5, "raw score selected")
        check(all(r["score"] == r["raw"] for r in rep["images"] if r["score"] is not None),
              "score == raw in every checked row")

    # 3. Folder layout made of symlinks: live/, spoof/print/, spoof/replay/, noface/.
    folder = os.path.join(a.work, "set")
    expected = {"live": 0, "spoof": 0, "noface": 1}
    for r in rows[::3]:
        sub = "live" if r["label"] == "live" else os.path.join("spoof", r["attack_type"])
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
        os.symlink(os.path.join(a.dev, r["path"]),
                   os.path.join(folder, sub, os.path.basename(r["path"])))
        expected[r["label"]] += 1
    os.makedirs(os.path.join(folder, "noface"))
    os.symlink(NOFACE_IMAGE, os.path.join(folder, "noface", "fruits.jpg"))
    out_dir = os.path.join(a.work, "out-folder")
    rc, _, err = run(base + [folder, "--out", out_dir])
    check(rc == 0, f"folder run exits 0: {err}")
    if rc == 0:
        with open(os.path.join(out_dir, "report.json")) as f:
            rep = json.load(f)
        lab = rep["counts"]["by_label"]
        for label, n in expected.items():
            check(lab[label]["images"] == n, f"folder {label}: {lab[label]['images']} != {n}")
        check(rep["counts"]["failed"] == 0, "folder run has no failure")
        check(set(rep["metrics"]["at_threshold"]["apcer_by_type"]) == {"print", "replay"},
              "attack types from spoof/<type>/")
        check("per_source" not in rep, "no per-source table without sources")
        check_pngs(out_dir)

    # 4. Exit codes: usage errors are 2, an unloadable model pack is 1.
    bad_label = os.path.join(a.work, "bad.tsv")
    with open(bad_label, "w") as f:
        f.write("path\tlabel\tattack_type\nx.png\tfake\t-\n")
    no_layout = os.path.join(a.work, "no-layout")
    os.makedirs(os.path.join(no_layout, "images"))
    usage = {
        "no input": [],
        "both inputs": [folder, "--manifest", manifest],
        "missing manifest": ["--manifest", os.path.join(a.work, "nope.tsv")],
        "bad score": ["--manifest", manifest, "--score", "probability"],
        "threshold out of range": ["--manifest", manifest, "--threshold", "1.5"],
        "bad detector": [folder, "--detector", "side"],
        "bad label": ["--manifest", bad_label],
        "folder without layout": [no_layout],
        "unknown option": [folder, "--frobnicate"],
    }
    for name, args in usage.items():
        rc, _, err = run(base + args + ["--out", os.path.join(a.work, "out-bad")])
        check(rc == 2, f"{name}: exit 2 expected, got {rc} ({err.strip()[:200]})")
    rc, _, _ = run([a.livecheck, "eval", folder, "--models", os.path.join(a.work, "no-models"),
                    "--out", os.path.join(a.work, "out-bad")])
    check(rc == 1, f"missing model pack: exit 1 expected, got {rc}")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("eval e2e: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
