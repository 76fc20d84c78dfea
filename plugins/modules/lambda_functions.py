#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lambda_functions
short_description: Lambda functions of the platform, each with its code, configuration, tags and invoke permissions, in one call
version_added: 0.7.0
description:
  - Makes each function of I(functions) when missing and keeps it to its code (a zip file, compared by its SHA-256),
    configuration, architecture, environment and tags, and its resource-based policy to exactly the statements of its
    I(permissions); or, with I(state=absent), removes each.
  - The functions and their policies are read at once, before any change; a function and its invoke permissions are
    one task, where M(amazon.aws.lambda) and M(amazon.aws.lambda_policy) are two, each reading the function again.
  - A function is made only once its execution role can be assumed by Lambda. A new role takes a few seconds to reach
    Lambda (IAM User Guide, "Troubleshoot IAM", changes not always immediately visible); until then CreateFunction
    is refused and tried again, for at most two minutes.
  - A create whose answer was lost and which was carried out is found by its name; Lambda refuses a second function of
    a name.
  - An update waits for the function to settle first, and the module ends once every function it made or changed has
    settled (Lambda refuses an update, and does not invoke a function, while it is C(Pending) or an update is
    C(InProgress), AWS Lambda Developer Guide, "Lambda function states").
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  functions:
    description: The functions.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the function.
        type: str
        required: true
      description:
        description: Description of the function.
        type: str
        default: ""
      runtime:
        description: Runtime identifier, e.g. C(python3.12). Required with I(state=present).
        type: str
      handler:
        description: The function's entry point, e.g. C(secret_rotation.handler). Required with I(state=present).
        type: str
      zip_file:
        description: Path of the deployment package (a zip file) on the host the module runs on. Required with I(state=present).
        type: path
      architecture:
        description: Instruction set the function runs on.
        type: str
        choices: [x86_64, arm64]
        default: arm64
      role_arn:
        description: ARN of the execution role. Required with I(state=present).
        type: str
      timeout:
        description: Seconds a run may take (at most 900).
        type: int
        default: 3
      memory_size:
        description: Memory of a run, in MiB.
        type: int
        default: 128
      environment:
        description:
          - Environment variables of the function, exactly. Values are shown in the diff and kept in plain text by
            Lambda's configuration, so never a secret (a function reads its secrets from Secrets Manager).
        type: dict
        default: {}
      permissions:
        description:
          - Statements of the function's resource-based policy (who may invoke it), exactly, by I(statement_id); omitted,
            the policy is left alone.
        type: list
        elements: dict
        suboptions:
          statement_id:
            description: Id of the statement.
            type: str
            required: true
          principal:
            description: The AWS service (C(secretsmanager.amazonaws.com)) or account allowed.
            type: str
            required: true
          action:
            description: What it may do.
            type: str
            default: lambda:InvokeFunction
          source_account:
            description: Only on behalf of this account (condition C(AWS:SourceAccount)).
            type: str
          source_arn:
            description: Only on behalf of this resource (condition C(AWS:SourceArn)).
            type: str
  state:
    description: C(absent) removes the functions (their policies go with them).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change; a function to be made is given its ARN to be.
  diff_mode:
    support: full
    description: Shows each function's configuration, code hash, environment and tags before and after.
notes:
  - The function's log group (C(/aws/lambda/<name>)) is not made here; make it first with
    M(cloud_design.platform.log_groups), encrypted and with its retention, or Lambda makes one that keeps its events
    for ever.
"""

EXAMPLES = r"""
- name: The rotation function of a secret, which the account's Secrets Manager may call
  cloud_design.platform.lambda_functions:
    functions:
      - name: shop-prod-inventory-db-rotation
        description: Rotates the credentials of inventory-db (cloud_design.platform)
        runtime: python3.12
        handler: secret_rotation.handler
        zip_file: "{{ role_path }}/files/secret_rotation.zip"
        role_arn: arn:aws:iam::123456789012:role/shop-prod-inventory-db-rotation
        timeout: 900
        environment: {CLUSTER: shop-prod}
        permissions:
          - statement_id: secretsmanager-rotation
            principal: secretsmanager.amazonaws.com
            source_account: "123456789012"
    tags: {Project: shop, Environment: prod}

- name: No rotation function any more
  cloud_design.platform.lambda_functions:
    functions: [{name: shop-prod-inventory-db-rotation}]
    state: absent
"""

RETURN = r"""
functions:
  description: Each function of I(functions) after the run (none after I(state=absent)), by name.
  returned: always
  type: dict
  sample: {shop-prod-inventory-db-rotation: {arn: "arn:aws:lambda:eu-west-1:123456789012:function:shop-prod-inventory-db-rotation",
                                             code_sha256: "kR9j3mJc5PqxS0o1Pz0u0Wm6m8y2Sb4yV0n4Z2sRk9U=", runtime: python3.12}}
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["create function shop-prod-inventory-db-rotation", "function shop-prod-inventory-db-rotation: permission secretsmanager-rotation"]
"""

import os

from ansible_collections.cloud_design.platform.plugins.module_utils.lambda_functions import Functions
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule


def main():
    argument_spec = dict(
        functions=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            description=dict(type="str", default=""),
            runtime=dict(type="str"),
            handler=dict(type="str"),
            zip_file=dict(type="path"),
            architecture=dict(type="str", choices=["x86_64", "arm64"], default="arm64"),
            role_arn=dict(type="str"),
            timeout=dict(type="int", default=3),
            memory_size=dict(type="int", default=128),
            environment=dict(type="dict", default={}),
            permissions=dict(type="list", elements="dict", options=dict(
                statement_id=dict(type="str", required=True),
                principal=dict(type="str", required=True),
                action=dict(type="str", default="lambda:InvokeFunction"),
                source_account=dict(type="str"),
                source_arn=dict(type="str"),
            )),
        )),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    params = module.params
    names = [spec["name"] for spec in params["functions"]]
    twice = sorted(set(n for n in names if names.count(n) > 1))
    if twice:
        module.fail_json(msg="functions names %s more than once" % ", ".join(twice))
    # Every input is checked before the first change.
    for spec in params["functions"] if params["state"] == "present" else []:
        lacking = [option for option in ("runtime", "handler", "zip_file", "role_arn") if not spec[option]]
        if lacking:
            module.fail_json(msg="function %s lacks %s, which a function needs" % (spec["name"], ", ".join(lacking)))
        if not os.path.isfile(spec["zip_file"]):
            module.fail_json(msg="zip_file %s of function %s is not a file" % (spec["zip_file"], spec["name"]))
        if not 1 <= spec["timeout"] <= 900:
            module.fail_json(msg="timeout %s of function %s must be 1 to 900 seconds" % (spec["timeout"], spec["name"]))
        sids = [p["statement_id"] for p in spec["permissions"] or []]
        if len(set(sids)) != len(sids):
            module.fail_json(msg="permissions of function %s name a statement_id more than once" % spec["name"])
    plan = Functions(module)

    def converge():
        plan.prefetch(names, policies=params["state"] == "present")
        before, after = {}, {}
        if params["state"] == "absent":
            for name in names:
                gone = plan.delete_function(name)
                if gone is not None:
                    before[name] = gone
        else:
            # No tags given: the functions' own are left alone (amazon.aws.tags).
            tags = None if params.get("tags") is None else {k: str(v) for k, v in params["tags"].items()}
            for spec in params["functions"]:
                was, now = plan.function(spec, tags, params["purge_tags"])
                if was is not None:
                    before[spec["name"]] = was
                after[spec["name"]] = now
            plan.settle()
        return plan.changes, before, after, {"functions": after}

    module.exit_converged(converge, lambda: "Failed to converge the functions %s (done so far: %s)" % (
        ", ".join(names), "; ".join(plan.changes) or "nothing"), progress={"changes": plan.changes})


if __name__ == "__main__":
    main()
