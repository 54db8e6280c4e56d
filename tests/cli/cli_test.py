#!/usr/bin/python3
"""Tests of `livecheck check` (the real binary, the real model pack).

Run by ctest, one test method per ctest test:
  cli_test.py --livecheck BIN --models DIR --shared DIR [unittest args, e.g. CheckCli.test_help]
Derived inputs (garbage bytes, a copy of astronaut.png) are written to a temporary folder; no
dataset image is copied into the repository.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None
ASTRONAUT = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"
NO_FACE = "/usr/share/doc/opencv-doc/examples/data/fruits.jpg"

RESULT_KEYS = {"image", "isFakeFace", "isFakeLikelihood", "isValidFace", "faceBrightness", "face",
               "faceCount", "quality", "scores", "latency_ms", "stages_ms"}
FACE_KEYS = {"x", "y", "width", "height", "score"}
STAGE_KEYS = {"decode", "detect", "antispoof"}
REASONS = {"face_too_small", "too_dark", "too_bright", "blurry", "face_cut_off", "pose_too_large",
           "multiple_faces"}


def run(args, timeout=600, env=None):
    return subprocess.run([ARGS.livecheck] + args, capture_output=True, text=True, timeout=timeout,
                          env=env)


def check(images, extra=(), timeout=600):
    return run(["check", "--models", ARGS.models] + list(extra) + list(images), timeout=timeout)


def dev_images():
    dev = os.path.join(ARGS.shared, "datasets", "dev")
    with open(os.path.join(dev, "MANIFEST.tsv"), newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if not r["path"].startswith("videos/")]
    return [(os.path.join(dev, r["path"]), r) for r in rows]


class CheckCli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="livecheck-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def lines(self, proc, n):
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = proc.stdout.splitlines()
        self.assertEqual(len(out), n, proc.stdout[-2000:])
        return [json.loads(line) for line in out]

    def assert_result(self, j):
        self.assertTrue(RESULT_KEYS <= set(j), sorted(RESULT_KEYS - set(j)))
        self.assertIsInstance(j["isFakeFace"], bool)
        self.assertIsInstance(j["isValidFace"], bool)
        self.assertGreaterEqual(j["isFakeLikelihood"], 0)
        self.assertLessEqual(j["isFakeLikelihood"], 1)
        self.assertGreaterEqual(j["faceBrightness"], 0)
        self.assertLessEqual(j["faceBrightness"], 255)
        self.assertTrue(FACE_KEYS <= set(j["face"]), j["face"])
        self.assertGreater(j["face"]["width"], 0)
        self.assertGreaterEqual(j["faceCount"], 1)
        self.assertIsInstance(j["quality"]["reasons"], list)
        self.assertTrue(set(j["quality"]["reasons"]) <= REASONS, j["quality"]["reasons"])
        self.assertEqual(j["isValidFace"], not j["quality"]["reasons"])
        self.assertIsInstance(j["scores"], dict)
        self.assertTrue(STAGE_KEYS <= set(j["stages_ms"]), j["stages_ms"])
        self.assertGreaterEqual(j["latency_ms"], 0)

    def test_mixed_inputs_give_one_line_each_in_input_order(self):
        garbage = os.path.join(self.tmp, "garbage.jpg")
        with open(garbage, "wb") as f:
            f.write(os.urandom(5000))
        empty = os.path.join(self.tmp, "empty.png")
        open(empty, "wb").close()
        missing = os.path.join(self.tmp, "does-not-exist.jpg")
        images = [ASTRONAUT, NO_FACE, missing, garbage, empty, ASTRONAUT]
        out = self.lines(check(images, ["--threads", "2"]), len(images))
        self.assertEqual([j["image"] for j in out], images)
        self.assert_result(out[0])
        self.assert_result(out[5])
        self.assertEqual(out[0]["faceCount"], 1)
        self.assertEqual(out[0]["isFakeLikelihood"], out[5]["isFakeLikelihood"])
        for j, code in ((out[1], "invalid_image"), (out[3], "invalid_image"),
                        (out[4], "invalid_image")):
            self.assertEqual(set(j), {"image", "error"}, j)
            self.assertEqual(j["error"]["code"], code, j)
            self.assertTrue(j["error"]["message"], j)
        self.assertEqual(out[1]["error"]["message"], "No face was detected")
        self.assertEqual(set(out[2]), {"image", "error"})
        self.assertIn(out[2]["error"]["code"], {"io_error", "not_found"})
        self.assertIn(missing, out[2]["error"]["message"])

    def test_threshold_flag_sets_the_verdict(self):
        lo = self.lines(check([ASTRONAUT], ["--threshold", "0"]), 1)[0]
        hi = self.lines(check([ASTRONAUT], ["--threshold", "1"]), 1)[0]
        self.assertEqual(lo["isFakeLikelihood"], hi["isFakeLikelihood"])
        self.assertFalse(hi["isFakeFace"])
        self.assertEqual(lo["isFakeFace"], lo["isFakeLikelihood"] > 0)

    def test_help_exits_0_and_documents_the_output(self):
        p = run(["check", "--help"])
        self.assertEqual(p.returncode, 0, p.stderr)
        for word in ("--threshold", "--threads", "JSON", "isFakeFace", "error", "Exit"):
            self.assertIn(word, p.stdout)
        p = run(["--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("check", p.stdout)

    def test_usage_errors_exit_2(self):
        for args in (["check"], ["check", "--bogus", ASTRONAUT], ["check", "--threshold", "2", ASTRONAUT],
                     ["check", "--threads", "0", ASTRONAUT], ["check", "--threshold", "abc", ASTRONAUT],
                     ["no-such-command"], []):
            p = run(args)
            self.assertEqual(p.returncode, 2, f"{args}: {p.stdout} {p.stderr}")
            self.assertEqual(p.stdout.count("{"), 0, f"{args} printed JSON")

    def test_missing_model_pack_exits_1_with_a_message(self):
        p = run(["check", "--models", os.path.join(self.tmp, "nope"), ASTRONAUT])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("model_error", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_models_env_variable_is_used(self):
        env = dict(os.environ, LIVECHECK_MODELS=ARGS.models)
        p = subprocess.run([ARGS.livecheck, "check", ASTRONAUT], capture_output=True, text=True,
                           timeout=120, env=env, cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_result(json.loads(p.stdout))

    def test_300_images_in_one_call_with_2_threads(self):
        images = [p for p, _ in dev_images()][::7][:100]
        images = (images * 3)[:300]
        out = self.lines(check(images, ["--threads", "2"]), 300)
        self.assertEqual([j["image"] for j in out], images)
        # Repeated paths give identical verdicts whichever thread processed them.
        first = {}
        for j in out:
            key = j["image"]
            value = j.get("isFakeLikelihood", j.get("error", {}).get("code"))
            self.assertEqual(first.setdefault(key, value), value, key)

    def test_every_dev_image_without_a_crash(self):
        items = dev_images()
        self.assertGreater(len(items), 1800)
        images = [p for p, _ in items]
        p = check(images, ["--threads", "2"], timeout=400)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        out = p.stdout.splitlines()
        self.assertEqual(len(out), len(images))
        errors = {}
        for line, path in zip(out, images):
            j = json.loads(line)
            self.assertEqual(j["image"], path)
            if "error" in j:
                errors[j["error"]["code"]] = errors.get(j["error"]["code"], 0) + 1
                self.assertEqual(j["error"]["code"], "invalid_image", j)
            else:
                self.assert_result(j)
        print(f"dev set: {len(images)} images, errors {errors or 'none'}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--livecheck", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--shared", required=True)
    global ARGS
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
