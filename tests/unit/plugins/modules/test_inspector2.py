"""inspector2 and inspector2_info against moto, and the failure answers on recorded shapes."""

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils import inspector2 as i2
from ansible_collections.cloud_design.platform.plugins.modules import inspector2, inspector2_info

from ...conftest import ModuleFail


def resources(aws):
    return i2.status(aws("inspector2"), "123456789012")["resources"]


def test_info_on_a_fresh_account(aws, run_module):
    result = run_module(inspector2_info, {})
    assert result["changed"] is False
    assert result["status"]["resources"]["ECR"] == "DISABLED"


def test_check_mode_enables_nothing(aws, run_module):
    result = run_module(inspector2, {"resource_types": ["ECR", "EC2"]}, check=True, diff=True)
    assert result["changed"] is True
    assert result["diff"]["after"]["resources"]["ECR"] == "ENABLED"
    assert resources(aws)["ECR"] == "DISABLED"


def test_enable_is_idempotent_and_leaves_other_types(aws, run_module):
    result = run_module(inspector2, {"resource_types": ["ECR", "EC2"]})
    assert result["changed"] is True
    assert resources(aws)["ECR"] == "ENABLED" and resources(aws)["EC2"] == "ENABLED"
    assert resources(aws)["LAMBDA"] == "DISABLED"
    assert run_module(inspector2, {"resource_types": ["ECR", "EC2"]})["changed"] is False
    assert run_module(inspector2_info, {})["status"]["resources"]["EC2"] == "ENABLED"


def test_disable(aws, run_module):
    run_module(inspector2, {"resource_types": ["ECR", "EC2"]})
    assert run_module(inspector2, {"resource_types": ["EC2"], "state": "absent"})["changed"] is True
    assert resources(aws)["EC2"] == "DISABLED" and resources(aws)["ECR"] == "ENABLED"
    assert run_module(inspector2, {"resource_types": ["EC2"], "state": "absent"})["changed"] is False


class Recorded:
    """An Inspector2 client answering with recorded shapes."""

    def __init__(self, answers):
        self.answers = answers

    def batch_get_account_status(self, **kwargs):
        return self.answers.pop(0)


def test_failed_account_is_reported_with_its_reason():
    client = Recorded([{"accounts": [], "failedAccounts": [{"accountId": "1", "errorCode": "ACCESS_DENIED",
                                                            "errorMessage": "not authorized"}]}])
    with pytest.raises(i2.PlatformError, match="cannot report on account 1: not authorized"):
        i2.status(client, "1")


def test_status_while_enabling():
    client = Recorded([{"accounts": [{"accountId": "1", "state": {"status": "ENABLING"},
                                      "resourceState": {"ecr": {"status": "ENABLING"}, "ec2": {"status": "ENABLED"}}}]}])
    wanted = {"EC2": "ENABLED", "ECR": "ENABLING", "LAMBDA": "DISABLED", "LAMBDA_CODE": "DISABLED"}
    assert i2.status(client, "1") == {"account": "ENABLING", "resources": wanted}


def test_unknown_type_is_refused(aws, run_module):
    with pytest.raises(ModuleFail, match="resource_types"):
        run_module(inspector2, {"resource_types": ["S3"]})


def test_ecr_enhanced_scanning_keeps_other_filters(aws, run_module):
    aws("ecr").put_registry_scanning_configuration(scanType="ENHANCED", rules=[
        {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "other/*", "filterType": "WILDCARD"}]}])
    result = run_module(inspector2, {"resource_types": ["ECR"], "ecr_continuous_scan_filters": ["demo-t/*"]})
    assert result["changed"] is True
    conf = aws("ecr").get_registry_scanning_configuration()["scanningConfiguration"]
    assert conf["scanType"] == "ENHANCED"
    filters = sorted(f["filter"] for r in conf["rules"] for f in r["repositoryFilters"])
    assert filters == ["demo-t/*", "other/*"]
    assert run_module(inspector2, {"resource_types": ["ECR"], "ecr_continuous_scan_filters": ["demo-t/*"]})["changed"] is False
