#!/usr/bin/env python3
"""The HTTP contract: exact JSON shapes of every success and error, checked against
docs/openapi.yaml, on the real binary."""
import base64
import json
import os
import re
import sqlite3
import threading
import unittest

import requests

import harness
from harness import ServerTestCase, b64, check_body, read
from openapi_check import OpenApi

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
CHECK = "/v1/check/liveness"


def one_too_many(b64text):
    """Base64 whose length is 1 mod 4: never valid, padded or not."""
    t = b64text.rstrip("=")
    return t + "A" * ((1 - len(t)) % 4)


class Contract(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api = OpenApi()
        cls.account = cls.server.create_account(plan="starter")
        cls.key = cls.account["primary_key"]
        cls.jpeg = read(harness.face_jpeg_path())

    def post(self, body, key=None, headers=None, path=CHECK):
        h = {"X-API-Key": self.key if key is None else key, "Content-Type": "application/json"}
        h.update(headers or {})
        return requests.post(self.server.url + path, data=body, headers=h, timeout=60)

    def expect_error(self, r, status, code, path=CHECK, method="post"):
        body = self.assert_error(r, status, code)
        self.api.validate(path, method, r)
        return body

    # --- success -----------------------------------------------------------------------------
    def test_check_jpeg_returns_documented_shape_and_counts(self):
        before = self.server.usage(self.key)["used_calls"]
        r = self.post(check_body(self.jpeg), headers={"X-Request-Id": "client-req-42"})
        self.assertEqual(r.status_code, 200, r.text)
        body = self.api.validate(CHECK, "post", r)
        self.assertEqual(list(body), ["metadata", "data"])
        m, d = body["metadata"], body["data"]
        self.assertEqual(list(m), ["date", "ver", "customer_id", "remaining_calls",
                                   "over_limit_calls", "status", "request_id"])
        self.assertRegex(m["date"], DATE_RE)
        self.assertRegex(m["customer_id"], UUID_RE)
        self.assertEqual(m["customer_id"], self.account["customer_id"])
        self.assertEqual(m["status"], "success")
        self.assertEqual(m["request_id"], "client-req-42")
        self.assertEqual(r.headers["X-Request-Id"], "client-req-42")
        self.assertEqual(m["remaining_calls"], 1000 - before - 1)
        self.assertEqual(m["over_limit_calls"], 0)
        self.assertEqual(d["isFakeFace"], d["isFakeLikelihood"] > d["threshold"])
        self.assertEqual(d["threshold"], 0.15)
        self.assertEqual(d["faceCount"], 1)
        self.assertGreater(d["face"]["width"], 50)
        self.assertIn("engine;dur=", r.headers["Server-Timing"])
        self.assertEqual(self.server.usage(self.key)["used_calls"], before + 1)

    def test_png_data_url_wrapped_base64_without_padding_and_threshold(self):
        png = read(harness.ASTRONAUT_PNG)
        text = b64(png).rstrip("=")
        wrapped = "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))
        body = json.dumps({"image": "data:image/png;base64," + wrapped, "image_format": "png",
                           "threshold": 1})
        r = self.post(body)
        self.assertEqual(r.status_code, 200, r.text)
        d = self.api.validate(CHECK, "post", r)["data"]
        self.assertEqual(d["threshold"], 1)
        self.assertFalse(d["isFakeFace"])  # nothing is above a threshold of 1

    def test_threshold_presets_and_the_account_default_select_the_operating_point(self):
        presets = json.load(open(os.path.join(os.environ["LIVECHECK_MODEL_DIR"], "models.json")))["presets"]
        acc = self.server.create_account(plan="starter")
        key = acc["primary_key"]

        def threshold_of(extra):
            body = json.dumps(dict({"image": b64(self.jpeg), "image_format": "jpeg"}, **extra))
            r = self.post(body, key=key)
            self.assertEqual(r.status_code, 200, r.text)
            d = self.api.validate(CHECK, "post", r)["data"]
            self.assertEqual(d["isFakeFace"], d["isFakeLikelihood"] > d["threshold"])
            return d["threshold"]

        self.assertEqual(threshold_of({}), 0.15)  # the server's default
        for name in ("strict", "balanced", "lenient"):
            self.assertAlmostEqual(threshold_of({"threshold": name}), presets[name], places=6)
        # The account's default applies when the request names none; the request still wins.
        shown = self.server.admin("set-threshold", "--customer", acc["customer_id"],
                                  "--threshold", "strict")
        self.assertEqual(shown["default_threshold"], "strict")
        self.assertAlmostEqual(threshold_of({}), presets["strict"], places=6)
        self.assertEqual(threshold_of({"threshold": 0.5}), 0.5)
        self.server.admin("set-threshold", "--customer", acc["customer_id"], "--threshold", "0.3")
        self.assertEqual(threshold_of({}), 0.3)
        self.server.admin("set-threshold", "--customer", acc["customer_id"], "--threshold", "default")
        self.assertEqual(threshold_of({}), 0.15)
        # Unknown names are invalid_request and are not counted.
        before = self.server.usage(key)["used_calls"]
        r = self.post(json.dumps({"image": b64(self.jpeg), "image_format": "jpeg",
                                  "threshold": "paranoid"}), key=key)
        self.expect_error(r, 400, "invalid_request")
        self.assertEqual(self.server.usage(key)["used_calls"], before)

    def test_health_and_openapi(self):
        r = requests.get(self.server.url + "/v1/health", timeout=10)
        self.assertEqual(r.status_code, 200)
        body = self.api.validate("/v1/health", "get", r)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["version"], "1.0.0")
        r = requests.get(self.server.url + "/openapi.yaml", timeout=10)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers["Content-Type"], "application/yaml")
        with open(os.path.join(harness.SOURCE, "docs", "openapi.yaml"), encoding="utf-8") as f:
            self.assertEqual(r.text, f.read())

    def test_usage_shape(self):
        r = requests.get(self.server.url + "/v1/usage?verbose=1", headers={"X-API-Key": self.key},
                         timeout=10)
        self.assertEqual(r.status_code, 200)
        d = self.api.validate("/v1/usage", "get", r)["data"]
        self.assertEqual(d["plan"], "starter")
        self.assertEqual(d["monthly_limit"], 1000)
        self.assertEqual(d["remaining_calls"], 1000 - d["used_calls"])
        self.assertTrue(d["period_start"].endswith("-01T00:00:00.000Z"))

    # --- invalid_request ---------------------------------------------------------------------
    def test_invalid_request_variants(self):
        good = b64(self.jpeg)
        cases = {
            "broken json": '{"image": "abc", ',
            "not an object": json.dumps([good, "jpeg"]),
            "empty body": "",
            "missing image": json.dumps({"image_format": "jpeg"}),
            "image not a string": json.dumps({"image": 12, "image_format": "jpeg"}),
            "missing format": json.dumps({"image": good}),
            "format not a string": json.dumps({"image": good, "image_format": ["jpeg"]}),
            "unknown format": json.dumps({"image": good, "image_format": "gif"}),
            "bad base64 char": json.dumps({"image": good[:100] + "*" + good[101:],
                                           "image_format": "jpeg"}),
            "bad base64 length": json.dumps({"image": one_too_many(good), "image_format": "jpeg"}),
            "padding inside": json.dumps({"image": "AB=C" + good, "image_format": "jpeg"}),
            "spaces in base64": json.dumps({"image": good[:50] + " " + good[50:],
                                            "image_format": "jpeg"}),
            "empty image": json.dumps({"image": "", "image_format": "jpeg"}),
            "bad data url": json.dumps({"image": "data:text/plain;base64," + good,
                                        "image_format": "jpeg"}),
            "threshold out of range": json.dumps({"image": good, "image_format": "jpeg",
                                                  "threshold": 1.5}),
            "threshold string": json.dumps({"image": good, "image_format": "jpeg",
                                            "threshold": "0.2"}),
            "invalid utf8": b'{"image": "\xff\xfe", "image_format": "jpeg"}',
        }
        before = self.server.usage(self.key)["used_calls"]
        for name, body in cases.items():
            with self.subTest(name):
                self.expect_error(self.post(body), 400, "invalid_request")
        self.assertEqual(self.server.usage(self.key)["used_calls"], before)

    def test_mutated_bodies_never_cause_5xx(self):
        """Deterministic mutations of a valid body (truncations, byte flips, type swaps)."""
        import random
        rng = random.Random(1234)
        small = read(harness.FRUITS_JPG)[:2000]  # invalid image: mutations never reach inference
        valid = check_body(small).encode()
        bodies = [valid[:n] for n in range(0, len(valid), max(1, len(valid) // 40))]
        for _ in range(60):
            b = bytearray(valid)
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            bodies.append(bytes(b))
        for v in [None, True, 0, -1e308, 1e400, [], {}, "", "x" * 10000]:
            for field in ["image", "image_format", "threshold"]:
                doc = {"image": b64(small), "image_format": "jpeg"}
                doc[field] = v
                bodies.append(json.dumps(doc).replace("Infinity", "1e400").encode())
        bodies += [b'{"image":"' + b"\\u0000" * 1000 + b'","image_format":"jpeg"}',
                   b"[" * 100000, b'{"a":' * 5000, b"\x00" * 1000]
        with requests.Session() as s:
            for body in bodies:
                r = s.post(self.server.url + CHECK, data=body,
                           headers={"X-API-Key": self.key}, timeout=60)
                self.assertIn(r.status_code, (200, 400), body[:80])
                self.assertIn(r.json()["metadata"]["status"], ("success", "error"))

    # --- invalid_image -----------------------------------------------------------------------
    def test_invalid_image_variants(self):
        big = b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024 + 10)  # > 10 MiB decoded
        cases = {
            "no face": (read(harness.FRUITS_JPG), "jpeg"),
            "format mismatch": (read(harness.ASTRONAUT_PNG), "jpeg"),
            "not an image": (b"hello world, not an image" * 10, "png"),
            "truncated jpeg": (self.jpeg[: len(self.jpeg) // 2], "jpeg"),
            "larger than 10 MiB": (big, "jpeg"),
        }
        before = self.server.usage(self.key)["used_calls"]
        for name, (data, fmt) in cases.items():
            with self.subTest(name):
                body = self.expect_error(self.post(check_body(data, fmt)), 400, "invalid_image")
                self.assertEqual(body["metadata"]["customer_id"], self.account["customer_id"])
        self.assertEqual(self.server.usage(self.key)["used_calls"], before)

    # --- keys ----------------------------------------------------------------------------------
    def test_invalid_api_key_variants(self):
        body = check_body(self.jpeg)
        unknown = "lc_" + "A" * 32
        for name, key in {"missing": "", "malformed": "not-a-key", "unknown": unknown,
                          "lowercase prefix": "LC_" + self.key[3:]}.items():
            with self.subTest(name):
                r = self.post(body, key=key)
                b = self.expect_error(r, 401, "invalid_api_key")
                self.assertNotIn("customer_id", b["metadata"])
        r = requests.get(self.server.url + "/v1/usage", timeout=10)
        self.expect_error(r, 401, "invalid_api_key", path="/v1/usage", method="get")

    def test_key_regenerated_mid_run_fails_at_once_other_slot_keeps_working(self):
        acc = self.server.create_account(plan="starter")
        primary, secondary = acc["primary_key"], acc["secondary_key"]
        stop = threading.Event()
        results = []

        def traffic():  # steady traffic on the secondary key during the rotation
            s = requests.Session()
            while not stop.is_set():
                results.append(s.get(self.server.url + "/v1/usage",
                                     headers={"X-API-Key": secondary}, timeout=10).status_code)

        t = threading.Thread(target=traffic)
        t.start()
        try:
            self.assertEqual(self.server.check(primary).status_code, 200)
            new = self.server.admin("regenerate-key", "--customer", acc["customer_id"],
                                    "--slot", "primary")
            self.assertNotEqual(new["key"], primary)
            self.assert_error(self.server.check(primary), 401, "invalid_api_key")
            self.assertEqual(self.server.check(secondary).status_code, 200)
            self.assertEqual(self.server.check(new["key"]).status_code, 200)
        finally:
            stop.set()
            t.join()
        self.assertTrue(results)
        self.assertEqual(set(results), {200})
        listed = [a for a in self.server.admin("list-accounts")
                  if a["customer_id"] == acc["customer_id"]][0]
        self.assertEqual(listed["keys"]["primary"], new["key"][:8] + "…")

    # --- routing -----------------------------------------------------------------------------
    def test_not_found_and_method_not_allowed(self):
        r = requests.get(self.server.url + "/v1/nothing", timeout=10)
        self.assert_error(r, 404, "not_found")
        r = requests.get(self.server.url + CHECK, headers={"X-API-Key": self.key}, timeout=10)
        self.expect_error(r, 405, "method_not_allowed", method="post")
        self.assertEqual(r.headers["Allow"], "POST")
        r = requests.delete(self.server.url + "/v1/usage", timeout=10)
        self.assert_error(r, 405, "method_not_allowed")
        self.assertEqual(r.headers["Allow"], "GET")

    def test_request_id_generated_when_absent_or_unsafe(self):
        r = requests.get(self.server.url + "/v1/health", headers={"X-Request-Id": "bad id\t<x>"},
                         timeout=10)
        self.assertRegex(r.headers["X-Request-Id"], r"^[0-9a-f]{16}$")
        r = requests.get(self.server.url + "/v1/nothing", timeout=10)
        self.assertEqual(r.json()["metadata"]["request_id"], r.headers["X-Request-Id"])

    # --- internal_error ----------------------------------------------------------------------
    def test_database_locked_is_internal_error_without_details_and_not_counted(self):
        acc = self.server.create_account(plan="starter")
        key = acc["primary_key"]
        path = self.server.db[len("sqlite:"):]
        con = sqlite3.connect(path, timeout=30, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")  # another process holds the write lock past busy_timeout
        result = {}
        t = threading.Thread(target=lambda: result.update(r=self.server.check(key)))
        try:
            t.start()
            while requests.get(self.server.url + "/v1/health").json()["in_flight"] == 0:
                pass
            # The check waits for the write lock; key lookups and usage (reads) must not.
            usage = requests.get(self.server.url + "/v1/usage", headers={"X-API-Key": key})
            self.assertEqual(usage.status_code, 200)
            self.assertTrue(t.is_alive(), "usage waited for the locked write")
            t.join()
        finally:
            con.execute("ROLLBACK")
            con.close()
        body = self.expect_error(result["r"], 500, "internal_error")
        self.assertEqual(body["error"]["message"], "An internal error occurred.")
        self.assertEqual(self.server.check(key).status_code, 200)
        self.assertEqual(self.server.usage(key)["used_calls"], 1)

    # --- logs ----------------------------------------------------------------------------------
    def test_logs_are_json_lines_with_request_ids_and_never_keys_or_images(self):
        self.post(check_body(self.jpeg), headers={"X-Request-Id": "trace-me-1"})
        text = self.server.logs()
        self.assertNotIn(self.key, text)
        self.assertNotIn(self.key[3:], text)
        self.assertNotIn(b64(self.jpeg)[:64], text)
        lines = self.server.log_lines()  # every line parses as JSON
        traced = [x for x in lines if x.get("request_id") == "trace-me-1"]
        self.assertEqual(len(traced), 1)
        self.assertEqual(traced[0]["status"], 200)
        self.assertEqual(traced[0]["customer_id"], self.account["customer_id"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
