#!/usr/bin/env python3
"""Session liveness (docs/SESSIONS.md) on the real binary: access tokens, signatureIds, licenses,
near/far capture with real face frames, detection-result by URL and base64, signed media URLs,
clear-data, retention, and every result code of every call. Clients: requests, curl, raw socket.

The server runs on the test clock (LIVECHECK_TEST_CLOCK_FILE): tokens, URLs and retention expire
when the test moves the clock, not after real waiting.
"""
import base64
import glob
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest

import cv2  # Debian python3-opencv
import requests

import harness
from harness import Server, SHARED

T0_MS = 1_764_680_000_000  # the test clock's start (2025-12-02)
ENVELOPE = {"code", "message", "data", "extra", "transactionId", "pricingStrategy"}


def dev_face_path():
    paths = sorted(glob.glob(os.path.join(SHARED, "datasets/dev/live/nuaa__*.jpg")))
    return paths[0] if paths else harness.face_jpeg_path()


def make_frames():
    """near = a dev photo; far = the same photo shrunk to 55 % and centred in a canvas of the
    original size (the user further from the camera); same_size = near re-encoded (different
    bytes, no movement)."""
    img = cv2.imread(dev_face_path())
    h, w = img.shape[:2]
    small = cv2.resize(img, (int(w * 0.55), int(h * 0.55)), interpolation=cv2.INTER_AREA)
    canvas = cv2.copyMakeBorder(small, (h - small.shape[0]) // 2,
                                h - small.shape[0] - (h - small.shape[0]) // 2,
                                (w - small.shape[1]) // 2,
                                w - small.shape[1] - (w - small.shape[1]) // 2,
                                cv2.BORDER_CONSTANT, value=(128, 128, 128))
    enc = lambda m, q: cv2.imencode(".jpg", m, [cv2.IMWRITE_JPEG_QUALITY, q])[1].tobytes()
    return enc(canvas, 92), enc(img, 92), enc(img, 80)


class Sessions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="livecheck-sessions-e2e-")
        cls.clock = os.path.join(cls.tmp, "clock")
        cls.set_clock(T0_MS)
        cls.master = os.path.join(cls.tmp, "keys", "master.key")
        env = {"LIVECHECK_TEST_CLOCK_FILE": cls.clock, "LIVECHECK_MASTER_KEY_FILE": cls.master}
        cls.server = Server(["--session-dir", os.path.join(cls.tmp, "sessions"),
                             "--master-key-file", cls.master, "--sweep-interval", "0.2",
                             "--workers", "2"], env=env).start()
        cls.far, cls.near, cls.near_again = make_frames()
        acc = cls.server.create_account(plan="starter")
        cls.customer = acc["customer_id"]
        cls.api_key = acc["primary_key"]
        keys = cls.server.admin("create-access-key", "--customer", cls.customer)
        cls.ak, cls.sk = keys["accessKey"], keys["secretKey"]
        cls.token = cls.new_token()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        subprocess.run(["rm", "-rf", cls.tmp])

    # --- helpers --------------------------------------------------------------------------------
    @classmethod
    def set_clock(cls, ms):
        cls.now_ms = ms
        with open(cls.clock + ".tmp", "w") as f:
            f.write(str(ms))
        os.replace(cls.clock + ".tmp", cls.clock)

    @classmethod
    def post(cls, path, body, token=None, headers=None, raw=None):
        h = {"Content-Type": "application/json"}
        if token is not None:
            h["X-ACCESS-TOKEN"] = token
        h.update(headers or {})
        data = raw if raw is not None else json.dumps(body)
        return requests.post(cls.server.url + path, data=data, headers=h, timeout=120)

    @classmethod
    def sign(cls, ak, sk, ts):
        return hashlib.sha256((ak + sk + str(ts)).encode()).hexdigest()

    @classmethod
    def token_request(cls, ak=None, sk=None, ts=None, **extra):
        ak, sk = ak or cls.ak, sk or cls.sk
        ts = ts if ts is not None else cls.now_ms
        body = {"accessKey": ak, "timestamp": str(ts), "signature": cls.sign(ak, sk, ts)}
        body.update(extra)
        return cls.post("/openapi/auth/ticket/v1/generate-token", body)

    @classmethod
    def new_token(cls, **extra):
        cls.now_ms_token = getattr(cls, "now_ms_token", 0) + 1  # a distinct signature each time
        r = cls.token_request(ts=cls.now_ms - cls.now_ms_token, **extra)
        assert r.json()["code"] == "SUCCESS", r.text
        return r.json()["data"]["token"]

    def envelope(self, r, code, pricing="FREE"):
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["Content-Type"], "application/json")
        body = r.json()
        self.assertEqual(set(body), ENVELOPE, body)
        self.assertEqual(body["code"], code, body)
        self.assertIsInstance(body["message"], str)
        self.assertTrue(body["message"])
        self.assertIsNone(body["extra"])
        self.assertTrue(0 < len(body["transactionId"]) <= 64)
        self.assertEqual(body["pricingStrategy"], pricing)
        harness.validate_against_spec(r)
        return body

    def signature_id(self, token=None):
        r = self.post("/liveness/ext/v1/generate-signature-id", {}, token or self.token)
        return self.envelope(r, "SUCCESS")["data"]

    def license(self, **body):
        r = self.post("/openapi/liveness/v1/auth-license", body, self.token)
        return self.envelope(r, "SUCCESS")["data"]["license"]

    def capture(self, lic, sid, far=None, near=None, nonce=None, far_at=None, near_at=None,
                **extra):
        body = {"signatureId": sid["signatureId"],
                "nonce": sid["nonce"] if nonce is None else nonce,
                "far": {"image": base64.b64encode(far or self.far).decode(),
                        "capturedAt": far_at or self.now_ms - 3000},
                "near": {"image": base64.b64encode(near or self.near).decode(),
                         "capturedAt": near_at or self.now_ms - 500}}
        body.update(extra)
        return self.post("/liveness/ext/v1/capture", body, headers={"X-LICENSE": lic})

    def full_session(self):
        lic = self.license()
        sid = self.signature_id()
        r = self.capture(lic, sid)
        return sid, self.envelope(r, "SUCCESS")["data"]["livenessId"]

    def result(self, token=None, **body):
        return self.post("/openapi/liveness/v3/detection-result", body, token or self.token)

    # --- generate-token -------------------------------------------------------------------------
    def test_token_success_and_parameter_errors(self):
        r = self.token_request(ts=self.now_ms + 1000, periodSecond=120)
        d = self.envelope(r, "SUCCESS")["data"]
        self.assertEqual(d["expiredTime"], self.now_ms + 120_000)
        # The same signature again: replay.
        again = self.post("/openapi/auth/ticket/v1/generate-token", json.loads(r.request.body))
        self.assertEqual(self.envelope(again, "PARAMETER_ERROR")["message"], "Signature error")
        self.assertEqual(self.envelope(self.post("/openapi/auth/ticket/v1/generate-token",
                                                 {"accessKey": self.ak}), "PARAMETER_ERROR")
                         ["message"], "Parameter should not be empty")
        r = self.token_request(ts=self.now_ms - 301_000)
        self.assertEqual(self.envelope(r, "PARAMETER_ERROR")["message"], "Timestamp error")
        r = self.token_request(sk="0" * 64, ts=self.now_ms + 2000)
        self.assertEqual(self.envelope(r, "PARAMETER_ERROR")["message"], "Signature error")
        r = self.token_request(ak="f" * 32, ts=self.now_ms + 3000)
        self.assertEqual(self.envelope(r, "PARAMETER_ERROR")["message"], "Signature error")
        r = self.token_request(ts=self.now_ms + 4000, periodSecond=59)
        self.envelope(r, "PARAMETER_ERROR")

    def test_token_with_curl_and_client_error(self):
        ts = self.now_ms + 5000
        body = json.dumps({"accessKey": self.ak, "timestamp": ts,
                           "signature": self.sign(self.ak, self.sk, ts)})
        out = subprocess.run(["curl", "-sS", "-X", "POST", "-H", "Content-Type: application/json",
                              "-d", body, self.server.url + "/openapi/auth/ticket/v1/generate-token"],
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual(json.loads(out)["code"], "SUCCESS")
        out = subprocess.run(["curl", "-sS", "-X", "POST", "-d", "not json",
                              self.server.url + "/openapi/auth/ticket/v1/generate-token"],
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual(json.loads(out)["code"], "CLIENT_ERROR")
        # Malformed HTTP on a session path: still the envelope.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"POST /openapi/liveness/v1/auth-license HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: abc\r\n\r\n")
            reply = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        self.assertIn(b"200 OK", reply.split(b"\r\n")[0])
        self.assertEqual(json.loads(reply.split(b"\r\n\r\n", 1)[1])["code"], "CLIENT_ERROR")
        # Wrong method: the envelope too.
        r = requests.get(self.server.url + "/openapi/liveness/v1/auth-license", timeout=30)
        self.assertEqual(r.json()["code"], "CLIENT_ERROR")

    def test_account_disabled(self):
        acc = self.server.create_account(plan="starter")
        keys = self.server.admin("create-access-key", "--customer", acc["customer_id"])
        # No admin command suspends an account yet; the console will. Flip it in the database.
        with sqlite3.connect(self.server.db[len("sqlite:"):]) as db:
            db.execute("UPDATE accounts SET status = 'suspended' WHERE customer_id = ?",
                       (acc["customer_id"],))
        r = self.token_request(ak=keys["accessKey"], sk=keys["secretKey"])
        self.envelope(r, "ACCOUNT_DISABLED")

    def test_disabled_access_key_and_listing(self):
        keys = self.server.admin("create-access-key", "--customer", self.customer)
        listed = self.server.admin("list-access-keys", "--customer", self.customer)
        self.assertIn(keys["accessKey"], [k["accessKey"] for k in listed])
        self.assertNotIn("secretKey", json.dumps(listed))
        self.server.admin("disable-access-key", "--access-key", keys["accessKey"])
        r = self.token_request(ak=keys["accessKey"], sk=keys["secretKey"])
        self.assertEqual(self.envelope(r, "PARAMETER_ERROR")["message"], "Signature error")

    def test_secret_is_not_in_the_database(self):
        with open(self.server.db[len("sqlite:"):], "rb") as f:
            self.assertNotIn(self.sk.encode(), f.read())
        self.assertEqual(os.stat(self.master).st_mode & 0o777, 0o600)

    # --- IAM_FAILED on every token call ---------------------------------------------------------
    def test_iam_failed_for_missing_wrong_and_expired_tokens(self):
        calls = [("/liveness/ext/v1/generate-signature-id", {}),
                 ("/openapi/liveness/v1/auth-license", {}),
                 ("/openapi/liveness/v1/revoke-license", {"license": "x"}),
                 ("/openapi/liveness/v3/detection-result", {"livenessId": "x"})]
        for path, body in calls:
            self.envelope(self.post(path, body), "IAM_FAILED")
            self.envelope(self.post(path, body, "wrong-token"), "IAM_FAILED")
        r = requests.get(self.server.url + "/liveness/ext/v1/clear-data?livenessId=x", timeout=30)
        self.envelope(r, "IAM_FAILED")
        short = self.new_token(periodSecond=60)
        self.envelope(self.post(calls[0][0], {}, short), "SUCCESS")
        saved = self.now_ms
        try:
            self.set_clock(saved + 60_000)
            self.envelope(self.post(calls[0][0], {}, short), "IAM_FAILED")
        finally:
            self.set_clock(saved)

    # --- signatureId and license ----------------------------------------------------------------
    def test_signature_id_and_license_parameters(self):
        d = self.signature_id()
        self.assertEqual(d["expiredTime"], self.now_ms + 600_000)
        self.assertTrue(d["nonce"])
        r = self.post("/liveness/ext/v1/generate-signature-id", {"productLevel": "GOLD"},
                      self.token)
        self.envelope(r, "PARAMETER_ERROR")
        r = self.post("/openapi/liveness/v1/auth-license", {"licenseEffectiveSeconds": 10},
                      self.token)
        self.envelope(r, "PARAMETER_ERROR")
        r = self.post("/openapi/liveness/v1/auth-license", {"licenseEffectiveSeconds": 120,
                                                            "applicationId": ["com.a"]}, self.token)
        d = self.envelope(r, "SUCCESS")["data"]
        self.assertEqual(d["expireTimestamp"], self.now_ms + 120_000)
        # applicationId checked when the SDK sends one.
        r = self.capture(d["license"], self.signature_id(), applicationId="com.b")
        self.envelope(r, "IAM_FAILED")
        self.envelope(self.post("/openapi/liveness/v1/revoke-license", {}, self.token),
                      "PARAMETER_ERROR")

    def test_revoked_license_is_refused_at_once(self):
        lic = self.license()
        r = self.post("/openapi/liveness/v1/revoke-license", {"license": lic}, self.token)
        self.assertIsNone(self.envelope(r, "SUCCESS")["data"])
        self.envelope(self.capture(lic, self.signature_id()), "IAM_FAILED")
        self.envelope(self.capture("", self.signature_id()), "IAM_FAILED")

    # --- capture --------------------------------------------------------------------------------
    def test_capture_retry_and_parameter_errors(self):
        lic = self.license()
        sid = self.signature_id()
        fruits = harness.read(harness.FRUITS_JPG)
        r = self.capture(lic, sid, far=fruits)
        self.assertEqual(self.envelope(r, "RETRY")["data"], {"stage": "far", "reason": "no_face"})
        r = self.capture(lic, sid, far=self.near_again)
        self.assertEqual(self.envelope(r, "RETRY")["data"],
                         {"stage": "near", "reason": "near_not_closer"})
        # Still usable after RETRY.
        r = self.capture(lic, sid)
        self.envelope(r, "SUCCESS")
        r = self.capture(lic, sid)
        self.assertIn("used", self.envelope(r, "PARAMETER_ERROR")["message"])
        sid2 = self.signature_id()
        self.envelope(self.capture(lic, sid2, far=b"GIF89a not a photo"), "PARAMETER_ERROR")
        r = self.post("/liveness/ext/v1/capture", {"signatureId": sid2["signatureId"]},
                      headers={"X-LICENSE": lic})
        self.assertEqual(self.envelope(r, "PARAMETER_ERROR")["message"],
                         "Parameter should not be empty")
        r = self.post("/liveness/ext/v1/capture", None, raw="[1,2]", headers={"X-LICENSE": lic})
        self.envelope(r, "CLIENT_ERROR")
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "*")
        pre = requests.options(self.server.url + "/liveness/ext/v1/capture", timeout=30)
        self.assertEqual(pre.status_code, 204)
        self.assertIn("X-LICENSE", pre.headers["Access-Control-Allow-Headers"])

    def test_wrong_nonce_is_reported_as_injection(self):
        lic = self.license()
        sid = self.signature_id()
        lid = self.envelope(self.capture(lic, sid, nonce="forged"), "SUCCESS")["data"]["livenessId"]
        d = self.envelope(self.result(livenessId=lid), "SUCCESS", "PAY")["data"]
        self.assertLess(d["livenessScore"], 50)
        self.assertEqual(d["attackType"], 2)

    # --- detection-result, media, clear-data ----------------------------------------------------
    def test_full_flow_urls_base64_pay_then_free(self):
        sid, lid = self.full_session()
        r = self.result(livenessId=lid)
        d = self.envelope(r, "SUCCESS", "PAY")["data"]
        self.assertTrue(0 <= d["livenessScore"] <= 100)
        if d["livenessScore"] >= 50:
            self.assertIsNone(d["attackType"])
        else:
            self.assertIn(d["attackType"], (1, 2, 3))
        self.assertIsNone(d["attackSubType"])
        self.assertEqual(d["farImageTime"], self.now_ms - 3000)
        self.assertEqual(d["nearImageTime"], self.now_ms - 500)
        self.assertIsInstance(d["reasons"], list)
        self.assertEqual(d["detectionResult"], d["imageNearUrl"])
        for url, want in ((d["imageFarUrl"], self.far), (d["imageNearUrl"], self.near)):
            # Absolute, like the vendor's: built from the Host the caller used.
            self.assertTrue(url.startswith(self.server.url + "/media/v1/"), url)
            m = requests.get(url, timeout=30)
            self.assertEqual(m.status_code, 200)
            self.assertEqual(m.content, want)
            self.assertEqual(m.headers["Content-Type"], "image/jpeg")
            self.assertEqual(m.headers["Cache-Control"], "private, no-store")
        z = requests.get(d["auditImageUrl"], timeout=30)
        self.assertEqual(z.headers["Content-Type"], "application/zip")
        zpath = os.path.join(self.tmp, "audit.zip")
        with open(zpath, "wb") as f:
            f.write(z.content)
        import zipfile
        with zipfile.ZipFile(zpath) as zf:
            self.assertEqual(sorted(zf.namelist()), ["analysis.json", "far.jpg", "near.jpg"])
            self.assertEqual(zf.read("far.jpg"), self.far)
            analysis = json.loads(zf.read("analysis.json"))
            self.assertEqual(analysis["livenessScore"], d["livenessScore"])
            self.assertIn("perspective", analysis)
        # Second time: FREE; by signatureId and as base64 (curl).
        out = subprocess.run(
            ["curl", "-sS", "-X", "POST", "-H", "Content-Type: application/json",
             "-H", "X-ACCESS-TOKEN: " + self.token,
             "-d", json.dumps({"signatureId": sid["signatureId"], "resultType": "IMAGE_BASE64"}),
             self.server.url + "/openapi/liveness/v3/detection-result"],
            capture_output=True, text=True, check=True).stdout
        b = json.loads(out)
        self.assertEqual((b["code"], b["pricingStrategy"]), ("SUCCESS", "FREE"))
        self.assertEqual(base64.b64decode(b["data"]["imageFarUrl"]), self.far)
        self.assertEqual(base64.b64decode(b["data"]["detectionResult"]), self.near)
        usage = self.server.usage(self.api_key)
        self.assertGreaterEqual(usage["used_calls"], 1)
        # Tampered links.
        self.assertEqual(requests.get(d["imageFarUrl"].replace("far.jpg",
                                                                               "near.jpg"),
                                      timeout=30).status_code, 403)
        self.assertEqual(requests.get(d["imageFarUrl"][:-2] + "00",
                                      timeout=30).status_code, 403)

    def test_result_codes(self):
        self.assertEqual(self.envelope(self.result(), "PARAMETER_ERROR")["message"],
                         "Parameter should not be empty")
        self.envelope(self.result(livenessId="nope"), "LIVENESS_ID_NOT_EXISTED")
        self.envelope(self.result(signatureId=self.signature_id()["signatureId"]),
                      "RESULT_NOT_FOUND")
        _, lid = self.full_session()
        self.envelope(self.result(livenessId=lid, resultType="IMAGE_GIF"), "PARAMETER_ERROR")
        # Another account's token sees nothing.
        acc = self.server.create_account(plan="starter")
        keys = self.server.admin("create-access-key", "--customer", acc["customer_id"])
        other = self.token_request(ak=keys["accessKey"], sk=keys["secretKey"]).json()["data"]["token"]
        self.envelope(self.result(token=other, livenessId=lid), "LIVENESS_ID_NOT_EXISTED")

    def test_quota_exceeded_on_a_hard_capped_account(self):
        acc = self.server.create_account(plan="enterprise", hard_cap="on", limit=0)
        keys = self.server.admin("create-access-key", "--customer", acc["customer_id"])
        tok = self.token_request(ak=keys["accessKey"], sk=keys["secretKey"]).json()["data"]["token"]
        lic = self.envelope(self.post("/openapi/liveness/v1/auth-license", {}, tok),
                            "SUCCESS")["data"]["license"]
        sid = self.envelope(self.post("/liveness/ext/v1/generate-signature-id", {}, tok),
                            "SUCCESS")["data"]
        lid = self.envelope(self.capture(lic, sid), "SUCCESS")["data"]["livenessId"]
        self.envelope(self.result(token=tok, livenessId=lid), "QUOTA_EXCEEDED")

    def test_clear_data_is_irreversible(self):
        _, lid = self.full_session()
        url = self.envelope(self.result(livenessId=lid), "SUCCESS", "PAY")["data"]["imageNearUrl"]
        r = requests.get(self.server.url + "/liveness/ext/v1/clear-data",
                         params={"livenessId": lid}, headers={"X-ACCESS-TOKEN": self.token},
                         timeout=30)
        self.envelope(r, "SUCCESS")
        self.envelope(self.result(livenessId=lid), "RESULT_NOT_FOUND")
        self.assertEqual(requests.get(url, timeout=30).status_code, 404)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "sessions", lid)))
        get = lambda q: requests.get(self.server.url + "/liveness/ext/v1/clear-data" + q,
                                     headers={"X-ACCESS-TOKEN": self.token}, timeout=30)
        self.envelope(get(""), "PARAMETER_ERROR")
        self.envelope(get("?livenessId=nope"), "LIVENESS_ID_NOT_EXISTED")

    def test_zz_expired_url_and_retention(self):
        # Runs last (name): it moves the clock a day ahead for good.
        _, lid = self.full_session()
        d = self.envelope(self.result(livenessId=lid), "SUCCESS", "PAY")["data"]
        self.set_clock(self.now_ms + 24 * 3600 * 1000 + 1000)
        r = requests.get(d["imageFarUrl"], timeout=30)
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()["error"]["message"], "The image link has expired.")
        deadline = time.monotonic() + 30
        while os.path.exists(os.path.join(self.tmp, "sessions", lid)) and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "sessions", lid)))
        token = self.new_token()
        d = self.envelope(self.result(token=token, livenessId=lid), "SUCCESS", "FREE")["data"]
        for k in ("imageFarUrl", "imageNearUrl", "auditImageUrl", "detectionResult"):
            self.assertIsNone(d[k])
        self.assertTrue(0 <= d["livenessScore"] <= 100)


if __name__ == "__main__":
    unittest.main(verbosity=2)
