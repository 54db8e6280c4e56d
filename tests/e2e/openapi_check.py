"""Validates real responses against docs/openapi.yaml (jsonschema, Draft 2020-12 = OpenAPI 3.1)."""
import os

import jsonschema
import yaml

from harness import SOURCE

SPEC_PATH = os.path.join(SOURCE, "docs", "openapi.yaml")


def load_spec():
    with open(SPEC_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


class OpenApi:
    def __init__(self):
        self.spec = load_spec()
        self.resolver = jsonschema.RefResolver.from_schema(self.spec)
        self.seen = set()  # (path, method, status) validated so far

    def _deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            _, node = self.resolver.resolve(node["$ref"])
        return node

    def response_schema(self, path, method, status):
        op = self.spec["paths"][path][method.lower()]
        responses = op["responses"]
        if str(status) not in responses:
            raise AssertionError(f"{method} {path}: status {status} is not documented")
        resp = self._deref(responses[str(status)])
        return resp, resp.get("content", {})

    def validate(self, path, method, response):
        """Checks status, content type and body of a requests.Response against the spec."""
        _, content = self.response_schema(path, method, response.status_code)
        ctype = response.headers.get("Content-Type", "")
        if ctype not in content:
            raise AssertionError(f"{method} {path} {response.status_code}: content type {ctype} "
                                 f"not documented ({list(content)})")
        schema = content[ctype]["schema"]
        body = response.json() if ctype == "application/json" else response.text
        validator = jsonschema.Draft202012Validator(
            schema, resolver=self.resolver, format_checker=jsonschema.FormatChecker())
        validator.validate(body)
        self.seen.add((path, method.lower(), response.status_code))
        return body
