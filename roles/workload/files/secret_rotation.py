"""Secrets Manager rotation function of the platform's credentials: alternating users, no driver of the service.

Secrets Manager calls it four times per rotation, with Step createSecret, setSecret, testSecret and finishSecret
(AWS Secrets Manager User Guide, "Rotation by Lambda function" and "Lambda rotation functions"). It is the platform's
own, deployed by cloud_design.platform.workload (tasks/rotation.yml) next to the secret it rotates: an app's database
credentials (database_rotation.yml) and the broker's users (cloud_design.platform.rabbitmq, rotation.yml).

- createSecret: a new version (AWSPENDING) of the secret, for the other of the two logins (<user> and <user>_clone,
  the alternating-users strategy) with a new password from GetRandomPassword;
- setSecret: the rotation job (a one-off ECS task in the VPC: files/database_roles.sh for a database, the broker's
  files/broker_users.py for the broker) gives that login the pending password; the task reads the pending version by
  its staging label, so the password never passes through this function's events, logs or the task's overrides;
- testSecret: the same job signs in as that login with it (MODE=test);
- finishSecret: AWSCURRENT moves to the new version, and the service that uses it (if any) is redeployed so that
  every task takes it. The other login keeps its password, so the tasks and connections that hold it work until the
  next rotation.

boto3 only (in the Lambda runtime). Settings come from the function's environment: CLUSTER, TASK_DEFINITION (the
rotation job's family), CONTAINER, SUBNETS and SECURITY_GROUPS (comma-separated), SERVICE (the app's, may be empty).
A job task is started with a client token made of the rotation's token and the step, so a repeated call of a step
(Secrets Manager retries) waits for the same task instead of starting another; a task that failed is started anew.
"""

import hashlib
import json
import os
import time

import boto3

CLONE = "_clone"
ATTEMPTS = 3


def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    sm = boto3.client("secretsmanager")
    meta = sm.describe_secret(SecretId=arn)
    if not meta.get("RotationEnabled"):
        raise ValueError("rotation is not enabled for %s" % arn)
    versions = meta.get("VersionIdsToStages") or {}
    if token not in versions:
        raise ValueError("version %s of %s has no stage for rotation" % (token, arn))
    if "AWSCURRENT" in versions[token]:
        print("version %s of %s is already current" % (token, arn))
        return
    if "AWSPENDING" not in versions[token]:
        raise ValueError("version %s of %s is not pending rotation" % (token, arn))
    if step == "createSecret":
        create_secret(sm, arn, token)
    elif step == "setSecret":
        run_job(arn, token, "set", context)
    elif step == "testSecret":
        run_job(arn, token, "test", context)
    elif step == "finishSecret":
        finish_secret(sm, arn, token, versions)
    else:
        raise ValueError("unknown step %s" % step)


def other_login(username):
    """The login the next version is for: <user> and <user>_clone take turns."""
    return username[:-len(CLONE)] if username.endswith(CLONE) else username + CLONE


def create_secret(sm, arn, token):
    try:
        sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        print("the pending version of %s is there" % arn)
        return
    except sm.exceptions.ResourceNotFoundException:
        pass
    current = json.loads(sm.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    # Letters and digits, as the platform generates them (generated_secret): every client takes them unquoted.
    password = sm.get_random_password(PasswordLength=32, ExcludePunctuation=True, IncludeSpace=False)["RandomPassword"]
    pending = dict(current, username=other_login(current["username"]), password=password)
    sm.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(pending, sort_keys=True),
                        VersionStages=["AWSPENDING"])
    print("made the pending version of %s for %s" % (arn, pending["username"]))


def run_job(arn, token, mode, context):
    """Run the rotation job in MODE=mode and wait for it to exit 0."""
    ecs = boto3.client("ecs")
    cluster = os.environ["CLUSTER"]
    for attempt in range(ATTEMPTS):
        started = ecs.run_task(
            cluster=cluster, taskDefinition=os.environ["TASK_DEFINITION"], count=1, launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {
                "subnets": [s for s in os.environ["SUBNETS"].split(",") if s],
                "securityGroups": [g for g in os.environ["SECURITY_GROUPS"].split(",") if g],
                "assignPublicIp": "DISABLED"}},
            overrides={"containerOverrides": [{"name": os.environ["CONTAINER"],
                                               "environment": [{"name": "MODE", "value": mode}]}]},
            startedBy="secrets-rotation", propagateTags="TASK_DEFINITION",
            # One task per step of a rotation and attempt (Amazon ECS API Reference, RunTask "clientToken").
            clientToken=hashlib.sha256(("%s/%s/%s/%d" % (arn, token, mode, attempt)).encode()).hexdigest()[:64])
        if started.get("failures") or not started.get("tasks"):
            raise RuntimeError("the rotation job did not start: %s" % started.get("failures"))
        task = started["tasks"][0]
        fresh = task.get("lastStatus") != "STOPPED"
        task = wait_stopped(ecs, cluster, task["taskArn"], context)
        container = next((c for c in task.get("containers") or [] if c.get("name") == os.environ["CONTAINER"]), {})
        if container.get("exitCode") == 0:
            print("the rotation job (%s) of %s exited 0: task %s" % (mode, arn, task["taskArn"]))
            return
        why = "%s, exit code %s" % (task.get("stoppedReason"), container.get("exitCode"))
        if fresh:
            raise RuntimeError("the rotation job (%s) of %s failed: %s; its log stream names task %s"
                               % (mode, arn, why, task["taskArn"].split("/")[-1]))
        # A task of an earlier call of this step that failed: this call starts the next attempt.
        print("an earlier rotation job (%s) of %s failed (%s); starting it again" % (mode, arn, why))
    raise RuntimeError("the rotation job (%s) of %s failed %d times" % (mode, arn, ATTEMPTS))


def wait_stopped(ecs, cluster, task_arn, context):
    delay = 0.5  # a Fargate task takes a minute or so; the first looks catch a quick failure
    while True:
        task = (ecs.describe_tasks(cluster=cluster, tasks=[task_arn]).get("tasks") or [{}])[0]
        if task.get("lastStatus") == "STOPPED":
            return task
        if context is not None and context.get_remaining_time_in_millis() < 20000:
            raise RuntimeError("the rotation job %s did not stop in time" % task_arn)
        time.sleep(delay)
        delay = min(delay * 1.5, 5.0)


def finish_secret(sm, arn, token, versions):
    current = next((v for v, stages in versions.items() if "AWSCURRENT" in stages), None)
    sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                   RemoveFromVersionId=current)
    print("version %s of %s is current" % (token, arn))
    if os.environ.get("SERVICE"):
        # New tasks read the current version; the ones that hold the other login keep working until the next rotation.
        ecs = boto3.client("ecs")
        try:
            ecs.update_service(cluster=os.environ["CLUSTER"], service=os.environ["SERVICE"], forceNewDeployment=True)
        except (ecs.exceptions.ServiceNotFoundException, ecs.exceptions.ServiceNotActiveException):
            # Not deployed (yet): its first tasks will read the current version.
            print("%s is not deployed; nothing to redeploy" % os.environ["SERVICE"])
            return
        print("redeployed %s" % os.environ["SERVICE"])
