"""Automatic rotation of an app's database credentials (roles/workload/files/secret_rotation.py), on the endpoint.

The endpoint runs Python Lambda functions as AWS does (tools/endpoint_lambda.py: the handler in a subprocess, with the
function's environment and timeout, as its execution role), and RotateSecret calls the four steps. What the rotation job
does inside the database is proven against a real PostgreSQL server in test_database_roles.py; here, what the function
does through the AWS API: the versions and their labels, the job's tasks and the app's redeployment.
"""

import io
import json
import os
import sys
import time
import zipfile

import botocore.exceptions
import pytest

from tests.support.harness import ACCOUNT, Endpoint

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))
import lambda_zip  # noqa: E402  pylint: disable=wrong-import-position,import-error

PACKAGE = os.path.join(TOP, "roles", "workload", "files", "secret_rotation.zip")
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}


@pytest.fixture(name="ep", scope="module")
def fixture_ep(tmp_path_factory):
    ep = Endpoint(str(tmp_path_factory.mktemp("rotation")))
    # IAM on: each function calls AWS as its role, which is scoped as the platform scopes it (the secret's ARN).
    ep.enforce_iam()
    yield ep
    ep.stop()


def zipped(source, name="index.py"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


def role(ep, name, statements):
    iam = ep.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="fn", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))
    return arn


def function(ep, name, code, role_arn, env=None, timeout=30):
    """The function, made as a deployer must: Lambda refuses a role IAM has not propagated yet (the endpoint's window,
    as on AWS), so the create is tried again until it is taken."""
    ep.client("logs").create_log_group(logGroupName="/aws/lambda/" + name)
    deadline = time.monotonic() + 30
    while True:
        try:
            return ep.client("lambda").create_function(
                FunctionName=name, Runtime="python3.12", Role=role_arn, Handler="index.handler" if isinstance(code, str) else
                "secret_rotation.handler", Code={"ZipFile": zipped(code) if isinstance(code, str) else code}, Timeout=timeout,
                Environment={"Variables": env or {}})["FunctionArn"]
        except botocore.exceptions.ClientError as exc:
            if "cannot be assumed by Lambda" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def invoke(ep, name, event):
    answer = ep.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event))
    return answer.get("FunctionError"), json.loads(answer["Payload"].read() or b"null")


# ------------------------------------------------------------------------------------- the endpoint runs functions
def test_a_function_runs_with_its_environment_as_its_role(ep):
    arn = role(ep, "fn-plain", [])
    function(ep, "plain", "import os, boto3\n"
             "def handler(event, context):\n"
             "    me = boto3.client('sts').get_caller_identity()['Arn']\n"
             "    return {'me': me, 'colour': os.environ['COLOUR'], 'got': event['n'] + 1,\n"
             "            'time_left': context.get_remaining_time_in_millis() > 0}\n", arn, env={"COLOUR": "teal"})
    error, answer = invoke(ep, "plain", {"n": 41})
    assert error is None
    assert answer == {"me": "arn:aws:sts::%s:assumed-role/fn-plain/plain" % ACCOUNT, "colour": "teal", "got": 42,
                      "time_left": True}
    # What it printed is in its log group, as in AWS.
    streams = ep.client("logs").describe_log_streams(logGroupName="/aws/lambda/plain")["logStreams"]
    assert streams


def test_a_failing_or_late_function_is_an_error(ep):
    arn = role(ep, "fn-bad", [])
    function(ep, "raises", "def handler(event, context):\n    raise ValueError('no such order')\n", arn)
    error, answer = invoke(ep, "raises", {})
    assert error == "Handled" and answer == {"errorMessage": "no such order", "errorType": "ValueError"}
    function(ep, "slow", "import time\ndef handler(event, context):\n    time.sleep(5)\n", arn, timeout=1)
    error, answer = invoke(ep, "slow", {})
    assert error == "Handled" and answer["errorType"] == "Sandbox.Timedout"


# ----------------------------------------------------------------------------------------------- the rotation
APP_USER = "billing_app"


def platform(ep, name, container):
    """A secret, the rotation job's task definition, an app service and the rotation function, as the role makes them."""
    ecs, ec2, sm = ep.client("ecs"), ep.client("ec2"), ep.client("secretsmanager")
    cluster = ecs.create_cluster(clusterName=name)["cluster"]["clusterName"]
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # as the platform's VPC
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=name + "-job", Description="job", VpcId=vpc)["GroupId"]
    secret = sm.create_secret(Name=name + "/billing-db-app", SecretString=json.dumps(
        {"username": APP_USER, "password": "first-Password-1", "dbname": "billing"}))["ARN"]
    ecs.register_task_definition(family=name + "-rotate", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[{
                                     "name": name + "-rotate", "image": "postgres:16-alpine", "essential": True,
                                     "secrets": [{"name": "APP_USER", "valueFrom": secret + ":username:AWSPENDING:"},
                                                 {"name": "APP_PASSWORD", "valueFrom": secret + ":password:AWSPENDING:"}]}])
    ecs.register_task_definition(family=name + "-app", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[{"name": "app", "image": "app:1"}])
    ecs.create_service(cluster=cluster, serviceName=name + "-app", taskDefinition=name + "-app", desiredCount=1,
                       launchType="FARGATE", networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}})
    fn_role = role(ep, name + "-rotation", [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": secret},
                                            {"Effect": "Allow", "Action": ["secretsmanager:GetRandomPassword", "ecs:*"],
                                             "Resource": "*"}])
    with open(PACKAGE, "rb") as handle:
        fn = function(ep, name + "-rotation", handle.read(), fn_role, timeout=60, env={
            "CLUSTER": cluster, "TASK_DEFINITION": name + "-rotate", "CONTAINER": container, "SUBNETS": subnet,
            "SECURITY_GROUPS": group, "SERVICE": name + "-app"})
    return secret, fn, cluster


def stages(ep, secret):
    return ep.client("secretsmanager").describe_secret(SecretId=secret)["VersionIdsToStages"]


def until(probe, seconds=90):
    """What a rotation does, once done: RotateSecret answers when the rotation starts, as AWS's does."""
    deadline = time.monotonic() + seconds
    while not probe():
        assert time.monotonic() < deadline, "not done in %d s" % seconds
        time.sleep(0.2)


def settled(ep, secret):
    """No rotation is under way: no version is AWSPENDING without being AWSCURRENT (RotateSecret)."""
    return all("AWSCURRENT" in labels or "AWSPENDING" not in labels for labels in stages(ep, secret).values())


def rotation_on(ep, secret, fn):
    """Rotation turned on without rotating now: only the test step runs, on a copy of the current version it then
    removes; once it ended (RotateSecret answers before)."""
    sm = ep.client("secretsmanager")
    sm.rotate_secret(SecretId=secret, RotationLambdaARN=fn, RotationRules={"AutomaticallyAfterDays": 30},
                     RotateImmediately=False)
    until(lambda: settled(ep, secret))
    return sm


def printed(ep, name):
    logs = ep.client("logs")
    group = "/aws/lambda/%s" % name
    return [e["message"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]
            for e in logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"])["events"]]


def value(ep, secret, stage="AWSCURRENT"):
    return json.loads(ep.client("secretsmanager").get_secret_value(SecretId=secret, VersionStage=stage)["SecretString"])


def job_runs(ep, cluster, family):
    ecs = ep.client("ecs")
    arns = ecs.list_tasks(cluster=cluster, family=family, desiredStatus="STOPPED")["taskArns"] + ecs.list_tasks(
        cluster=cluster, family=family)["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
    return sorted(next(e["value"] for o in t["overrides"]["containerOverrides"] for e in o["environment"]
                       if e["name"] == "MODE") for t in tasks)


def test_rotation_alternates_the_login_and_redeploys_the_app(ep):
    secret, fn, cluster = platform(ep, "rot", "rot-rotate")
    sm = rotation_on(ep, secret, fn)
    assert sm.describe_secret(SecretId=secret)["RotationEnabled"] is True
    assert value(ep, secret) == {"username": APP_USER, "password": "first-Password-1", "dbname": "billing"}
    assert list(stages(ep, secret).values()) == [["AWSCURRENT"]]
    assert job_runs(ep, cluster, "rot-rotate") == ["test"]

    deployment = ep.client("ecs").describe_services(cluster=cluster, services=["rot-app"])["services"][0]["deployments"][0]["id"]
    first = sm.rotate_secret(SecretId=secret)["VersionId"]
    until(lambda: "redeployed rot-app" in printed(ep, "rot-rotation"))
    now = value(ep, secret)
    assert now["username"] == APP_USER + "_clone" and now["dbname"] == "billing"
    assert now["password"] != "first-Password-1" and len(now["password"]) == 32 and now["password"].isalnum()
    assert "AWSCURRENT" in stages(ep, secret)[first]
    # Called with the secret's ARN (its role may touch nothing else).
    said = printed(ep, "rot-rotation")
    assert "made the pending version of %s for %s_clone" % (secret, APP_USER) in said, said
    assert job_runs(ep, cluster, "rot-rotate") == ["set", "test", "test"]
    # The app was redeployed (forceNewDeployment: a new deployment), so that its tasks take the new login.
    service = ep.client("ecs").describe_services(cluster=cluster, services=["rot-app"])["services"][0]
    assert service["deployments"][0]["id"] != deployment

    # The next rotation goes back to the first login, with another password.
    second = sm.rotate_secret(SecretId=secret)["VersionId"]
    until(lambda: printed(ep, "rot-rotation").count("redeployed rot-app") == 2)
    again = value(ep, secret)
    assert again["username"] == APP_USER and again["password"] not in ("first-Password-1", now["password"])
    assert "AWSCURRENT" in stages(ep, secret)[second] and "AWSPREVIOUS" in stages(ep, secret)[first]


def test_rotate_secret_answers_before_the_rotation_ends(ep):
    """AWS's RotateSecret "configures and starts the asynchronous process of rotating the secret": it answers with
    the new version while the function's steps go on, and refuses another rotation until they end."""
    secret, fn, dummy = platform(ep, "async", "async-rotate")
    sm = rotation_on(ep, secret, fn)
    version = sm.rotate_secret(SecretId=secret)["VersionId"]
    assert stages(ep, secret)[version] == ["AWSPENDING"]
    with pytest.raises(botocore.exceptions.ClientError, match="Previous rotation request is still in progress"):
        sm.rotate_secret(SecretId=secret)
    until(lambda: "AWSCURRENT" in stages(ep, secret)[version])
    until(lambda: "redeployed async-app" in printed(ep, "async-rotation"))
    assert settled(ep, secret)


def test_a_failed_job_leaves_the_current_version_in_place(ep):
    # The job's container is not the one the function waits for: the set step fails, so the rotation stops there.
    secret, fn, cluster = platform(ep, "bad", "no-such-container")
    sm = rotation_on(ep, secret, fn)
    pending = sm.rotate_secret(SecretId=secret)["VersionId"]
    until(lambda: any("the rotation job (set) of %s failed" % secret in line for line in printed(ep, "bad-rotation")))
    assert value(ep, secret) == {"username": APP_USER, "password": "first-Password-1", "dbname": "billing"}
    assert stages(ep, secret)[pending] == ["AWSPENDING"]
    # Each step runs its job once per attempt: the failing test run at configuration, then the set step's attempts.
    assert "test" in job_runs(ep, cluster, "bad-rotate")


def test_the_function_refuses_a_version_that_is_not_pending(ep):
    secret, dummy, dummy2 = platform(ep, "odd", "odd-rotate")
    ep.client("secretsmanager").update_secret(SecretId=secret, Description="no rotation")
    error, answer = invoke(ep, "odd-rotation", {"SecretId": secret, "ClientRequestToken": "x" * 32, "Step": "createSecret"})
    assert error == "Handled" and "rotation is not enabled" in answer["errorMessage"]


def test_the_package_is_the_source():
    assert lambda_zip.main(["--check"]) == 0
    with zipfile.ZipFile(PACKAGE) as archive, open(PACKAGE[:-4] + ".py", "rb") as source:
        assert archive.namelist() == ["secret_rotation.py"]
        assert archive.read("secret_rotation.py") == source.read()


def test_an_unknown_secret_is_not_found(ep):
    with pytest.raises(botocore.exceptions.ClientError):
        ep.client("secretsmanager").rotate_secret(SecretId="nope", RotationLambdaARN="arn:aws:lambda:x")
