#!/usr/bin/env python3
"""Plans, hard cap, overage, free plan and UTC month rollover, on the real binary and database."""
import json
import os
import unittest
from concurrent.futures import ThreadPoolExecutor

import requests

import harness
from harness import Server, ServerTestCase, read


def fire(server, key, n, concurrency):
    """n checks with `concurrency` clients at once; returns the list of responses."""
    data = read(harness.face_jpeg_path())

    def one(_):
        with requests.Session() as s:
            return server.check(key, data, session=s)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, range(n)))


class Metering(ServerTestCase):
    def test_hard_cap_80_concurrent_against_limit_50(self):
        acc = self.server.create_account(plan="enterprise", hard_cap="on", limit=50)
        key = acc["primary_key"]
        responses = fire(self.server, key, 80, 80)
        codes = [r.status_code for r in responses]
        self.assertEqual(codes.count(200), 50, codes)
        self.assertEqual(codes.count(429), 30, codes)
        for r in responses:
            if r.status_code == 429:
                self.assert_error(r, 429, "quota_exceeded")
        remaining = sorted(r.json()["metadata"]["remaining_calls"] for r in responses
                           if r.status_code == 200)
        self.assertEqual(remaining, list(range(50)))  # every count from 49 down to 0, once
        u = self.server.usage(key)
        self.assertEqual((u["used_calls"], u["remaining_calls"], u["over_limit_calls"]), (50, 0, 0))
        self.assertTrue(u["hard_cap"])

    def test_default_queue_lets_100_concurrent_clients_through(self):
        acc = self.server.create_account(plan="starter")
        codes = [r.status_code for r in fire(self.server, acc["primary_key"], 100, 100)]
        self.assertEqual(codes, [200] * 100)
        self.assertEqual(self.server.usage(acc["primary_key"])["used_calls"], 100)

    def test_overage_when_hard_cap_off(self):
        acc = self.server.create_account(plan="enterprise", hard_cap="off", limit=3)
        key = acc["primary_key"]
        metas = []
        for _ in range(5):
            r = self.server.check(key)
            self.assertEqual(r.status_code, 200, r.text)
            metas.append(r.json()["metadata"])
        self.assertEqual([m["remaining_calls"] for m in metas], [2, 1, 0, 0, 0])
        self.assertEqual([m["over_limit_calls"] for m in metas], [0, 0, 0, 1, 2])
        u = self.server.usage(key)
        self.assertEqual((u["used_calls"], u["over_limit_calls"]), (5, 2))
        # Turning the hard cap on stops the account at once, without counting.
        self.server.admin("set-hard-cap", "--customer", acc["customer_id"], "--hard-cap", "on")
        self.assert_error(self.server.check(key), 429, "quota_exceeded")
        self.assertEqual(self.server.usage(key)["used_calls"], 5)
        # A plan upgrade makes room again.
        self.server.admin("set-plan", "--customer", acc["customer_id"], "--plan", "starter")
        r = self.server.check(key)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["metadata"]["remaining_calls"], 1000 - 6)

    def test_free_plan_never_goes_into_overage(self):
        acc = self.server.create_account(plan="free", hard_cap="off")
        key = acc["primary_key"]
        codes = [r.status_code for r in fire(self.server, key, 100, 8)]
        self.assertEqual(codes.count(200), 100)
        r = self.server.check(key)
        self.assert_error(r, 429, "quota_exceeded")
        u = self.server.usage(key)
        self.assertEqual((u["plan"], u["monthly_limit"], u["used_calls"], u["over_limit_calls"],
                          u["remaining_calls"]), ("free", 100, 100, 0, 0))
        self.assertTrue(u["hard_cap"])  # effective value: the free plan is always capped

    def test_errors_are_never_counted(self):
        acc = self.server.create_account(plan="enterprise", hard_cap="on", limit=1)
        key = acc["primary_key"]
        for _ in range(3):
            r = self.server.check(key, read(harness.FRUITS_JPG))  # no face
            self.assert_error(r, 400, "invalid_image")
        self.assertEqual(self.server.check(key).status_code, 200)  # the one call is still there
        self.assertEqual(self.server.usage(key)["used_calls"], 1)

    def test_admin_rejects_bad_input_with_exit_codes(self):
        acc = self.server.create_account(plan="starter")
        self.server.admin("set-plan", "--customer", acc["customer_id"], "--plan", "gold",
                          expect_rc=2)
        self.server.admin("set-plan", "--customer", acc["customer_id"], "--plan", "starter",
                          "--limit", "5", expect_rc=2)
        self.server.admin("regenerate-key", "--customer", "00000000-0000-4000-8000-000000000000",
                          "--slot", "primary", expect_rc=1)
        self.server.admin("regenerate-key", "--customer", acc["customer_id"], "--slot", "third",
                          expect_rc=2)
        self.server.admin("create-account", "--email", "x@y.z", "--company", "c", expect_rc=2)
        shown = self.server.admin("set-hard-cap", "--customer", acc["customer_id"],
                                  "--hard-cap", "on")
        self.assertTrue(shown["hard_cap"])
        self.assertNotIn(acc["primary_key"], json.dumps(self.server.admin("list-accounts")))

    def test_admin_usage_reports_daily_counts(self):
        acc = self.server.create_account(plan="starter")
        for _ in range(2):
            self.assertEqual(self.server.check(acc["primary_key"]).status_code, 200)
        u = self.server.admin("usage", "--customer", acc["customer_id"])
        self.assertEqual(u["used_calls"], 2)
        self.assertEqual(sum(u["daily"].values()), 2)


class MonthRollover(unittest.TestCase):
    """LIVECHECK_TEST_CLOCK_FILE moves the server's clock across a UTC month boundary."""

    def test_limit_resets_at_utc_month_start(self):
        server = Server()
        clock = os.path.join(server.tmp, "clock")
        with open(clock, "w") as f:
            f.write("2026-01-31T23:59:58Z")
        server.env["LIVECHECK_TEST_CLOCK_FILE"] = clock
        with server:
            acc = server.create_account(plan="enterprise", hard_cap="on", limit=2)
            key = acc["primary_key"]
            self.assertEqual([server.check(key).status_code for _ in range(3)], [200, 200, 429])
            jan = server.usage(key)
            self.assertEqual(jan["period_start"], "2026-01-01T00:00:00.000Z")
            self.assertEqual(jan["period_end"], "2026-02-01T00:00:00.000Z")
            self.assertEqual(jan["used_calls"], 2)

            with open(clock, "w") as f:
                f.write("2026-02-01T00:00:00Z")
            r = server.check(key)
            self.assertEqual(r.status_code, 200, r.text)
            self.assertEqual(r.json()["metadata"]["remaining_calls"], 1)
            self.assertTrue(r.json()["metadata"]["date"].startswith("2026-02-01T00:00:00"))
            feb = server.usage(key)
            self.assertEqual(feb["period_start"], "2026-02-01T00:00:00.000Z")
            self.assertEqual(feb["used_calls"], 1)
            # January's count is kept, and the admin CLI reads it with the same clock override.
            with open(clock, "w") as f:
                f.write("2026-01-15T12:00:00Z")
            self.assertEqual(server.admin("usage", "--customer", acc["customer_id"])["used_calls"],
                             2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
