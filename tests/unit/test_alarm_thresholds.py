"""The alarm thresholds' defaults live in module_utils/observability.py; the role's documentation and its check of
the keys follow them."""

import os
import re

import yaml

from ansible_collections.cloud_design.platform.plugins.module_utils.observability import DEFAULT_THRESHOLDS

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(TOP, "roles", "observability")


def test_the_documented_defaults_are_the_ones_the_alarms_use():
    with open(os.path.join(ROLE, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["main"]["options"]["observability_thresholds"]
    text = " ".join(spec["description"])
    documented = {key: float(value) for key, value in re.findall(r"C\((\w+)\) ([0-9.]+)", text)}
    assert documented == {key: float(value) for key, value in DEFAULT_THRESHOLDS.items()}


def test_the_preflight_knows_every_threshold_and_no_other():
    with open(os.path.join(ROLE, "tasks", "preflight.yml"), encoding="utf-8") as handle:
        keys = yaml.safe_load(handle)[0]["vars"]["__threshold_keys"]
    assert sorted(keys) == sorted(DEFAULT_THRESHOLDS)
