# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The platform's IAM roles: made, kept to their description, trust, permissions boundary, managed and inline
policies and tags, or removed. The one maker of the platform's roles: the iam_roles module, and ecs_workload for a
workload's execution and task roles."""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    all_pages,
    apply_tags,
    concurrently,
    dict_to_tag_list,
    tag_list_to_dict,
)


def _document(value):
    """A policy document as a dict: IAM answers it decoded (botocore), or as the JSON text it was given."""
    return json.loads(value) if isinstance(value, str) else value


class Roles(Plan):
    """``role()`` and ``delete_role()`` for a module's worker class (a Plan). ``prefetch_roles(names)`` reads the roles,
    and the parts of those that exist, at once before any change."""

    @property
    def iam(self):
        return self.module.client("iam")

    def prefetch_roles(self, names, parts=True):
        """The roles read at once, then (``parts``) the parts of those that exist."""
        self.reads.fetch({("role", name): lambda name=name: self._get_role(name) for name in names},
                         then=self.role_parts_calls if parts else None)

    def role_parts_calls(self, found):
        """The reads of the parts of the roles ``found`` holds (a prefetch's answers), for its next round."""
        return {("role_parts", key[1]): lambda name=key[1]: self._role_parts(name)
                for key, role in found.items() if key[0] == "role" and role is not None}

    def role(self, name, description, trust, boundary, tags, purge_tags, managed=None, inline=None):
        """The role's ARN, the role made or kept to: ``description``, ``trust`` (a policy document), ``boundary`` (an
        ARN, or '' for none), ``tags`` (with ``purge_tags``), exactly the ``managed`` policy ARNs and exactly the
        ``inline`` policies ({name: document}). None for ``tags``, ``managed`` or ``inline`` leaves those alone."""
        iam = self.iam
        role = self.reads.take(("role", name), lambda: self._get_role(name))
        if role is None:
            self.changes.append("create role %s" % name)
            if self.check:
                account, partition = self.identity
                return "arn:%s:iam::%s:role/%s" % (partition, account, name)
            request = dict(RoleName=name, Description=description, AssumeRolePolicyDocument=json.dumps(trust),
                           Tags=dict_to_tag_list(tags or {}))
            if boundary:
                request["PermissionsBoundary"] = boundary
            try:
                role = iam.create_role(**request)["Role"]
            except is_boto3_error_code("EntityAlreadyExists"):
                # Names are unique: a retried create whose first attempt was carried out although its answer was lost.
                role = iam.get_role(RoleName=name)["Role"]
            attached, current_inline, documents = [], [], {}
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
            if compare_policies(_document(role.get("AssumeRolePolicyDocument")), trust):
                self.change("role %s: trust policy" % name, iam.update_assume_role_policy, RoleName=name, PolicyDocument=json.dumps(trust))
            if (role.get("Description") or "") != description:
                self.change("role %s: description" % name, iam.update_role, RoleName=name, Description=description)
            current_tags, attached, current_inline, documents = self.reads.take(("role_parts", name), lambda: self._role_parts(name))
            if tags is not None and apply_tags(self.check, current_tags, tags, purge_tags,
                                               lambda add: iam.tag_role(RoleName=name, Tags=dict_to_tag_list(add)),
                                               lambda keys: iam.untag_role(RoleName=name, TagKeys=keys))[0]:
                self.changes.append("role %s: tags" % name)
        for arn in managed or []:
            if arn not in attached:
                self.change("role %s: attach %s" % (name, arn.split("/")[-1]), iam.attach_role_policy, RoleName=name, PolicyArn=arn)
        for arn in attached if managed is not None else []:
            if arn not in managed:
                self.change("role %s: detach %s" % (name, arn.split("/")[-1]), iam.detach_role_policy, RoleName=name, PolicyArn=arn)
        for other in current_inline if inline is not None else []:
            if other not in inline:
                self.change("role %s: remove inline policy %s" % (name, other), iam.delete_role_policy, RoleName=name, PolicyName=other)
        for policy_name, document in sorted((inline or {}).items()):
            current = None
            if policy_name in current_inline:
                current = _document(documents.get(policy_name) or iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"])
            if current is None or compare_policies(current, document):
                self.change("role %s: policy %s" % (name, policy_name),
                            iam.put_role_policy, RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
        return role["Arn"]

    def _get_role(self, name):
        try:
            return self.iam.get_role(RoleName=name)["Role"]
        except is_boto3_error_code("NoSuchEntity"):
            return None

    def _role_parts(self, name):
        """(tags, attached policy ARNs, inline policy names, {inline name: document}) of a role, read at once."""
        iam = self.iam
        tags, attached, inline = concurrently(
            lambda: tag_list_to_dict(all_pages(iam.list_role_tags, "Tags", token="Marker", RoleName=name)),
            lambda: [p["PolicyArn"] for p in all_pages(iam.list_attached_role_policies, "AttachedPolicies", token="Marker", RoleName=name)],
            lambda: all_pages(iam.list_role_policies, "PolicyNames", token="Marker", RoleName=name))
        documents = concurrently(*[lambda p=p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"] for p in inline])
        return tags, attached, inline, dict(zip(inline, documents))

    def delete_role(self, name):
        """The role removed with its policies (detached, deleted); nothing when there is none."""
        iam = self.iam
        if self.reads.take(("role", name), lambda: self._get_role(name)) is None:
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
