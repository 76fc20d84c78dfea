"""The endpoint runs Python Lambda functions, and Secrets Manager rotation through them, as AWS does.

moto runs a function only inside Docker, which this endpoint has not, and its RotateSecret carries on after a step of
the rotation function failed and makes the new version current anyway. Two corrections, installed by
tools/endpoint_server.py:

- ``run_function``: a Python function (runtime ``python3.*``) runs in a subprocess of the endpoint (AWS Lambda
  Developer Guide, "Define Lambda function handler in Python": the handler ``<module>.<function>`` is called with the
  event and a context object). It gets its environment variables, its timeout ("Configure Lambda function timeout":
  a function that runs longer is stopped and the invocation fails), the credentials of its execution role ("Defining
  Lambda function permissions with an execution role": the function calls AWS as that role, here through the
  endpoint's STS, so the endpoint's IAM checks see the role's policies, never the caller's), and the endpoint as its
  AWS. What it prints goes to its log group when the group is there.
- ``rotate_secret``: the rotation goes on after the answer, as AWS's does ("Configures and starts the asynchronous
  process of rotating the secret", RotateSecret); moto ran every step before answering. A step that fails ends the
  rotation; the new version stays AWSPENDING and AWSCURRENT does not move (AWS Secrets Manager API Reference,
  RotateSecret: "When rotation is unsuccessful, the AWSPENDING staging label
  might be attached to an empty secret version"; only the function's finishSecret moves AWSCURRENT). Without immediate
  rotation, the test step's pending version is removed afterwards (AWS Secrets Manager API Reference, RotateSecret,
  RotateImmediately: "The test creates an AWSPENDING version of the secret and then removes it"). A rotation asked
  without a function uses the one the secret has ("If you don't include the configuration parameters, the operation
  starts a rotation with the values already stored in the secret"); moto forgot it and moved the labels to an empty
  version. "When rotation is successful, the AWSPENDING staging label might be attached to the same version as the
  AWSCURRENT version ... If the AWSPENDING staging label is present but not attached to the same version as
  AWSCURRENT, then any later invocation of RotateSecret assumes that a previous rotation request is still in progress
  and returns an error" (RotateSecret): moto refused the first case and let the second by. The function is called with
  the secret's ARN, as AWS does; moto gave its name.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import uuid
import zipfile

from moto import settings
from moto.awslambda import models as lambda_models
from moto.secretsmanager import exceptions as secretsmanager_exceptions
from moto.secretsmanager import models as secretsmanager_models
from moto.sts.models import sts_backends

# Runs the handler in the subprocess: argv code_dir, handler, timeout, function name, request id; event on stdin; the
# result (or the error AWS reports) as JSON on the last line of standard output.
BOOTSTRAP = r"""
import importlib, json, sys, time, traceback
sys.path.insert(0, sys.argv[1])
module, _, name = sys.argv[2].rpartition(".")
deadline = time.time() + float(sys.argv[3])
class Context:
    function_name = sys.argv[4]
    aws_request_id = sys.argv[5]
    def get_remaining_time_in_millis(self):
        return int((deadline - time.time()) * 1000)
event = json.loads(sys.stdin.read() or "null")
try:
    result = getattr(importlib.import_module(module), name)(event, Context())
except Exception as exc:
    traceback.print_exc()
    sys.stderr.flush()
    print(json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__}))
    sys.exit(1)
print(json.dumps(result))
"""

_STATE = threading.local()


class StepFailed(Exception):
    """A rotation function's step failed: the rotation ends there."""


def endpoint_url():
    return "http://127.0.0.1:%s" % settings.moto_server_port()


def role_credentials(function):
    """The execution role's temporary credentials, from the endpoint's STS."""
    partition, account = function.role.split(":")[1], function.role.split(":")[4]
    assumed = sts_backends[account][partition].assume_role(
        region_name=function.region, role_session_name=function.function_name[:64], role_arn=function.role,
        policy=None, duration=max(int(function.timeout), 900), external_id=None)
    return assumed.access_key_id, assumed.secret_access_key, assumed.session_token


def run_function(function, event):
    """(last line of output, failed, output) of one invocation of a Python function."""
    key_id, secret, token = role_credentials(function)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        "AWS_ACCESS_KEY_ID": key_id,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_SESSION_TOKEN": token,
        "AWS_ENDPOINT_URL": endpoint_url(),
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout),
    }
    env.update(function.environment_vars or {})
    timeout = int(function.timeout)
    with tempfile.TemporaryDirectory(prefix="lambda-") as code_dir:
        with zipfile.ZipFile(io.BytesIO(function.code_bytes)) as archive:
            archive.extractall(code_dir)
        try:
            done = subprocess.run(
                [sys.executable, "-c", BOOTSTRAP, code_dir, function.handler, str(timeout), function.function_name,
                 str(uuid.uuid4())],
                input=json.dumps(event), capture_output=True, text=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            message = "Task timed out after %d.00 seconds" % timeout
            return json.dumps({"errorMessage": message, "errorType": "Sandbox.Timedout"}), True, message
    lines = done.stdout.strip().splitlines()
    return (lines[-1] if lines else "null"), done.returncode != 0, done.stderr + "\n".join(lines[:-1])


def _invoke_lambda(original):
    def invoke_lambda(self, event=None):
        if not str(self.run_time or "").startswith("python"):
            return original(self, event)
        if getattr(_STATE, "rotating", False):
            _STATE.started.set()  # the rotation is under way: RotateSecret answers now
        if getattr(_STATE, "rotating", False) and isinstance(event, dict):
            # "SecretId: The ARN of the secret to rotate" (AWS Secrets Manager User Guide, "Rotation by Lambda
            # function"); moto sends the name, which a role scoped to the secret's ARN may not describe.
            event = dict(event, SecretId=_STATE.secret_arn)
        result, failed, output = run_function(self, event)
        # Lambda writes to /aws/lambda/<name> as the function's role; the platform makes the group beforehand (with its
        # key and retention) and grants no logs:CreateLogGroup, so without the group the output is lost.
        if self.logs_group_name in self.logs_backend.groups:
            self.save_logs(output or "(no output)")
        if failed and getattr(_STATE, "rotating", False):
            raise StepFailed(result)
        return result, failed, output

    return invoke_lambda


def _rotate_secret(original):
    def rotate_secret(self, secret_id, client_request_token=None, rotation_lambda_arn=None, rotation_rules=None,
                      rotate_immediately=True):
        secret = self.describe_secret(secret_id)
        for version in secret.versions.values():
            version_stages = version["version_stages"]
            if "AWSPENDING" in version_stages and "AWSCURRENT" not in version_stages:
                raise secretsmanager_exceptions.InvalidRequestException("Previous rotation request is still in progress.")
        for version in secret.versions.values():
            if "AWSPENDING" in version["version_stages"]:  # with AWSCURRENT: a rotation that ended well
                version["version_stages"].remove("AWSPENDING")
        if not rotation_lambda_arn:
            # "If you don't include the configuration parameters, the operation starts a rotation with the values
            # already stored in the secret" (RotateSecret); moto forgot the function and moved the labels itself.
            rotation_lambda_arn = secret.rotation_lambda_arn or None
        if not (rotation_lambda_arn and secret.versions):
            return original(self, secret_id, client_request_token=client_request_token,
                            rotation_lambda_arn=rotation_lambda_arn, rotation_rules=rotation_rules,
                            rotate_immediately=rotate_immediately)
        # "Configures and starts the asynchronous process of rotating the secret" (RotateSecret): the answer comes once
        # the configuration is stored and the pending version made, when the function's first step starts; the steps
        # go on after it. moto ran them all before answering.
        token = client_request_token or str(uuid.uuid4())
        started, outcome = threading.Event(), {}

        def rotate():
            _STATE.rotating, _STATE.secret_arn, _STATE.started = True, secret.arn, started
            try:
                outcome["answer"] = original(self, secret_id, client_request_token=token,
                                             rotation_lambda_arn=rotation_lambda_arn, rotation_rules=rotation_rules,
                                             rotate_immediately=rotate_immediately)
            except StepFailed:
                pass
            except Exception as exc:  # pylint: disable=broad-except  # answered by the request, when it still waits
                outcome["error"] = exc
            finally:
                _STATE.rotating = False
                if not rotate_immediately:
                    for version_id, version in list(secret.versions.items()):
                        if version["version_stages"] == ["AWSPENDING"]:
                            del secret.versions[version_id]
                started.set()

        threading.Thread(target=rotate, name="rotate-%s" % secret.name, daemon=True).start()
        started.wait()
        if "error" in outcome:
            raise outcome["error"]
        return secret.to_short_dict(version_id=token)

    return rotate_secret


def install():
    lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda(  # pylint: disable=protected-access
        lambda_models.LambdaFunction._invoke_lambda)  # pylint: disable=protected-access
    backend = secretsmanager_models.SecretsManagerBackend
    backend.rotate_secret = _rotate_secret(backend.rotate_secret)
