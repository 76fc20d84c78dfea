"""The deployer's policy (docs/iam, written by tools/iam_policy.py) is least privilege, and the endpoint
authorizes requests on their resources and conditions as AWS does (tools/endpoint_rules.py).

Expectations are written by hand: the ARNs a request is authorized on, what an environment's deployer may
and may not do, and cloudsplaining's findings, which the unscoped policy the project shipped before had.
"""

import json
import os
import subprocess
import sys

import boto3
import botocore.exceptions
import pytest
from moto import mock_aws
from cloudsplaining.scan.policy_document import PolicyDocument

# tools/ is on sys.path through conftest.
import endpoint_rules  # pylint: disable=import-error
import iam_policy  # pylint: disable=import-error

from .conftest import TOP

ACCOUNT = "123456789012"
REGION = "eu-west-1"
BOUNDARY = "arn:aws:iam::%s:policy/shop-dev-boundary" % ACCOUNT


@pytest.fixture(scope="module", name="deployer")
def deployer_documents():
    return list(iam_policy.rendered("shop", "dev", ACCOUNT, REGION).values())


def allowed(documents, action, resource, context=None):
    return endpoint_rules.identity_allows(documents, action, resource, context or {})


def test_each_part_fits_a_managed_policy_and_a_user_can_hold_them_all(deployer):
    # IAM User Guide, "IAM and AWS STS quotas": 6,144 characters a managed policy, 10 managed policies a user.
    assert 1 < len(deployer) <= 10
    for document in deployer:
        assert len(json.dumps(document, separators=(",", ":"))) <= 6144


def test_cloudsplaining_finds_no_privilege_escalation_exposure_or_exfiltration(deployer):
    for document in deployer:
        found = PolicyDocument(document)
        assert found.allows_privilege_escalation == []
        assert found.permissions_management_without_constraints == []
        assert found.allows_data_exfiltration_actions == []


def test_the_same_actions_on_any_resource_are_what_cloudsplaining_flags(deployer):
    # The shape shipped before: every action on "*" and no condition. The check above can fail.
    actions = sorted({a for doc in deployer for s in doc["Statement"] if s["Effect"] == "Allow" for a in s["Action"]})
    found = PolicyDocument({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    kinds = {p["type"] for p in found.allows_privilege_escalation}
    assert {"AttachRolePolicy", "PutRolePolicy", "PassExistingRoleToNewECSService"} <= kinds
    assert "iam:CreateRole" in found.permissions_management_without_constraints
    assert "secretsmanager:GetSecretValue" in found.allows_data_exfiltration_actions


def test_the_deployer_makes_roles_of_its_environment_only_and_only_with_the_boundary(deployer):
    role = "arn:aws:iam::%s:role/shop-dev-billing-app-task" % ACCOUNT
    assert allowed(deployer, "iam:CreateRole", role, {"iam:PermissionsBoundary": BOUNDARY})
    assert not allowed(deployer, "iam:CreateRole", role)
    assert not allowed(deployer, "iam:CreateRole", role, {"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess"})
    other = "arn:aws:iam::%s:role/shop-prod-billing-app-task" % ACCOUNT
    assert not allowed(deployer, "iam:CreateRole", other, {"iam:PermissionsBoundary": BOUNDARY})
    assert allowed(deployer, "iam:PutRolePolicy", role, {"iam:PermissionsBoundary": BOUNDARY})
    assert not allowed(deployer, "iam:PutRolePolicy", role)  # a role without the boundary stays as it is
    assert not allowed(deployer, "iam:DeleteRolePermissionsBoundary", role)


def test_the_deployer_attaches_aws_s_execution_policy_and_no_other(deployer):
    role = "arn:aws:iam::%s:role/shop-dev-ecs-task-execution" % ACCOUNT
    execution = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    assert allowed(deployer, "iam:AttachRolePolicy", role, {"iam:PermissionsBoundary": BOUNDARY, "iam:PolicyARN": execution})
    assert not allowed(deployer, "iam:AttachRolePolicy", role,
                       {"iam:PermissionsBoundary": BOUNDARY, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"})


def test_the_deployer_passes_its_roles_to_their_services_only(deployer):
    role = "arn:aws:iam::%s:role/shop-dev-billing-app-task" % ACCOUNT
    assert allowed(deployer, "iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
    assert not allowed(deployer, "iam:PassRole", role, {"iam:PassedToService": "lambda.amazonaws.com"})
    # Lambda gets the rotation functions' roles, nothing else.
    rotation = "arn:aws:iam::%s:role/shop-dev-billing-db-rotation" % ACCOUNT
    assert allowed(deployer, "iam:PassRole", rotation, {"iam:PassedToService": "lambda.amazonaws.com"})
    assert not allowed(deployer, "iam:PassRole", rotation.replace("shop-dev", "shop-prod"), {"iam:PassedToService": "lambda.amazonaws.com"})
    assert not allowed(deployer, "iam:PassRole", "arn:aws:iam::%s:role/admin" % ACCOUNT, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})


@pytest.mark.parametrize("action, resource", [
    ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:%s:%s:secret:shop-prod/billing-db-AbCdEf" % (REGION, ACCOUNT)),
    ("logs:DeleteLogGroup", "arn:aws:logs:%s:%s:log-group:/shop/prod/ecs/billing-app" % (REGION, ACCOUNT)),
    ("s3:DeleteBucket", "arn:aws:s3:::shop-prod-trail-%s-%s" % (ACCOUNT, REGION)),
    ("rds:DeleteDBCluster", "arn:aws:rds:%s:%s:cluster:shop-prod-billing-db" % (REGION, ACCOUNT)),
    ("ecs:DeleteService", "arn:aws:ecs:%s:%s:service/shop-prod-cluster/billing-app" % (REGION, ACCOUNT)),
    ("sns:SetTopicAttributes", "arn:aws:sns:%s:%s:shop-prod-alerts" % (REGION, ACCOUNT)),
    ("cloudtrail:DeleteTrail", "arn:aws:cloudtrail:%s:%s:trail/shop-prod-trail" % (REGION, ACCOUNT)),
    ("kms:DeleteAlias", "arn:aws:kms:%s:%s:alias/shop-prod-logs" % (REGION, ACCOUNT)),
    ("cloudwatch:DeleteDashboards", "arn:aws:cloudwatch::%s:dashboard/shop-prod" % ACCOUNT),
])
def test_another_environment_is_out_of_reach(deployer, action, resource):
    assert not allowed(deployer, action, resource)
    assert allowed(deployer, action, resource.replace("shop-prod", "shop-dev").replace("/shop/prod/", "/shop/dev/"))


def test_the_boundary_grants_no_iam_and_no_secrets_of_another_environment():
    boundary = iam_policy.rendered("shop", "dev", ACCOUNT, REGION, prefix="boundary")["boundary.json"]
    actions = [a for s in boundary["Statement"] for a in endpoint_rules._as_list(s["Action"])]  # pylint: disable=protected-access
    # No IAM but handing the environment's own roles to its ECS tasks (the rotation functions start their jobs).
    assert [a for a in actions if a.startswith(("iam:", "sts:"))] == ["iam:PassRole"]
    task_role = "arn:aws:iam::%s:role/shop-dev-billing-db-rotate-task" % ACCOUNT
    assert allowed([boundary], "iam:PassRole", task_role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
    assert not allowed([boundary], "iam:PassRole", task_role, {"iam:PassedToService": "lambda.amazonaws.com"})
    assert not allowed([boundary], "iam:PassRole", task_role.replace("shop-dev", "shop-prod"), {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
    assert allowed([boundary], "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:%s:%s:secret:shop-dev/rabbitmq-x" % (REGION, ACCOUNT))
    assert not allowed([boundary], "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:%s:%s:secret:shop-prod/rabbitmq-x" % (REGION, ACCOUNT))


def resources(action, fields, path="/"):
    return endpoint_rules.request_resources(action, {k: v if isinstance(v, list) else [v] for k, v in fields.items()},
                                            path, "aws", ACCOUNT, REGION)


def test_the_endpoint_reads_the_resources_of_a_request():
    assert resources("iam:CreateRole", {"RoleName": "shop-dev-x"}) == ["arn:aws:iam::%s:role/shop-dev-x" % ACCOUNT]
    assert resources("logs:CreateLogGroup", {"logGroupName": "/shop/dev/ecs/a"}) == [
        "arn:aws:logs:%s:%s:log-group:/shop/dev/ecs/a" % (REGION, ACCOUNT)]
    assert resources("kms:CreateAlias", {"AliasName": "alias/shop-dev-logs", "TargetKeyId": "k"}) == [
        "arn:aws:kms:%s:%s:alias/shop-dev-logs" % (REGION, ACCOUNT), "arn:aws:kms:%s:%s:key/(unread)" % (REGION, ACCOUNT)]
    # A new load balancer is authorized on the ARN of its own type, its id not yet given.
    assert resources("elasticloadbalancing:CreateLoadBalancer", {"Name": "shop-dev-billing", "Type": "network"}) == [
        "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/net/shop-dev-billing/(unread)" % (REGION, ACCOUNT)]
    # EC2 names resources by id; API Gateway authorizes on the request's path.
    assert resources("ec2:DeleteSubnet", {"SubnetId": "subnet-0123456789abcdef0"}) == [
        "arn:aws:ec2:%s:%s:subnet/subnet-0123456789abcdef0" % (REGION, ACCOUNT)]
    assert resources("apigateway:GET", {}, "/v2/domainnames/api.example.com") == [
        "arn:aws:apigateway:%s::/domainnames/api.example.com" % REGION]
    # No final snapshot asked for: DeleteDBCluster is authorized on the cluster alone.
    assert resources("rds:DeleteDBCluster", {"DBClusterIdentifier": "shop-dev-db", "SkipFinalSnapshot": "true"}) == [
        "arn:aws:rds:%s:%s:cluster:shop-dev-db" % (REGION, ACCOUNT)]
    assert resources("ec2:DescribeVpcs", {}) == ["*"]
    # AWS Backup names the vault, the plan and a tagged resource in the path.
    vault = "arn:aws:backup:%s:%s:backup-vault:shop-dev-backup" % (REGION, ACCOUNT)
    assert resources("backup:ListTags", {}, "/tags/%s/" % vault.replace(":", "%3A")) == [vault]
    assert resources("backup:DescribeBackupVault", {}, "/backup-vaults/shop-dev-backup") == [vault]
    assert resources("backup:ListBackupSelections", {}, "/backup/plans/0123-abcd/selections/") == [
        "arn:aws:backup:%s:%s:backup-plan:0123-abcd" % (REGION, ACCOUNT)]
    # Lambda names the function in the path (by name or ARN), a tagged function by its ARN.
    function = "arn:aws:lambda:%s:%s:function:shop-dev-billing-db-rotation" % (REGION, ACCOUNT)
    assert resources("lambda:GetFunction", {}, "/2015-03-31/functions/shop-dev-billing-db-rotation") == [function]
    assert resources("lambda:GetPolicy", {}, "/2015-03-31/functions/%s/policy" % function.replace(":", "%3A")) == [function]
    assert resources("lambda:CreateFunction", {"FunctionName": "shop-dev-billing-db-rotation"}, "/2015-03-31/functions") == [function]
    assert resources("lambda:ListTags", {}, "/2017-03-31/tags/%s" % function) == [function]


def test_the_endpoint_reads_the_cluster_an_ecs_request_names():
    where = ("aws", ACCOUNT, REGION)
    cluster = "arn:aws:ecs:%s:%s:cluster/shop-dev-cluster" % (REGION, ACCOUNT)
    assert endpoint_rules.request_context(None, "ecs:RunTask", {"cluster": ["shop-dev-cluster"]}, where) == {"ecs:cluster": cluster}
    assert endpoint_rules.request_context(None, "ecs:RunTask", {"cluster": [cluster]}, where) == {"ecs:cluster": cluster}
    # A policy that holds RunTask to one cluster (the rotation functions' roles) is refused another.
    scoped = [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:RunTask", "Resource": "*",
                                                       "Condition": {"ArnEquals": {"ecs:cluster": cluster}}}]}]
    task_definition = "arn:aws:ecs:%s:%s:task-definition/shop-dev-billing-db-rotate:3" % (REGION, ACCOUNT)
    assert allowed(scoped, "ecs:RunTask", task_definition, {"ecs:cluster": cluster})
    assert not allowed(scoped, "ecs:RunTask", task_definition, {"ecs:cluster": cluster.replace("shop-dev", "shop-prod")})


def test_the_templates_are_current():
    proc = subprocess.run([sys.executable, os.path.join(TOP, "tools", "iam_policy.py"), "--check"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_services_may_make_their_own_service_linked_roles_and_only_those(deployer):
    # On a fresh account the first load balancer, ECS service or VPC link makes AWS's service-linked role,
    # which is AWS's (role/aws-service-role/...), not one of the environment's names.
    linked = "arn:aws:iam::%s:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing" % ACCOUNT
    assert allowed(deployer, "iam:CreateServiceLinkedRole", linked, {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"})
    assert not allowed(deployer, "iam:CreateServiceLinkedRole", linked, {"iam:AWSServiceName": "lambda.amazonaws.com"})
    assert not allowed(deployer, "iam:CreateServiceLinkedRole", "arn:aws:iam::%s:role/shop-dev-x" % ACCOUNT,
                       {"iam:AWSServiceName": "ecs.amazonaws.com"})


def _user(iam, name, statements):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.client("elbv2", region_name=REGION, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def test_the_first_load_balancer_of_an_account_needs_the_right_to_make_its_service_linked_role():
    from moto.core import set_initial_no_auth_action_count  # pylint: disable=import-outside-toplevel

    @set_initial_no_auth_action_count(9)
    def run():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.%d.0/24" % i, AvailabilityZone=REGION + z)["Subnet"]["SubnetId"]
                   for i, z in ((1, "a"), (2, "b"))]
        iam = boto3.client("iam", region_name=REGION)
        elb = {"Effect": "Allow", "Action": "elasticloadbalancing:CreateLoadBalancer", "Resource": "*"}
        without = _user(iam, "without", [elb])
        linked = {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
                  "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}}
        with_it = _user(iam, "with", [elb, linked])
        with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
            without.create_load_balancer(Name="shop-dev-a", Subnets=subnets, Type="network", Scheme="internal")
        with_it.create_load_balancer(Name="shop-dev-b", Subnets=subnets, Type="network", Scheme="internal")
        # The role now exists: the next load balancer needs no right to make it.
        without.create_load_balancer(Name="shop-dev-c", Subnets=subnets, Type="network", Scheme="internal")

    with mock_aws():
        run()


def test_deleting_many_objects_is_authorized_on_each_object():
    """DeleteObjects needs s3:DeleteObject on each object, and s3:DeleteObjectVersion for a version (Amazon S3 API
    Reference, DeleteObjects "Permissions"); moto authorized it on the bucket, so emptying a bucket as the deployer
    (whose grants are on <bucket>/*) was refused."""
    from moto.core import set_initial_no_auth_action_count  # pylint: disable=import-outside-toplevel

    bucket = "shop-dev-s3-access-%s-%s" % (ACCOUNT, REGION)

    def s3_user(iam, name, statements):
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return boto3.client("s3", region_name=REGION, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])

    @set_initial_no_auth_action_count(13)
    def run():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        version = s3.put_object(Bucket=bucket, Key="logs/a", Body=b"1")["VersionId"]
        s3.put_object(Bucket=bucket, Key="logs/b", Body=b"2")
        iam = boto3.client("iam", region_name=REGION)
        on_bucket = s3_user(iam, "on-bucket", [{"Effect": "Allow", "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                                                "Resource": "arn:aws:s3:::" + bucket}])
        objects_only = s3_user(iam, "objects-only", [{"Effect": "Allow", "Action": "s3:DeleteObject",
                                                      "Resource": "arn:aws:s3:::%s/*" % bucket}])
        versions = s3_user(iam, "versions", [{"Effect": "Allow", "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                                              "Resource": "arn:aws:s3:::%s/logs/*" % bucket}])
        # Refused objects come back in the answer's Errors, as on AWS (the request itself succeeds).
        for client, objects in ((on_bucket, [{"Key": "logs/b"}]), (objects_only, [{"Key": "logs/a", "VersionId": version}])):
            answer = client.delete_objects(Bucket=bucket, Delete={"Objects": objects})
            assert [e["Code"] for e in answer.get("Errors", [])] == ["AccessDenied"] and not answer.get("Deleted")
        done = objects_only.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "logs/b"}]})
        assert not done.get("Errors") and [d["Key"] for d in done["Deleted"]] == ["logs/b"]
        done = versions.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "logs/a", "VersionId": version}]})
        assert not done.get("Errors") and [(d["Key"], d["VersionId"]) for d in done["Deleted"]] == [("logs/a", version)]

    with mock_aws():
        run()
