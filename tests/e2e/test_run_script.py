#!/usr/bin/env python3
"""`make run`'s script (scripts/run) as a newcomer meets it: on an empty database it prints a demo
key and a curl line that works, a console onboarding link that resolves, and an access-key pair
that gets a session token. Everything in a temporary folder (database, data dir, master key)."""
import hashlib
import os
import re
import signal
import subprocess
import tempfile
import time
import unittest

import requests

import harness

ROOT = harness.SOURCE


class RunScript(unittest.TestCase):
    def test_demo_key_curl_line_onboarding_link_and_access_key(self):
        tmp = tempfile.mkdtemp(prefix="livecheck-run-")
        port = harness.free_port()
        env = dict(os.environ)
        env.update({
            "LIVECHECK_BIN": os.path.abspath(harness.BIN),
            "LIVECHECK_DB": "sqlite:" + os.path.join(tmp, "livecheck.db"),
            "LIVECHECK_PORT": str(port),
            "LIVECHECK_HOST": "127.0.0.1",
            "LIVECHECK_MODELS": os.path.abspath(harness.MODELS),
            "LIVECHECK_DATA_DIR": os.path.join(tmp, "data"),
            "LIVECHECK_MASTER_KEY_FILE": os.path.join(tmp, "data", "master.key"),
            "LIVECHECK_WORKERS": "1",
        })
        out = open(os.path.join(tmp, "stdout"), "wb")
        err = open(os.path.join(tmp, "stderr"), "wb")
        p = subprocess.Popen([os.path.join(ROOT, "scripts", "run")], stdout=out, stderr=err, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + harness.START_TIMEOUT_S
            while True:
                self.assertIsNone(p.poll(), "scripts/run exited")
                try:
                    if requests.get(base + "/v1/health", timeout=5).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                self.assertLess(time.monotonic(), deadline, "never healthy")
                time.sleep(0.05)
            stdout = open(os.path.join(tmp, "stdout")).read()
            stderr = open(os.path.join(tmp, "stderr")).read()
            # The curl line (stdout) works as printed (it names localhost:PORT).
            curl = stdout.strip().splitlines()[0]
            r = subprocess.run(["bash", "-euo", "pipefail", "-c", curl], capture_output=True,
                               text=True, cwd=tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('"status":"success"', r.stdout)
            # The onboarding link resolves to a subscription in the console.
            link = re.search(r"(http://localhost:\d+/console/onboard\?token=\S+)", stderr).group(1)
            token = link.split("token=")[1]
            s = requests.Session()
            csrf = s.get(base + "/console/api/session").json()["csrf"]
            r = s.post(base + "/console/api/marketplace/resolve", json={"token": token},
                       headers={"X-CSRF-Token": csrf})
            self.assertEqual(r.status_code, 200, r.text)
            self.assertEqual(r.json()["plan"], "starter")
            # The access-key pair gets a session-liveness token.
            ak = re.search(r"accessKey\s+(\S+)", stderr).group(1)
            sk = re.search(r"secretKey\s+(\S+)", stderr).group(1)
            ts = str(int(time.time() * 1000))
            sig = hashlib.sha256((ak + sk + ts).encode()).hexdigest()
            r = requests.post(base + "/openapi/auth/ticket/v1/generate-token",
                              json={"accessKey": ak, "timestamp": ts, "signature": sig})
            self.assertEqual(r.json()["code"], "SUCCESS", r.text)
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=60)
            out.close()
            err.close()
        # Nothing was written outside the temporary folder.
        self.assertTrue(os.path.exists(os.path.join(tmp, "data", "master.key")))


if __name__ == "__main__":
    unittest.main()
