"""tools/iam_actions.py: calls to IAM actions by the Service Authorization Reference, and a lint of every
policy the project writes (no action that no service defines)."""

import glob
import json
import os

import jinja2
import pytest

# tools/ is on sys.path through conftest.
import iam_actions  # pylint: disable=import-error

from ansible_collections.cloud_design.platform.plugins.module_utils._ecs_workload import spec as ecs_workload
from ansible_collections.cloud_design.platform.plugins.modules import alert_topic

from .conftest import TOP


def render(role, template, **variables):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(TOP, "roles", role, "templates")),
                             undefined=jinja2.StrictUndefined)
    return json.loads(env.get_template(template).render(**variables))


def written_policies():
    """Every IAM policy document the project writes or ships, by a name."""
    found = {"platform": {"account_id": "123456789012", "partition": "aws"}}
    out = {os.path.relpath(path, TOP): json.load(open(path, encoding="utf-8"))
           for path in sorted(glob.glob(os.path.join(TOP, "docs", "iam", "*.json")))}
    for purpose in ("logs", "data", "secrets"):
        out["key policy " + purpose] = render(
            "security_hardening", "key_policy.json.j2", platform_name="shop", platform_env="dev", platform_region="eu-west-1",
            __security_hardening_purpose=purpose, __security_hardening_found={"account": found["platform"]})
    hardening = dict(platform_region="eu-west-1", __security_hardening_account="123456789012", __security_hardening_partition="aws",
                     __security_hardening_names={"prefix": "shop-dev"},
                     __security_hardening_data_key="arn:aws:kms:eu-west-1:123456789012:key/k")
    for template in ("backup_policy.json.j2", "backup_trust.json.j2"):
        out["security_hardening " + template] = render("security_hardening", template, **hardening)
    observability = dict(__observability_trail_bucket="b", __observability_account="123456789012", __observability_trail="t",
                         platform_region="eu-west-1", __observability_logs_key="arn:aws:kms:eu-west-1:123456789012:key/k",
                         __observability_partition="aws", __observability_trail_group="/shop/dev/cloudtrail")
    for template in ("trail_bucket_policy.json.j2", "trail_logs_policy.json.j2", "trail_trust.json.j2"):
        out["observability " + template] = render("observability", template, **observability)
    network = dict(platform_region="eu-west-1", __network_found={"account": found["platform"]},
                   __network_names={"flow_log_group": "/shop/dev/vpc-flow-logs"})
    for template in ("flow_logs_policy.json.j2", "flow_logs_trust.json.j2", "s3_endpoint_policy.json.j2", "interface_endpoint_policy.json.j2"):
        out["network " + template] = render("network", template, **network)
    out["ecs tasks trust"] = render("ecs_cluster", "ecs_tasks_trust.json.j2", platform_region="eu-west-1",
                                    __ecs_cluster_found={"account": found["platform"]})
    out["alert topic"] = alert_topic.topic_policy("arn:aws:sns:eu-west-1:123456789012:shop-dev-alerts", "123456789012",
                                                  ["events.amazonaws.com"])
    out["task trust"] = ecs_workload.trust_policy("123456789012", "eu-west-1", "aws")
    params = {"secrets": {"DB_PASSWORD": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-dev/billing-db-AbCdEf:password::"},
              "secrets_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k", "task_role_statements": [],
              "volumes": [{"name": "data", "file_system_id": "fs-1", "access_point_id": "fsap-1", "container_path": "/data", "read_only": False}]}
    out["execution role"] = {"Statement": ecs_workload.execution_statements(
        params, "arn:aws:logs:eu-west-1:123456789012:log-group:/shop/dev/ecs/billing-app", "eu-west-1", "123456789012", "aws")}
    out["task role"] = {"Statement": ecs_workload.task_statements(params, "eu-west-1", "123456789012", "aws")}
    return out


@pytest.mark.parametrize("name", sorted(written_policies()))
def test_every_action_of_every_policy_the_project_writes_exists(name):
    assert iam_actions.unknown(written_policies()[name]) == []


@pytest.mark.parametrize("name", sorted(written_policies()))
def test_every_named_resource_is_of_a_type_its_actions_apply_to(name):
    assert iam_actions.unmatchable(written_policies()[name]) == []


def test_a_resource_no_action_can_match_is_found():
    policy = {"Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetBucketAcl"], "Resource": "arn:aws:s3:::bucket/AWSLogs/*"},
        {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:eu-west-1:1:log-group:/x:log-stream:*"},
    ]}
    assert iam_actions.unmatchable(policy) == [("s3:GetBucketAcl", "arn:aws:s3:::bucket/AWSLogs/*")]
    assert iam_actions.unmatchable({"Statement": [{"Effect": "Allow", "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::bucket"}]}) == []


def test_an_action_no_service_defines_is_found():
    assert iam_actions.unknown({"Statement": [{"Effect": "Allow", "Action": ["apigateway:TagResource", "s3:Get*"]}]}) == [
        "apigateway:TagResource"]


@pytest.mark.parametrize("service, operation, action", [
    ("elbv2", "CreateLoadBalancer", "elasticloadbalancing:CreateLoadBalancer"),
    ("apigatewayv2", "CreateStage", "apigateway:POST"),
    ("apigatewayv2", "UpdateStage", "apigateway:PATCH"),
    ("s3", "PutBucketEncryption", "s3:PutEncryptionConfiguration"),
    ("s3", "HeadBucket", "s3:ListBucket"),
    ("s3control", "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock"),
    ("budgets", "CreateBudget", "budgets:ModifyBudget"),
    ("budgets", "DescribeBudget", "budgets:ViewBudget"),
    ("efs", "CreateFileSystem", "elasticfilesystem:CreateFileSystem"),
    ("sts", "GetCallerIdentity", None),
])
def test_calls_map_to_the_actions_aws_authorizes(service, operation, action):
    assert iam_actions.action_of(service, operation) == action
    assert action is None or iam_actions.known(action)


def test_every_renamed_call_maps_to_a_defined_action():
    assert [a for a in iam_actions.RENAMED.values() if a and not iam_actions.known(a)] == []


def test_a_call_needs_its_documented_and_dependent_actions():
    policy = {"Statement": [{"Effect": "Allow", "Action": ["apigateway:POST", "rds:DeleteDBCluster"], "Resource": "*"}]}
    calls = [{"service": "apigatewayv2", "operation": "CreateStage"}, {"service": "rds", "operation": "DeleteDBCluster"}]
    lacking = dict(iam_actions.missing(policy, calls))
    assert "logs:CreateLogDelivery" in lacking and "documented" in lacking["logs:CreateLogDelivery"]
    assert "rds:CreateDBClusterSnapshot" in lacking and "dependent action" in lacking["rds:CreateDBClusterSnapshot"]
    assert "apigateway:POST" not in lacking
    assert not any(a.startswith("organizations:") for a in lacking)


def test_a_call_that_maps_to_no_action_stops_the_check():
    with pytest.raises(ValueError, match="does not define"):
        iam_actions.required([{"service": "s3", "operation": "GetBucketSomethingNew"}])


def test_no_policy_or_arn_the_roles_write_assumes_the_aws_partition():
    """China and GovCloud regions have partitions of their own: ARNs are built from the caller identity's."""
    found = {"account_id": "123456789012", "partition": "aws-cn"}
    policy = render("security_hardening", "key_policy.json.j2", platform_name="shop", platform_env="dev", platform_region="cn-north-1",
                    __security_hardening_purpose="logs", __security_hardening_found={"account": found})
    assert "arn:aws:" not in json.dumps(policy) and "arn:aws-cn:cloudtrail:cn-north-1:" in json.dumps(policy)
    literal = []
    for path in glob.glob(os.path.join(TOP, "roles", "*", "*", "*.yml")) + glob.glob(os.path.join(TOP, "roles", "*", "templates", "*.j2")):
        if "/meta/" in path or "/defaults/" in path:
            continue
        with open(path, encoding="utf-8") as handle:
            literal += ["%s: %s" % (os.path.relpath(path, TOP), line.strip()) for line in handle if "arn:aws:" in line]
    assert literal == []
