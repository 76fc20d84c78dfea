"""vpc_flow_log against moto: check mode, create, idempotence, replacement, tags, absent."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import vpc_flow_log

from ...conftest import ModuleFail

ROLE = "arn:aws:iam::123456789012:role/flow"


@pytest.fixture
def vpc_id(aws):
    return aws("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def args(vpc_id, **extra):
    base = {"resource_id": vpc_id, "log_group_name": "/demo/t/flow", "deliver_logs_role_arn": ROLE,
            "tags": {"Project": "demo"}}
    base.update(extra)
    return base


def flow_logs(aws, vpc_id):
    return aws("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]


def test_check_mode_reports_and_creates_nothing(aws, run_module, vpc_id):
    result = run_module(vpc_flow_log, args(vpc_id), check=True, diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["traffic_type"] == "ALL"
    assert flow_logs(aws, vpc_id) == []


def test_create_then_idempotent(aws, run_module, vpc_id):
    first = run_module(vpc_flow_log, args(vpc_id, max_aggregation_interval=60))
    assert first["changed"] is True
    found = flow_logs(aws, vpc_id)
    assert len(found) == 1
    assert found[0]["MaxAggregationInterval"] == 60
    assert {"Key": "Project", "Value": "demo"} in found[0]["Tags"]
    assert first["flow_log_id"] == found[0]["FlowLogId"]
    again = run_module(vpc_flow_log, args(vpc_id, max_aggregation_interval=60))
    assert again["changed"] is False
    check = run_module(vpc_flow_log, args(vpc_id, max_aggregation_interval=60), check=True)
    assert check["changed"] is False


def test_changed_traffic_type_replaces_the_flow_log(aws, run_module, vpc_id):
    run_module(vpc_flow_log, args(vpc_id))
    old = flow_logs(aws, vpc_id)[0]["FlowLogId"]
    result = run_module(vpc_flow_log, args(vpc_id, traffic_type="REJECT"), diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"]["traffic_type"] == "ALL"
    found = flow_logs(aws, vpc_id)
    assert [f["TrafficType"] for f in found] == ["REJECT"]
    assert found[0]["FlowLogId"] != old


def test_tags_update_in_place(aws, run_module, vpc_id):
    run_module(vpc_flow_log, args(vpc_id))
    old = flow_logs(aws, vpc_id)[0]["FlowLogId"]
    result = run_module(vpc_flow_log, args(vpc_id, tags={"Project": "demo", "Owner": "team"}))
    assert result["changed"] is True
    found = flow_logs(aws, vpc_id)
    assert found[0]["FlowLogId"] == old
    assert {"Key": "Owner", "Value": "team"} in found[0]["Tags"]


def test_absent_removes_and_is_idempotent(aws, run_module, vpc_id):
    run_module(vpc_flow_log, args(vpc_id))
    assert run_module(vpc_flow_log, args(vpc_id, state="absent"))["changed"] is True
    assert flow_logs(aws, vpc_id) == []
    assert run_module(vpc_flow_log, args(vpc_id, state="absent"))["changed"] is False


def test_missing_role_is_a_clear_error(aws, run_module, vpc_id):
    with pytest.raises(ModuleFail, match="deliver_logs_role_arn is required"):
        run_module(vpc_flow_log, {"resource_id": vpc_id, "log_group_name": "/x"})


class RecordedEC2:
    """Recorded DescribeFlowLogs answer with two flow logs to one group.

    AWS allows it (e.g. one made by another tool); moto refuses to create the second one,
    so this case is covered with a recorded response.
    """

    def describe_flow_logs(self, **_kwargs):
        return {"FlowLogs": [
            {"FlowLogId": "fl-aaa", "ResourceId": "vpc-1", "LogGroupName": "/demo/t/flow", "TrafficType": "ACCEPT"},
            {"FlowLogId": "fl-bbb", "ResourceId": "vpc-1", "LogGroupName": "/demo/t/flow", "TrafficType": "REJECT"},
            {"FlowLogId": "fl-ccc", "ResourceId": "vpc-1", "LogGroupName": "/other", "TrafficType": "ALL"},
        ]}


def test_two_flow_logs_to_one_group_are_refused():
    with pytest.raises(vpc_flow_log.PlatformError) as err:
        vpc_flow_log.find_flow_log(RecordedEC2(), "vpc-1", "/demo/t/flow")
    message = str(err.value)
    assert "found 2 flow logs" in message
    assert "fl-aaa" in message and "fl-bbb" in message and "fl-ccc" not in message
