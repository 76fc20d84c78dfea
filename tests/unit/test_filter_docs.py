"""Every filter of the collection is documented (ansible-doc finds its DOCUMENTATION, EXAMPLES and RETURN, as
galaxy-importer's ansible-doc step does), and its documented positional arguments are the function's own."""

import inspect
import json
import os
import subprocess
import sys

from ansible_collections.cloud_design.platform.plugins.filter.platform import FilterModule

from .conftest import TOP


def test_every_filter_is_documented_with_its_own_arguments():
    filters = FilterModule().filters()
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"))
    doc = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
    names = ["cloud_design.platform." + name for name in sorted(filters)]
    answer = subprocess.run([doc, "--json", "-t", "filter"] + names, cwd=TOP, env=env, capture_output=True, text=True, check=True)
    found = json.loads(answer.stdout)
    assert sorted(found) == names
    for name, function in filters.items():
        entry = found["cloud_design.platform." + name]
        documentation = entry["doc"]
        assert documentation["short_description"] and documentation["description"], name
        assert entry["examples"].strip() and "cloud_design.platform." + name in entry["examples"], name
        assert entry["return"]["_value"]["description"], name
        parameters = list(inspect.signature(function).parameters)
        positional = [p.strip() for p in documentation["positional"].split(",")]
        assert positional == ["_input"] + parameters[1:], (name, positional, parameters)
        assert sorted(documentation["options"]) == sorted(positional), name


def test_the_documented_examples_answer_what_they_say():
    filters = FilterModule().filters()
    assert filters["network_plan"]("10.20.0.0/16", 2) == {
        "errors": [], "public": ["10.20.0.0/20", "10.20.16.0/20"], "private": ["10.20.128.0/20", "10.20.144.0/20"]}
    assert filters["platform_tags"]("network", "shop", "dev", {"CostCenter": "42"}) == {
        "CostCenter": "42", "Project": "shop", "Environment": "dev", "Component": "network", "ManagedBy": "cloud_design.platform"}
    assert filters["platform_names"]("shop", "dev")["cluster"] == "shop-dev-cluster"
    assert filters["workload_names"]("shop", "dev", "billing-app")["security_group"] == "shop-dev-billing-app"
    assert filters["boundary_arn"]("shop-dev-boundary", {"account_id": "111122223333", "partition": "aws"}) == (
        "arn:aws:iam::111122223333:policy/shop-dev-boundary")
    assert filters["workload_errors"]({"cpu": 256, "memory": 4096}, "service_billing_")
