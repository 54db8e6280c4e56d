#!/usr/bin/env python3
"""Check one face photo with the livecheck API. Standard library only (Python 3.8+).

    LIVECHECK_URL=http://localhost:8080 LIVECHECK_API_KEY=lc_... python3 check.py face.jpg

Prints the JSON response; exit status 0 on 200, 1 otherwise (the error JSON is printed too).
"""
import base64
import json
import os
import sys
import urllib.error
import urllib.request


def check(url, api_key, path, threshold=None):
    with open(path, "rb") as f:
        image = f.read()
    fmt = "png" if image.startswith(b"\x89PNG") else "jpeg"
    body = {"image": base64.b64encode(image).decode("ascii"), "image_format": fmt}
    if threshold is not None:
        body["threshold"] = threshold
    req = urllib.request.Request(
        url.rstrip("/") + "/v1/check/liveness",
        data=json.dumps(body).encode("utf-8"),
        headers={"X-API-Key": api_key, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:  # 4xx/5xx still carry the error JSON
        return e.code, json.load(e)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check.py IMAGE")
    status, result = check(os.environ.get("LIVECHECK_URL", "http://localhost:8080"),
                           os.environ["LIVECHECK_API_KEY"], sys.argv[1])
    print(json.dumps(result, indent=2))
    if status == 200:
        d = result["data"]
        print(f"spoof probability {d['isFakeLikelihood']:.3f} -> "
              f"{'FAKE' if d['isFakeFace'] else 'live'}", file=sys.stderr)
    sys.exit(0 if status == 200 else 1)
