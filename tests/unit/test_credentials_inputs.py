"""Temporary credentials (SSO, an assumed role, an AWX credential) reach every AWS call: wherever the collection passes
the key pair, it passes the session token too, and every role that takes the key pair documents the token."""

import glob
import os
import re

import yaml

from .conftest import TOP


def test_every_connection_that_takes_keys_takes_the_session_token():
    places = sorted(glob.glob(os.path.join(TOP, "roles", "*", "tasks", "*.yml")) + glob.glob(os.path.join(TOP, "playbooks", "*.yml")))
    lacking = []
    for path in places:
        text = open(path, encoding="utf-8").read()
        keys = len(re.findall(r"secret_key: \"\{\{ platform_aws_secret_key", text))
        tokens = len(re.findall(r"session_token: \"\{\{ platform_aws_session_token \| default\(omit\) \}\}\"", text))
        if keys != tokens:
            lacking.append((os.path.relpath(path, TOP), keys, tokens))
    assert lacking == []
    assert len(places) > 10


def test_every_role_that_takes_keys_documents_the_session_token():
    lacking = []
    for path in sorted(glob.glob(os.path.join(TOP, "roles", "*", "meta", "argument_specs.yml"))):
        spec = yaml.safe_load(open(path, encoding="utf-8"))
        for entry, body in spec["argument_specs"].items():
            options = body.get("options") or {}
            if "platform_aws_secret_key" in options:
                token = options.get("platform_aws_session_token") or {}
                if token.get("type") != "str" or token.get("no_log") is not True:
                    lacking.append((os.path.relpath(path, TOP), entry))
    assert lacking == []
