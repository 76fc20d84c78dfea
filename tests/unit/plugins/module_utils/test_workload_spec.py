"""Preflight checks of a workload's inputs: what AWS refuses and the endpoint accepts."""

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils.workload_spec import workload_errors

GOOD = {"image": "nprimo/billing-app:0.0.2", "cpu": 256, "memory": 512, "port": 8080, "desired_count": 1,
        "min_count": 1, "max_count": 2, "cpu_target": 70, "memory_target": 75, "log_retention_days": 14}


def test_good_spec_passes():
    assert workload_errors(GOOD, "service_billing_") == []


@pytest.mark.parametrize("change, message", [
    ({"cpu": 256, "memory": 4096}, "service_billing_memory 4096 does not go with cpu 256 on Fargate; use 512 to 2048 MiB"),
    ({"cpu": 300}, "service_billing_cpu 300 is not a Fargate size"),
    ({"cpu": 4096, "memory": 4096}, "use 8192 to 30720 MiB in steps of 1024"),
    ({"min_count": 3, "max_count": 2, "desired_count": 2}, "service_billing_min_count 3 is above service_billing_max_count 2"),
    ({"desired_count": 5}, "service_billing_desired_count 5 is outside min_count 1 .. max_count 2"),
    ({"port": 0}, "service_billing_port 0 is not a TCP port"),
    ({"port": 70000}, "service_billing_port 70000 is not a TCP port"),
    ({"port": "http"}, "service_billing_port http is not a TCP port"),
    ({"image": ""}, "service_billing_image is empty"),
    ({"image": "   "}, "service_billing_image is empty"),
    ({"image": "nprimo/billing app"}, "contains spaces"),
    ({"cpu_target": 100}, "service_billing_cpu_target 100 must be a utilisation percentage"),
    ({"memory_target": 5}, "service_billing_memory_target 5 must be a utilisation percentage"),
    ({"max_count": 0, "min_count": 0, "desired_count": 0}, "service_billing_max_count is 0"),
    ({"log_retention_days": 10}, "service_billing_log_retention_days 10 is not a CloudWatch Logs retention"),
    ({"desired_count": -1}, "service_billing_desired_count -1 must be a whole number"),
])
def test_what_aws_refuses_is_named(change, message):
    errors = workload_errors(dict(GOOD, **change), "service_billing_")
    assert any(message in e for e in errors), errors


def test_every_valid_fargate_pair_passes():
    for cpu, memory in [(256, 512), (512, 4096), (1024, 8192), (2048, 16384), (4096, 30720), (8192, 61440), (16384, 122880)]:
        assert workload_errors({"cpu": cpu, "memory": memory}, "x_") == []
