#!/usr/bin/env python3
"""The documentation's client samples, run verbatim against a real server: the curl block in
docs/API.md, docs/samples/check.py (Python stdlib) and docs/samples/check.mjs (Node 20 fetch)."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import ServerTestCase

DOCS = os.path.join(harness.SOURCE, "docs")
MARKER = "<!-- e2e: curl-sample"


def curl_blocks():
    """Every bash block marked with MARKER in docs/API.md and, if present, the README."""
    blocks = []
    for path in [os.path.join(DOCS, "API.md"), os.path.join(harness.SOURCE, "README.md")]:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for part in text.split(MARKER)[1:]:
            m = re.search(r"```bash\n(.*?)```", part, re.S)
            blocks.append((os.path.basename(path), m.group(1)))
    return blocks


class Samples(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.server.create_account(plan="starter")
        cls.workdir = tempfile.mkdtemp(prefix="livecheck-samples-")
        shutil.copy(harness.face_jpeg_path(), os.path.join(cls.workdir, "face.jpg"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)
        super().tearDownClass()

    def env(self):
        e = dict(os.environ)
        e["LIVECHECK_URL"] = self.server.url
        e["LIVECHECK_API_KEY"] = self.account["primary_key"]
        return e

    def assert_success(self, stdout):
        body = json.loads(stdout)
        self.assertEqual(body["metadata"]["status"], "success")
        self.assertEqual(body["metadata"]["customer_id"], self.account["customer_id"])
        self.assertIn(body["data"]["isFakeFace"], (True, False))
        return body

    def test_marked_curl_blocks_in_docs(self):
        blocks = curl_blocks()
        self.assertEqual({source for source, _ in blocks}, {"API.md", "README.md"})
        for source, script in blocks:
            with self.subTest(source=source):
                # The block exports placeholders; point them at this test's server and key.
                script = script.replace("export LIVECHECK_URL=", ": ")
                p = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=self.workdir,
                                   env=self.env(), capture_output=True, text=True, timeout=120)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assert_success(p.stdout)

    def test_python_sample(self):
        p = subprocess.run([sys.executable, os.path.join(DOCS, "samples", "check.py"),
                            "face.jpg"], cwd=self.workdir, env=self.env(), capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_success(p.stdout)

    def test_python_sample_reports_errors(self):
        env = self.env()
        env["LIVECHECK_API_KEY"] = "lc_" + "x" * 32
        p = subprocess.run([sys.executable, os.path.join(DOCS, "samples", "check.py"),
                            "face.jpg"], cwd=self.workdir, env=env, capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "invalid_api_key")

    def test_node_sample(self):
        node = shutil.which("node")
        self.assertIsNotNone(node, "node (Node 20) is required by the test suite")
        version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
        # The sample targets Node 20; global fetch exists since Node 18 (Debian bookworm's).
        self.assertGreaterEqual(int(version.strip().lstrip("v").split(".")[0]), 18)
        p = subprocess.run([node, os.path.join(DOCS, "samples", "check.mjs"), "face.jpg"],
                           cwd=self.workdir, env=self.env(), capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_success(p.stdout)

    def test_make_run_prints_a_working_curl_line(self):
        tmp = tempfile.mkdtemp(prefix="livecheck-run-")
        env = dict(os.environ)
        env.update({"LIVECHECK_DB": "sqlite:" + os.path.join(tmp, "run.db"),
                    "LIVECHECK_PORT": str(harness.free_port()), "LIVECHECK_BIN": harness.BIN,
                    "LIVECHECK_MODELS": harness.MODELS, "LIVECHECK_HOST": "127.0.0.1"})
        log = open(os.path.join(tmp, "stdout"), "w+")
        p = subprocess.Popen([os.path.join(harness.SOURCE, "scripts", "run")], env=env,
                             stdout=log, stderr=subprocess.DEVNULL)
        try:
            server = harness.Server()
            server.proc, server.port, server.log_path = p, int(env["LIVECHECK_PORT"]), log.name
            server.wait_for_health(200)
            lines = open(log.name).read().splitlines()
            curl = [x for x in lines if "curl" in x and "/v1/check/liveness" in x]
            self.assertEqual(len(curl), 1, lines)
            r = subprocess.run(["bash", "-c", curl[0]], capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["metadata"]["status"], "success")
        finally:
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=60), 0)
            log.close()
            shutil.rmtree(tmp, ignore_errors=True)

    def test_every_sample_call_was_counted(self):
        used_before = self.server.usage(self.account["primary_key"])["used_calls"]
        p = subprocess.run([sys.executable, os.path.join(DOCS, "samples", "check.py"),
                            "face.jpg"], cwd=self.workdir, env=self.env(), capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.server.usage(self.account["primary_key"])["used_calls"],
                         used_before + 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
