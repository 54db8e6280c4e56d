"""E2E harness: the real `livecheck` binary on a free port with a temporary SQLite database.

Environment (set by tests/e2e/CMakeLists.txt):
  LIVECHECK_BIN         path to build/livecheck
  LIVECHECK_MODEL_DIR   model pack folder
  LIVECHECK_SHARED_DIR  ../shared (datasets); optional
  LIVECHECK_SOURCE_DIR  repository root (docs/, samples)

Runs with Debian's /usr/bin/python3 (python3-requests, python3-yaml, python3-jsonschema).
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import requests

BIN = os.environ.get("LIVECHECK_BIN", "build/livecheck")
MODELS = os.environ.get("LIVECHECK_MODEL_DIR", "models")
SHARED = os.environ.get("LIVECHECK_SHARED_DIR", "../shared")
SOURCE = os.environ.get("LIVECHECK_SOURCE_DIR", ".")

ASTRONAUT_PNG = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"
FRUITS_JPG = "/usr/share/doc/opencv-doc/examples/data/fruits.jpg"
NUAA_JPG = os.path.join(SHARED, "datasets/dev/live/nuaa__ClientRaw_0001_0001_00_00_01_0.jpg")

START_TIMEOUT_S = 60  # generous: a loaded CI machine; never an assertion on speed


def read(path):
    with open(path, "rb") as f:
        return f.read()


def face_jpeg_path():
    """A 640x480 JPEG with one live face; re-encoded from skimage's astronaut if the shared
    dataset is absent."""
    if os.path.exists(NUAA_JPG):
        return NUAA_JPG
    import cv2  # Debian python3-opencv
    out = os.path.join(tempfile.gettempdir(), "livecheck_e2e_face.jpg")
    if not os.path.exists(out):
        img = cv2.imread(ASTRONAUT_PNG)
        cv2.imwrite(out, img)
    return out


def b64(data):
    return base64.b64encode(data).decode("ascii")


def check_body(data, fmt="jpeg", **extra):
    body = {"image": b64(data), "image_format": fmt}
    body.update(extra)
    return json.dumps(body)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process. Use as a context manager or call start()/stop()."""

    def __init__(self, args=(), env=None, db_dir=None, wait_ready=True, preexec_fn=None):
        self.tmp = tempfile.mkdtemp(prefix="livecheck-e2e-")
        self.db_dir = db_dir or self.tmp
        self.db = "sqlite:" + os.path.join(self.db_dir, "livecheck.db")
        self.args = list(args)
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.wait_ready = wait_ready
        self.preexec_fn = preexec_fn
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.tmp, "server.log")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.port = free_port()
        cmd = [BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--db", self.db]
        if "--models" not in self.args:
            cmd += ["--models", MODELS]
        if "--data-dir" not in self.args:
            cmd += ["--data-dir", os.path.join(self.tmp, "data")]  # never the source tree
        cmd += self.args
        # stdout carries the JSON-lines log; stderr only library chatter (e.g. libpng warnings).
        self.log = open(self.log_path, "ab")
        self.err = open(self.log_path + ".stderr", "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.err, env=self.env,
                                     preexec_fn=self.preexec_fn)
        if self.wait_ready:
            self.wait_for_health(200)
        return self

    def wait_for_health(self, status):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                r = requests.get(self.url + "/v1/health", timeout=5)
                if r.status_code == status:
                    return r
            except requests.ConnectionError:
                pass
            time.sleep(0.02)
        raise AssertionError(f"health never answered {status}:\n{self.logs()}")

    def logs(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_lines(self):
        return [json.loads(line) for line in self.logs().splitlines() if line.strip()]

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (getattr(self, "log", None), getattr(self, "err", None)):
            if f:
                f.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # --- admin CLI on the same database -----------------------------------------------------
    def admin(self, *args, expect_rc=0):
        env = dict(self.env)
        env["LIVECHECK_DB"] = self.db
        p = subprocess.run([BIN, "admin", *args], capture_output=True, text=True, env=env)
        if p.returncode != expect_rc:
            raise AssertionError(f"admin {args} -> {p.returncode}: {p.stderr}")
        return json.loads(p.stdout) if p.returncode == 0 else p.stderr

    def create_account(self, plan="starter", hard_cap="off", limit=None):
        args = ["create-account", "--email", "e2e@example.com", "--company", "E2E Ltd",
                "--plan", plan, "--hard-cap", hard_cap]
        if limit is not None:
            args += ["--limit", str(limit)]
        return self.admin(*args)

    # --- HTTP ------------------------------------------------------------------------------------
    def check(self, key, data=None, fmt="jpeg", session=None, **extra):
        data = data if data is not None else read(face_jpeg_path())
        http = session or requests
        return http.post(self.url + "/v1/check/liveness", data=check_body(data, fmt, **extra),
                         headers={"X-API-Key": key, "Content-Type": "application/json"},
                         timeout=120)

    def usage(self, key):
        r = requests.get(self.url + "/v1/usage", headers={"X-API-Key": key}, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()["data"]


_spec = None


def validate_against_spec(r):
    """Validates a requests.Response against docs/openapi.yaml when its path is documented."""
    global _spec
    from urllib.parse import urlparse
    from openapi_check import OpenApi  # imports this module: import late
    if _spec is None:
        _spec = OpenApi()
    path = urlparse(r.request.url).path
    ops = _spec.spec["paths"].get(path)
    if ops is None:
        return
    method = r.request.method.lower()
    if method not in ops:  # a 405 is documented on the path's real operation
        method = next(iter(ops))
    _spec.validate(path, method, r)


class ServerTestCase(unittest.TestCase):
    """One shared server per test class (start-up is ~0.2 s, but fewer processes is calmer)."""

    server_args = ()
    server_env = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_args, cls.server_env).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def tearDown(self):
        # A server that died mid-class would fail every later test with "connection refused";
        # say why once, with its exit status and the end of its logs.
        rc = self.server.proc.poll()
        if rc is not None:
            with open(self.server.log_path + ".stderr", "rb") as f:
                err = f.read().decode("utf-8", "replace")
            self.fail(f"server exited with status {rc}\n--- log tail ---\n"
                      f"{self.server.logs()[-4000:]}\n--- stderr tail ---\n{err[-4000:]}")

    def assert_error(self, r, status, code):
        self.assertEqual(r.status_code, status, r.text)
        self.assertEqual(r.headers["Content-Type"], "application/json")
        body = r.json()
        self.assertEqual(set(body), {"metadata", "error"})
        self.assertEqual(body["error"]["code"], code)
        self.assertIsInstance(body["error"]["message"], str)
        self.assertTrue(body["error"]["message"])
        self.assertEqual(body["metadata"]["status"], "error")
        self.assertEqual(body["metadata"]["ver"], "1.0.0")
        self.assertEqual(body["metadata"]["request_id"], r.headers["X-Request-Id"])
        validate_against_spec(r)
        return body
