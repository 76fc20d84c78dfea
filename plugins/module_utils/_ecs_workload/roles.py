# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The workload's IAM roles (execution and task): made, kept to their trust, boundary, managed and inline
policies and tags, or removed. A part of Workload (workload.py), which gives it ``client``, ``params``,
``changes``, ``check`` and ``tags``."""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils._ecs_workload.spec import trust_policy
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    all_pages,
    apply_tags,
    concurrently,
    dict_to_tag_list,
    tag_list_to_dict,
)


class Roles(Plan):
    def role(self, name, description, managed, inline_name, document):
        iam = self.client("iam")
        account, partition = self.identity
        trust = trust_policy(account, self.region, partition)
        boundary = self.params["permissions_boundary"] or ""
        role = self.reads.take(("role", name), lambda: self._get_role(name))
        if role is None:
            self.changes.append("create role %s" % name)
            if self.check:
                return "arn:%s:iam::%s:role/%s" % (partition, account, name)
            request = dict(RoleName=name, Description=description, AssumeRolePolicyDocument=json.dumps(trust),
                           Tags=dict_to_tag_list(self.tags))
            if boundary:
                request["PermissionsBoundary"] = boundary
            try:
                role = iam.create_role(**request)["Role"]
            except is_boto3_error_code("EntityAlreadyExists"):
                role = iam.get_role(RoleName=name)["Role"]
            attached, inline, documents = [], [], {}
        else:
            # The boundary first: the deployer may change a role only once it carries the boundary.
            current = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn", "")
            if current != boundary:
                self.changes.append("role %s: permissions boundary %s" % (name, boundary.split("/")[-1] or "removed"))
                if not self.check:
                    if boundary:
                        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)
                    else:
                        iam.delete_role_permissions_boundary(RoleName=name)
            document_now = role.get("AssumeRolePolicyDocument")
            if isinstance(document_now, str):
                document_now = json.loads(document_now)
            if document_now != trust:
                self.change("role %s: trust policy" % name, iam.update_assume_role_policy, RoleName=name, PolicyDocument=json.dumps(trust))
            tags, attached, inline, documents = self.reads.take(("role_parts", name), lambda: self._role_parts(name))
            if apply_tags(self.check, tags, self.tags, self.params["purge_tags"],
                          lambda add: iam.tag_role(RoleName=name, Tags=dict_to_tag_list(add)),
                          lambda keys: iam.untag_role(RoleName=name, TagKeys=keys))[0]:
                self.changes.append("role %s: tags" % name)
        for arn in managed:
            if arn not in attached:
                self.change("role %s: attach %s" % (name, arn.split("/")[-1]), iam.attach_role_policy, RoleName=name, PolicyArn=arn)
        for arn in attached:
            if arn not in managed:
                self.change("role %s: detach %s" % (name, arn.split("/")[-1]), iam.detach_role_policy, RoleName=name, PolicyArn=arn)
        for other in inline:
            if other != inline_name or document is None:
                self.change("role %s: remove inline policy %s" % (name, other), iam.delete_role_policy, RoleName=name, PolicyName=other)
        if document is not None:
            current = None
            if inline_name in inline:
                current = documents.get(inline_name) or iam.get_role_policy(RoleName=name, PolicyName=inline_name)["PolicyDocument"]
                if isinstance(current, str):
                    current = json.loads(current)
            if current != document:
                self.change("role %s: policy %s" % (name, inline_name),
                            iam.put_role_policy, RoleName=name, PolicyName=inline_name, PolicyDocument=json.dumps(document))
        return role["Arn"]

    def _get_role(self, name):
        try:
            return self.client("iam").get_role(RoleName=name)["Role"]
        except is_boto3_error_code("NoSuchEntity"):
            return None

    def _role_parts(self, name):
        """(tags, attached policy ARNs, inline policy names, {inline name: document}) of a role, read at once."""
        iam = self.client("iam")
        tags, attached, inline = concurrently(
            lambda: tag_list_to_dict(all_pages(iam.list_role_tags, "Tags", token="Marker", RoleName=name)),
            lambda: [p["PolicyArn"] for p in all_pages(iam.list_attached_role_policies, "AttachedPolicies", token="Marker", RoleName=name)],
            lambda: all_pages(iam.list_role_policies, "PolicyNames", token="Marker", RoleName=name))
        documents = concurrently(*[lambda p=p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"] for p in inline])
        return tags, attached, inline, dict(zip(inline, documents))

    def delete_role(self, name):
        iam = self.client("iam")
        try:
            iam.get_role(RoleName=name)
        except is_boto3_error_code("NoSuchEntity"):
            return
        self.changes.append("delete role %s" % name)
        if self.check:
            return
        for policy in all_pages(iam.list_attached_role_policies, "AttachedPolicies", token="Marker", RoleName=name):
            iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
        for policy in all_pages(iam.list_role_policies, "PolicyNames", token="Marker", RoleName=name):
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        try:
            iam.delete_role(RoleName=name)
        except is_boto3_error_code("NoSuchEntity"):
            pass
