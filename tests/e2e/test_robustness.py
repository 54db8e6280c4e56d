#!/usr/bin/env python3
"""Abuse and lifecycle: slow clients, oversized bodies, malformed HTTP, a full queue, start-up,
SIGTERM drain and kill -9 consistency. No assertion depends on timing, only on outcomes."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

import requests

import harness
from harness import Server, ServerTestCase, check_body, read

CHECK = "/v1/check/liveness"


def raw_exchange(port, payload, read_timeout=30):
    """Sends raw bytes, returns everything the server sends back until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except ConnectionResetError:
            pass
        return b"".join(chunks)


def status_and_json(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body.strip() else None


def big_face_png():
    """A large PNG (slow to decode) so that requests stay in flight for a while."""
    import cv2
    path = os.path.join(tempfile.gettempdir(), "livecheck_e2e_big_face.png")
    if not os.path.exists(path):
        img = cv2.imread(harness.ASTRONAUT_PNG)
        cv2.imwrite(path, cv2.resize(img, (2400, 2400)))
    return read(path)


class Limits(ServerTestCase):
    server_args = ("--read-timeout", "1")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.server.create_account(plan="starter")["primary_key"]

    def test_announced_oversized_body_is_413_before_upload(self):
        head = (f"POST {CHECK} HTTP/1.1\r\nHost: x\r\nX-API-Key: {self.key}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {15 * 1024 * 1024}\r\n\r\n")
        status, body = status_and_json(raw_exchange(self.server.port, head.encode()))
        self.assertEqual(status, 413)
        self.assertEqual(body["error"]["code"], "payload_too_large")

    def test_chunked_body_past_limit_is_413(self):
        head = (f"POST {CHECK} HTTP/1.1\r\nHost: x\r\nX-API-Key: {self.key}\r\n"
                "Transfer-Encoding: chunked\r\n\r\n").encode()
        chunk = b"A" * (1024 * 1024)
        payload = head + (b"100000\r\n" + chunk + b"\r\n") * 15 + b"0\r\n\r\n"
        status, body = status_and_json(raw_exchange(self.server.port, payload))
        self.assertEqual(status, 413)
        self.assertEqual(body["error"]["code"], "payload_too_large")

    def test_curl_with_expect_100_continue_gets_413(self):
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            f.write(b'{"image":"' + b"A" * (15 * 1024 * 1024) + b'","image_format":"jpeg"}')
            f.flush()
            p = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code}",
                                "-H", f"X-API-Key: {self.key}", "-H",
                                "Content-Type: application/json", "--data-binary", "@" + f.name,
                                self.server.url + CHECK], capture_output=True, text=True)
        body, _, code = p.stdout.rpartition("\n")
        self.assertEqual(code, "413", p.stderr)
        self.assertEqual(json.loads(body)["error"]["code"], "payload_too_large")

    def test_body_under_limit_with_too_large_image_is_invalid_image(self):
        data = b"\xff\xd8\xff" + os.urandom(10 * 1024 * 1024)  # 13.4 MiB of base64 < 14 MiB
        r = self.server.check(self.key, data)
        self.assert_error(r, 400, "invalid_image")

    def trickle_until_closed(self, prefix):
        """Sends `prefix`, then one byte every 100 ms for up to 30 s; True if the server hung up."""
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=60)
        s.sendall(prefix)
        try:
            for _ in range(300):
                try:
                    s.sendall(b"X")
                    s.settimeout(0.1)
                    if s.recv(1) == b"":
                        return True
                except socket.timeout:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    return True
            return False
        finally:
            s.close()

    def test_slow_header_trickle_is_cut_off_and_does_not_block_others(self):
        # The server (read timeout 1 s) must hang up long before 30 s; meanwhile others are served.
        result = {}
        t = threading.Thread(target=lambda: result.update(closed=self.trickle_until_closed(
            b"POST /v1/check/liveness HTTP/1.1\r\nHost: x\r\n")))
        t.start()
        self.assertEqual(self.server.check(self.key).status_code, 200)
        t.join()
        self.assertTrue(result["closed"], "the server kept a trickling client connected")

    def test_slow_body_trickle_is_cut_off(self):
        head = (f"POST {CHECK} HTTP/1.1\r\nHost: x\r\nX-API-Key: {self.key}\r\n"
                "Content-Length: 100000\r\n\r\n{\"image\": \"")
        before = self.server.usage(self.key)["used_calls"]
        self.assertTrue(self.trickle_until_closed(head.encode()))
        self.assertEqual(self.server.usage(self.key)["used_calls"], before)  # nothing counted

    def test_header_limit_and_malformed_http_are_400(self):
        huge = "X-Filler: " + "a" * (20 * 1024) + "\r\n"
        raw = raw_exchange(self.server.port,
                           f"GET /v1/health HTTP/1.1\r\nHost: x\r\n{huge}\r\n".encode())
        status, body = status_and_json(raw)
        self.assertEqual((status, body["error"]["code"]), (400, "invalid_request"))
        for garbage in [b"HELLO\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                        b"POST /v1/check/liveness HTTP/1.1\r\nContent-Length: x\r\n\r\n",
                        b"\x00\x01\x02\x03\r\n\r\n"]:
            with self.subTest(garbage=garbage):
                status, body = status_and_json(raw_exchange(self.server.port, garbage))
                self.assertEqual((status, body["error"]["code"]), (400, "invalid_request"))
        self.assertEqual(requests.get(self.server.url + "/v1/health").status_code, 200)

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        with requests.Session() as s:
            for _ in range(5):
                r = self.server.check(self.key, session=s)
                self.assertEqual(r.status_code, 200)


class OutOfDescriptors(unittest.TestCase):
    def test_server_recovers_after_running_out_of_file_descriptors(self):
        import resource

        def low_fd_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

        with Server(preexec_fn=low_fd_limit) as server:
            key = server.create_account(plan="starter")["primary_key"]
            idle = []
            for _ in range(100):  # more connections than the server has descriptors
                try:
                    idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
                except OSError:
                    break
            # Hold them until the server has run out (it accepts asynchronously).
            deadline = time.monotonic() + harness.START_TIMEOUT_S
            while "accept_failed" not in server.logs() and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertIn("accept_failed", server.logs())
            for s in idle:
                s.close()
            server.wait_for_health(200)  # accepting again once descriptors are free
            self.assertEqual(server.check(key).status_code, 200)
            self.assertIsNone(server.proc.poll())


class BodyMemoryBudget(unittest.TestCase):
    def test_uploads_past_the_buffered_body_budget_get_503_before_upload(self):
        with Server(["--max-buffered-mb", "1"]) as server:
            key = server.create_account(plan="starter")["primary_key"]
            head = (f"POST {CHECK} HTTP/1.1\r\nHost: x\r\nX-API-Key: {key}\r\n"
                    f"Content-Length: {2 * 1024 * 1024}\r\n\r\n")
            status, body = status_and_json(raw_exchange(server.port, head.encode()))
            self.assertEqual((status, body["error"]["code"]), (503, "service_unavailable"))
            # The budget is given back: normal requests still pass, again and again.
            for _ in range(3):
                self.assertEqual(server.check(key).status_code, 200)
            self.assertEqual(server.usage(key)["used_calls"], 3)


class QueueFull(unittest.TestCase):
    def test_full_queue_answers_503_with_retry_after_and_does_not_count(self):
        with Server(["--workers", "1", "--queue", "1"]) as server:
            key = server.create_account(plan="starter")["primary_key"]
            health = lambda: requests.get(server.url + "/v1/health", timeout=10).json()
            # Park the only worker: another process holds the database's write lock, so the
            # first request waits in its reservation (busy_timeout, 5 s) while the test fills the
            # queue behind it.
            con = sqlite3.connect(server.db[len("sqlite:"):], timeout=30, isolation_level=None)
            con.execute("BEGIN EXCLUSIVE")
            with ThreadPoolExecutor(max_workers=2) as pool:
                try:
                    running = pool.submit(server.check, key)
                    while health()["in_flight"] < 1:
                        pass
                    queued = pool.submit(server.check, key)
                    while health()["queued"] < 1:
                        pass
                    r = server.check(key)  # nowhere to go: 503 at once
                finally:
                    con.execute("ROLLBACK")
                    con.close()
                codes = [running.result().status_code, queued.result().status_code]
            self.assertEqual(r.status_code, 503, r.text)
            self.assertEqual(r.json()["error"]["code"], "service_unavailable")
            self.assertEqual(r.headers["Retry-After"], "1")
            harness.validate_against_spec(r)
            self.assertEqual(codes, [200, 200])
            self.assertEqual(server.usage(key)["used_calls"], 2)


class Lifecycle(unittest.TestCase):
    def test_health_is_503_until_models_are_loaded(self):
        server = Server(env={"LIVECHECK_TEST_LOAD_DELAY_MS": "1500"}, wait_ready=False)
        try:
            server.start()
            r = server.wait_for_health(503)
            harness.validate_against_spec(r)
            self.assertEqual(r.json()["status"], "starting")
            self.assertEqual(r.headers["Retry-After"], "1")
            key = server.create_account(plan="starter")["primary_key"]
            r = server.check(key)
            if r.status_code == 503:  # still loading: refused, not counted
                self.assertEqual(r.json()["error"]["code"], "service_unavailable")
            server.wait_for_health(200)
            self.assertEqual(server.check(key).status_code, 200)
        finally:
            server.cleanup()

    def test_bad_model_pack_exits_1(self):
        server = Server(["--models", "/nonexistent"], wait_ready=False).start()
        try:
            self.assertEqual(server.proc.wait(timeout=60), 1)
            self.assertIn("model_load_failed", server.logs())
        finally:
            server.cleanup()

    def test_sigterm_drains_in_flight_requests_and_exits_0(self):
        server = Server(["--workers", "1"]).start()
        try:
            key = server.create_account(plan="starter")["primary_key"]
            data = big_face_png()
            n = 6
            with ThreadPoolExecutor(max_workers=n) as pool:
                futures = [pool.submit(server.check, key, data, "png") for _ in range(n)]
                # Wait until the server holds all n requests (queued or running), then SIGTERM.
                while True:
                    h = requests.get(server.url + "/v1/health", timeout=10).json()
                    if h["queued"] + h["in_flight"] + sum(f.done() for f in futures) >= n:
                        break
                server.signal(signal.SIGTERM)
                codes = [f.result().status_code for f in futures]
            self.assertEqual(codes, [200] * n)
            self.assertEqual(server.proc.wait(timeout=60), 0)
            events = [x["event"] for x in server.log_lines()]
            self.assertIn("draining", events)
            self.assertEqual(events[-1], "stopped")
            with self.assertRaises(requests.ConnectionError):
                requests.get(server.url + "/v1/health", timeout=5)
        finally:
            server.cleanup()

    def test_kill_9_mid_load_leaves_exact_counts_and_no_phantom_reservations(self):
        limit = 40
        first = Server()
        try:
            first.start()
            acc = first.create_account(plan="enterprise", hard_cap="on", limit=limit)
            key = acc["primary_key"]
            data = read(harness.face_jpeg_path())
            ok, failed = [], []
            lock = threading.Lock()

            def client():
                s = requests.Session()
                for _ in range(10):
                    try:
                        r = first.check(key, data, session=s)
                    except requests.RequestException:
                        with lock:
                            failed.append(1)
                        return
                    with lock:
                        (ok if r.status_code == 200 else failed).append(r.status_code)

            threads = [threading.Thread(target=client) for _ in range(6)]
            for t in threads:
                t.start()
            # Kill once some calls have been counted, well before the limit.
            while any(t.is_alive() for t in threads):
                with lock:
                    if len(ok) >= 8:
                        break
                time.sleep(0.005)
            self.assertGreaterEqual(len(ok), 8, failed)
            first.proc.kill()
            first.proc.wait()
            for t in threads:
                t.join()
            received_200 = len(ok)
        finally:
            first.stop()

        # Same database, new process: the count is the 200s received, plus at most the requests
        # that were in flight (committed but their reply lost in the kill).
        second = Server(db_dir=first.db_dir)
        try:
            second.start()
            used = second.usage(key)["used_calls"]
            self.assertGreaterEqual(used, received_200)
            self.assertLessEqual(used, received_200 + 6)
            # The dead process's reservations do not hold places: exactly limit - used more calls.
            codes = [r.status_code for r in
                     [second.check(key, data) for _ in range(limit - used)]]
            self.assertEqual(codes, [200] * (limit - used))
            r = second.check(key, data)
            self.assertEqual(r.status_code, 429)
            self.assertEqual(r.json()["error"]["code"], "quota_exceeded")
            harness.validate_against_spec(r)
            self.assertEqual(second.usage(key)["used_calls"], limit)
        finally:
            second.cleanup()
            first.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
