#!/usr/bin/env python3
"""Console rules over real HTTP: the real binary, its SQLite database, the outbox mailer and the
admin CLI. The browser journey (pages, SMTP peer) is tests/browser; this file pins the HTTP
contract of docs/CONSOLE.md: CSRF, cookies, throttling, tokens, keys, hard cap, page headers."""
import glob
import os
import re
import time
import unittest

import requests

import harness
from harness import Server, read

STRONG = "Str0ng!pass"


class ConsoleServer(Server):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.outbox = os.path.join(self.tmp, "outbox")
        self.clock = os.path.join(self.tmp, "clock")
        self.args += ["--outbox", self.outbox, "--workers", "2"]
        self.env["LIVECHECK_TEST_CLOCK_FILE"] = self.clock

    def set_time(self, epoch_ms):
        with open(self.clock, "w") as f:
            f.write(str(int(epoch_ms)))

    def token(self, sub, plan="starter", account="123456789012", lifetime=3600):
        return self.admin("marketplace-token", "--account-id", account, "--subscription-id", sub,
                          "--plan", plan, "--lifetime", str(lifetime), "--public-url", self.url)

    def mails(self):
        out = []
        for p in sorted(glob.glob(os.path.join(self.outbox, "*.eml"))):
            with open(p, encoding="utf-8") as f:
                out.append(f.read())
        return out

    def last_link_token(self):
        return re.search(r"token=([A-Za-z0-9_-]+)", self.mails()[-1]).group(1)


class Browser:
    """A requests.Session that behaves like the console pages: CSRF header on every POST."""

    def __init__(self, server):
        self.server = server
        self.s = requests.Session()
        self.csrf = None

    def refresh(self):
        r = self.s.get(self.server.url + "/console/api/session")
        self.csrf = r.json()["csrf"]
        return r

    def post(self, path, body, csrf=True, **kw):
        if self.csrf is None:
            self.refresh()
        headers = kw.pop("headers", {})
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        r = self.s.post(self.server.url + path, json=body, headers=headers, **kw)
        try:
            if isinstance(r.json(), dict) and "csrf" in r.json():
                self.csrf = r.json()["csrf"]  # signed in: the session's token from now on
        except ValueError:
            pass
        return r

    def get(self, path):
        return self.s.get(self.server.url + path)


def form(token, email="ada@example.com", **over):
    f = {"token": token, "first_name": "Ada", "last_name": "Lovelace", "email": email,
         "company": "ACME", "website": "https://acme.example"}
    f.update(over)
    return f


class Console(unittest.TestCase):
    def setUp(self):
        self.server = ConsoleServer()
        self.server.set_time(time.time() * 1000)
        self.server.start()

    def tearDown(self):
        self.server.cleanup()

    def onboard(self, b, sub="sub-1", email="ada@example.com", plan="starter"):
        tok = self.server.token(sub, plan)["token"]
        r = b.post("/console/api/signup", form(tok, email))
        self.assertEqual(r.status_code, 201, r.text)
        r = b.post("/console/api/activate", {"token": self.server.last_link_token(),
                                             "password": STRONG})
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()["keys"]

    def assert_code(self, r, status, code):
        self.assertEqual(r.status_code, status, r.text)
        self.assertEqual(r.json()["error"]["code"], code, r.text)

    def test_full_journey_keys_work_and_are_shown_once(self):
        b = Browser(self.server)
        out = self.server.token("sub-1")
        self.assertIn("/console/onboard?token=", out["onboarding_url"])
        r = b.post("/console/api/marketplace/resolve", {"token": out["token"]})
        self.assertEqual(r.json(), {"account_id": "123456789012", "subscription_id": "sub-1",
                                    "plan": "starter", "plan_label": "Starter"})
        keys = self.onboard(b)
        # Mail went to the outbox with its link logged.
        mail = self.server.mails()[0]
        self.assertIn("To: <ada@example.com>", mail)
        logged = [l for l in self.server.log_lines() if l.get("event") == "mail_outbox"]
        self.assertEqual(len(logged), 1)
        self.assertIn("/console/verify?token=", logged[0]["link"])
        # The new key works on the API.
        r = self.server.check(keys["primary"], read(harness.face_jpeg_path()))
        self.assertEqual(r.status_code, 200, r.text)
        # Afterwards only prefixes, with last-used time.
        d = b.get("/console/api/dashboard").json()
        prefixes = {k["slot"]: k for k in d["keys"]}
        self.assertEqual(prefixes["primary"]["prefix"], keys["primary"][:8])
        self.assertIsNotNone(prefixes["primary"]["last_used_at"])
        self.assertIsNone(prefixes["secondary"]["last_used_at"])
        self.assertNotIn(keys["primary"], b.get("/console/api/dashboard").text)
        self.assertEqual(d["usage"]["calls"], 1)
        self.assertEqual(d["usage"]["days"][-1]["calls"], 1)
        self.assertIn(keys["primary"][:8] + "…", d["curl_example"])
        # No secret in the log.
        logs = self.server.logs()
        self.assertNotIn(keys["primary"], logs)
        self.assertNotIn(STRONG, logs)

    def test_session_cookie_flags_and_csrf(self):
        b = Browser(self.server)
        r = b.refresh()
        cookie = r.headers["Set-Cookie"]
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/console"):
            self.assertIn(flag, cookie)
        tok = self.server.token("sub-1")["token"]
        # Missing and wrong CSRF header, and a cross-site Origin, are refused.
        self.assert_code(b.post("/console/api/marketplace/resolve", {"token": tok}, csrf=False),
                         403, "csrf_failed")
        self.assert_code(b.post("/console/api/marketplace/resolve", {"token": tok},
                                headers={"X-CSRF-Token": "x" * 32}, csrf=False), 403, "csrf_failed")
        self.assert_code(b.post("/console/api/marketplace/resolve", {"token": tok},
                                headers={"Origin": "https://evil.example"}), 403, "csrf_failed")
        # A header without the matching cookie (another browser) is refused too.
        other = requests.post(self.server.url + "/console/api/marketplace/resolve",
                              json={"token": tok}, headers={"X-CSRF-Token": b.csrf})
        self.assertEqual(other.status_code, 403)
        self.onboard(b)
        session_cookie = [c for c in b.s.cookies if c.name == "lc_session"][0]
        self.assertTrue(session_cookie.has_nonstandard_attr("HttpOnly"))
        # Signed in: the anonymous token no longer works, the session's does.
        r = b.post("/console/api/hard-cap", {"enabled": True})
        self.assertEqual(r.status_code, 200, r.text)
        anon = b.s.cookies.get("lc_csrf")
        self.assert_code(b.post("/console/api/hard-cap", {"enabled": True},
                                headers={"X-CSRF-Token": anon}, csrf=False), 403, "csrf_failed")

    def test_bad_bodies_get_clear_errors(self):
        b = Browser(self.server)
        b.refresh()
        h = {"X-CSRF-Token": b.csrf, "Content-Type": "application/json"}
        for body in (b"{", b"[]", b"\xff\xfe", b'"token"'):
            r = b.s.post(self.server.url + "/console/api/signup", data=body, headers=h)
            self.assert_code(r, 400, "invalid_request")
        r = b.s.post(self.server.url + "/console/api/login", data=b"{" + b" " * 70000 + b"}",
                     headers=h)
        self.assert_code(r, 413, "payload_too_large")
        r = b.s.get(self.server.url + "/console/api/login")
        self.assertEqual(r.status_code, 405)

    def test_tampered_expired_and_replayed_tokens(self):
        b = Browser(self.server)
        tok = self.server.token("sub-1", lifetime=60)["token"]
        tampered = tok[:-2] + ("AA" if not tok.endswith("AA") else "BB")
        self.assert_code(b.post("/console/api/marketplace/resolve", {"token": tampered}), 400,
                         "token_invalid")
        self.assert_code(b.post("/console/api/signup", form(tampered)), 400, "token_invalid")
        self.server.set_time(time.time() * 1000 + 61_000)
        self.assert_code(b.post("/console/api/marketplace/resolve", {"token": tok}), 410,
                         "token_expired")
        self.server.set_time(time.time() * 1000)
        tok2 = self.server.token("sub-2")["token"]
        self.assertEqual(b.post("/console/api/signup", form(tok2)).status_code, 201)
        self.assert_code(b.post("/console/api/marketplace/resolve", {"token": tok2}), 410,
                         "token_used")
        self.assertEqual(len(self.server.admin("list-accounts")), 1)

    def test_validation_duplicates_and_password_rule(self):
        b = Browser(self.server)
        r = b.post("/console/api/signup", form(self.server.token("s1")["token"],
                                               email="nope", website="http://acme.example"))
        self.assert_code(r, 400, "invalid_request")
        self.assertEqual(set(r.json()["error"]["fields"]), {"email", "website"})
        self.onboard(b, "s1")
        r = b.post("/console/api/signup", form(self.server.token("s2")["token"],
                                               email="ADA@example.com"))
        self.assert_code(r, 409, "email_taken")
        r = b.post("/console/api/signup", form(self.server.token("s1")["token"],
                                               email="bob@example.com"))
        self.assert_code(r, 409, "subscription_used")
        # Weak password on reset: every unmet part named.
        b2 = Browser(self.server)
        self.assertEqual(b2.post("/console/api/password/forgot",
                                 {"email": "ada@example.com"}).status_code, 202)
        r = b2.post("/console/api/password/reset", {"token": self.server.last_link_token(),
                                                    "password": "alllowercase"})
        self.assert_code(r, 400, "weak_password")
        self.assertEqual(r.json()["error"]["unmet"], ["upper", "digit", "symbol"])

    def test_login_throttling_and_logout(self):
        b = Browser(self.server)
        self.onboard(b)
        self.assertEqual(b.post("/console/api/logout", {}).status_code, 204)
        self.assert_code(b.get("/console/api/dashboard"), 401, "not_signed_in")
        b.refresh()
        for _ in range(5):
            self.assert_code(b.post("/console/api/login", {"email": "ada@example.com",
                                                           "password": "Wr0ng!pass"}),
                             401, "invalid_credentials")
        r = b.post("/console/api/login", {"email": "ada@example.com", "password": STRONG})
        self.assert_code(r, 429, "rate_limited")
        self.assertGreater(int(r.headers["Retry-After"]), 0)
        self.server.set_time(time.time() * 1000 + 16 * 60_000)
        r = b.post("/console/api/login", {"email": "ada@example.com", "password": STRONG})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn("lc_session=", r.headers["Set-Cookie"])
        self.assertEqual(b.get("/console/api/dashboard").status_code, 200)

    def test_regenerate_key_and_hard_cap_on_the_api(self):
        b = Browser(self.server)
        keys = self.onboard(b)
        r = b.post("/console/api/keys/regenerate", {"slot": "primary"})
        self.assertEqual(r.status_code, 200, r.text)
        new = r.json()["key"]
        def usage_status(key):
            return requests.get(self.server.url + "/v1/usage", headers={"X-API-Key": key}).status_code

        self.assertEqual(usage_status(keys["primary"]), 401)
        self.assertEqual(usage_status(new), 200)
        self.assertEqual(usage_status(keys["secondary"]), 200)
        self.assert_code(b.post("/console/api/keys/regenerate", {"slot": "tertiary"}), 400,
                         "invalid_request")
        # Limit 1 with the hard cap on: the second check is refused.
        cid = b.get("/console/api/dashboard").json()["account"]["customer_id"]
        self.server.admin("set-plan", "--customer", cid, "--plan", "enterprise", "--limit", "1")
        self.assertEqual(b.post("/console/api/hard-cap", {"enabled": True}).json(),
                         {"enabled": True})
        face = read(harness.face_jpeg_path())
        self.assertEqual(self.server.check(new, face).status_code, 200)
        r = self.server.check(new, face)
        self.assertEqual(r.status_code, 429, r.text)
        self.assertEqual(r.json()["error"]["code"], "quota_exceeded")

    def test_suspended_account_loses_keys_and_login_until_reactivated(self):
        b = Browser(self.server)
        keys = self.onboard(b)
        cid = b.get("/console/api/dashboard").json()["account"]["customer_id"]

        def usage_status():
            return requests.get(self.server.url + "/v1/usage",
                                headers={"X-API-Key": keys["primary"]}).status_code

        self.assertEqual(self.server.admin("set-status", "--customer", cid, "--status",
                                           "suspended")["status"], "suspended")
        self.assertEqual(usage_status(), 401)
        self.assert_code(b.get("/console/api/dashboard"), 401, "not_signed_in")  # session ended
        b2 = Browser(self.server)
        self.assert_code(b2.post("/console/api/login", {"email": "ada@example.com",
                                                        "password": STRONG}),
                         403, "account_suspended")
        self.server.admin("set-status", "--customer", cid, "--status", "active")
        self.assertEqual(usage_status(), 200)
        self.assertEqual(b2.post("/console/api/login", {"email": "ada@example.com",
                                                        "password": STRONG}).status_code, 200)
        # A sign-up that never set its password cannot be switched to active by hand.
        tok = self.server.token("sub-pending")["token"]
        self.assertEqual(b2.post("/console/api/signup", form(tok, "bob@example.com")).status_code,
                         201)
        pending = [a for a in self.server.admin("list-accounts")
                   if a["email"] == "bob@example.com"][0]
        self.server.admin("set-status", "--customer", pending["customer_id"], "--status",
                          "active", expect_rc=2)

    def test_free_plan_hard_cap_is_locked(self):
        b = Browser(self.server)
        self.onboard(b, plan="free")
        d = b.get("/console/api/dashboard").json()
        self.assertTrue(d["hard_cap"]["enabled"])
        self.assertTrue(d["hard_cap"]["locked"])
        self.assertTrue(d["hard_cap"]["reason"])
        self.assert_code(b.post("/console/api/hard-cap", {"enabled": False}), 403, "forbidden")

    def test_pages_are_served_with_security_headers(self):
        for path in ("/console/", "/console/onboard", "/console/verify", "/console/dashboard",
                     "/console/forgot", "/console/reset"):
            r = requests.get(self.server.url + path)
            self.assertEqual(r.status_code, 200, path)
            self.assertTrue(r.headers["Content-Type"].startswith("text/html"), path)
            self.assertIn("frame-ancestors 'none'", r.headers["Content-Security-Policy"])
            self.assertEqual(r.headers["Referrer-Policy"], "no-referrer")
            self.assertEqual(r.headers["Cache-Control"], "no-store")
        r = requests.get(self.server.url + "/console/assets/console.css")
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/css"))
        for bad in ("/console/../../etc/passwd", "/console/nope", "/console/assets/%2e%2e/x"):
            self.assertEqual(requests.get(self.server.url + bad).status_code, 404, bad)
        self.assert_code(requests.get(self.server.url + "/console/api/nope"), 404, "not_found")
        r = requests.get(self.server.url + "/console", allow_redirects=False)
        self.assertEqual(r.status_code, 308)
        self.assertEqual(r.headers["Location"], "/console/")

    def test_admin_marketplace_token_validates_inputs(self):
        err = self.server.admin("marketplace-token", "--account-id", "12345", "--subscription-id",
                                "s", "--plan", "starter", expect_rc=2)
        self.assertIn("12 digits", err)
        err = self.server.admin("marketplace-token", "--account-id", "123456789012",
                                "--subscription-id", "s", "--plan", "gold", expect_rc=2)
        self.assertIn("plan", err)


if __name__ == "__main__":
    unittest.main()
