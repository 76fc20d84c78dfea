#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: iam_roles
short_description: IAM roles of the platform, each with its trust, boundary, policies and tags, in one call
version_added: 0.7.0
description:
  - Makes each role of I(roles) when missing and keeps it to its description, trust policy, the call's permissions
    boundary and tags, exactly its managed policies and exactly its inline policies; or, with I(state=absent), removes
    each with its policies.
  - The roles and their parts are read at once, before any change; a role and its policies are one task, where
    M(amazon.aws.iam_role) and M(amazon.aws.iam_policy) are two, each reading the role again.
  - The permissions boundary is set before anything else changes on an existing role (a deployer bounded by the
    platform's policy may change a role only once it carries the boundary).
  - A create whose answer was lost and which was carried out is found by its name (C(EntityAlreadyExists)); role names
    are unique in an account.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  roles:
    description: The roles.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the role.
        type: str
        required: true
      description:
        description: Description of the role.
        type: str
        default: ""
      trust_policy:
        description: Trust policy (who may assume the role). Required with I(state=present).
        type: json
      managed_policies:
        description: ARNs of the managed policies attached to the role, exactly; omitted, they are left alone.
        type: list
        elements: str
      inline_policies:
        description: The role's inline policies by name, exactly (others are removed); omitted, they are left alone.
        type: dict
  permissions_boundary:
    description: ARN of the permissions boundary every role carries; none or empty for none.
    type: str
    default: ""
  state:
    description: C(absent) removes the roles with their policies.
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
    description: Reports what would change and makes no change; a role to be made is given its ARN to be.
  diff_mode:
    support: full
    description: Shows each role's ARN before and after.
notes:
  - Policy documents are compared as IAM means them (the order of statements and of a list's values aside), as
    amazon.aws compares them.
"""

EXAMPLES = r"""
- name: Role the flow-logs service writes to its log group with, and what it may write
  cloud_design.platform.iam_roles:
    roles:
      - name: shop-prod-flow-logs
        description: Lets VPC flow logs of shop-prod write to their log group
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {Service: vpc-flow-logs.amazonaws.com}, Action: sts:AssumeRole}
        inline_policies:
          write-flow-logs:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogStreams]
                Resource: arn:aws:logs:eu-west-1:123456789012:log-group:/shop/prod/vpc/flow-logs:*
    permissions_boundary: arn:aws:iam::123456789012:policy/shop-prod-boundary
    tags: {Project: shop, Environment: prod}
  register: made

- name: The role's ARN
  ansible.builtin.debug:
    msg: "{{ made.roles['shop-prod-flow-logs'].arn }}"

- name: Remove it with its policies
  cloud_design.platform.iam_roles:
    roles: [{name: shop-prod-flow-logs}]
    state: absent
"""

RETURN = r"""
roles:
  description: Each role of I(roles) after the run (none after I(state=absent)), by name.
  returned: always
  type: dict
  sample: {shop-prod-flow-logs: {arn: "arn:aws:iam::123456789012:role/shop-prod-flow-logs"}}
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["create role shop-prod-flow-logs", "role shop-prod-flow-logs: policy write-flow-logs"]
"""

import json

from ansible_collections.cloud_design.platform.plugins.module_utils.iam_roles import Roles
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule


def document(module, value, what):
    """A policy document given as YAML (a mapping) or as JSON text (option type json hands both over as text)."""
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError as exc:
        module.fail_json(msg="%s is not JSON: %s" % (what, exc))
    if not isinstance(parsed, dict):
        module.fail_json(msg="%s must be a policy document (a mapping), got %s" % (what, type(parsed).__name__))
    return parsed


def main():
    argument_spec = dict(
        roles=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            description=dict(type="str", default=""),
            trust_policy=dict(type="json"),
            managed_policies=dict(type="list", elements="str"),
            inline_policies=dict(type="dict"),
        )),
        permissions_boundary=dict(type="str", default=""),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    params = module.params
    names = [spec["name"] for spec in params["roles"]]
    twice = sorted(set(n for n in names if names.count(n) > 1))
    if twice:
        module.fail_json(msg="roles names %s more than once" % ", ".join(twice))
    missing = [spec["name"] for spec in params["roles"] if params["state"] == "present" and not spec["trust_policy"]]
    if missing:
        module.fail_json(msg="roles %s have no trust_policy, which a role needs" % ", ".join(missing))
    # Every document is read before the first change.
    wanted = []
    for spec in params["roles"] if params["state"] == "present" else []:
        inline = spec["inline_policies"]
        wanted.append(dict(spec, trust_policy=document(module, spec["trust_policy"], "trust_policy of %s" % spec["name"]),
                           inline_policies=None if inline is None else {
                               policy: document(module, text, "inline policy %s of %s" % (policy, spec["name"]))
                               for policy, text in inline.items()}))
    plan = Roles(module)

    def converge():
        plan.prefetch_roles(names, parts=params["state"] == "present")
        before = {name: {"arn": role["Arn"]} for name, role in
                  ((name, plan.reads.answers.get(("role", name))) for name in names) if role}
        after = {}
        if params["state"] == "absent":
            for name in names:
                plan.delete_role(name)
        else:
            # No tags given: the roles' own are left alone (amazon.aws.tags).
            tags = None if params.get("tags") is None else {k: str(v) for k, v in params["tags"].items()}
            for spec in wanted:
                name = spec["name"]
                arn = plan.role(name, spec["description"], spec["trust_policy"], params["permissions_boundary"] or "", tags,
                                params["purge_tags"], managed=spec["managed_policies"], inline=spec["inline_policies"])
                after[name] = {"arn": arn}
        return plan.changes, before, after, {"roles": after}

    module.exit_converged(converge, lambda: "Failed to converge the roles %s (done so far: %s)" % (
        ", ".join(names), "; ".join(plan.changes) or "nothing"), progress={"changes": plan.changes})


if __name__ == "__main__":
    main()
