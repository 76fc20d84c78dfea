#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: rds_cluster_parameter_groups
short_description: Exactly a set of RDS DB cluster parameter groups and the parameters each one sets, tagged
version_added: 0.7.0
description:
  - Converges the DB cluster parameter groups of a set - each group's family, description, the parameters it
    sets and its tags.
  - Only the parameters listed are compared, and by value only. AWS reports the apply method of a parameter as it
    applies it, not as it was asked (a dynamic parameter set C(pending-reboot) is applied at once and reported so),
    so amazon.aws.rds_cluster_param_group, which compares the method too, can change a group on every run; it also
    fails on a parameter a new group does not list yet.
  - A group's family cannot change (AWS keeps it for the group's life); name a group after its family, so that a
    cluster moving to a new major version gets a new group beside the old one.
  - Groups whose name starts with I(prefix) and that carry all of I(owner_tags) but are not listed are removed,
    except one a cluster still uses (AWS refuses that removal); it goes on a later run.
  - A create whose answer is lost is not sent blindly again - AWS refuses a second group of the same name
    (C(DBParameterGroupAlreadyExists)), and the module then adopts the one it finds.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  groups:
    description: The groups wanted.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Group name (255 characters at most, letters, digits and hyphens), starting with I(prefix).
        type: str
        required: true
      family:
        description: The parameter group family, for Aurora PostgreSQL C(aurora-postgresql) and the major version (C(aurora-postgresql16)).
        type: str
        required: true
      description:
        description: What the group is for (set at creation; AWS cannot change it).
        type: str
        required: true
      parameters:
        description: The parameters the group sets.
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Parameter name, as DescribeDBClusterParameters lists it (C(rds.force_ssl)).
            type: str
            required: true
          value:
            description: The value, as AWS reports it (a string).
            type: str
            required: true
          apply_method:
            description: C(immediate) for a dynamic parameter; C(pending-reboot) for a static one (applied at the next reboot).
            type: str
            choices: [immediate, pending-reboot]
            default: immediate
extends_documentation_fragment:
  - cloud_design.platform.platform
  - cloud_design.platform.owned_set
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports which groups and parameters would be created, changed or removed and makes no change.
  diff_mode:
    support: full
    description: Shows each group's family, parameters and tags before and after.
"""

EXAMPLES = r"""
- name: The cluster's own group, requiring TLS from every client
  cloud_design.platform.rds_cluster_parameter_groups:
    prefix: shop-prod-inventory-db-
    owner_tags: {Project: shop, Environment: prod}
    groups:
      - name: shop-prod-inventory-db-aurora-postgresql16
        family: aurora-postgresql16
        description: TLS only, of shop-prod-inventory-db
        parameters:
          - {name: rds.force_ssl, value: "1"}
    tags: {Project: shop, Environment: prod}
"""

RETURN = r"""
groups:
  description: The groups of the set after the run, by name.
  returned: always
  type: dict
  sample: {shop-prod-inventory-db-aurora-postgresql16: {family: aurora-postgresql16, parameters: {rds.force_ssl: "1"},
                                                        arn: "arn:aws:rds:eu-west-1:123456789012:cluster-pg:shop-prod-inventory-db-aurora-postgresql16",
                                                        tags: {Project: shop}}}
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["create parameter group shop-prod-inventory-db-aurora-postgresql16", "set rds.force_ssl=1 in shop-prod-inventory-db-aurora-postgresql16"]
"""

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    all_pages,
    apply_tags,
    create_once,
    dict_to_tag_list,
    is_owned,
    owned_set_module,
    rds_tag_calls,
    refuse_foreign_names,
    tag_list_to_dict,
)

# ModifyDBClusterParameterGroup takes at most 20 parameters per call (Amazon RDS API Reference).
PER_CALL = 20


def user_parameters(rds, name):
    """The parameters the group sets (Source=user), by name."""
    found = all_pages(rds.describe_db_cluster_parameters, "Parameters", token="Marker",
                      DBClusterParameterGroupName=name, Source="user")
    return {p["ParameterName"]: p.get("ParameterValue") for p in found}


def groups_in_use(rds):
    return {c.get("DBClusterParameterGroup") for c in all_pages(rds.describe_db_clusters, "DBClusters", token="Marker")}


def converge(module, rds, writer):
    params = module.params
    wanted = {} if params["state"] == "absent" else {g["name"]: g for g in params["groups"]}
    found = {g["DBClusterParameterGroupName"]: g
             for g in all_pages(rds.describe_db_cluster_parameter_groups, "DBClusterParameterGroups", token="Marker")
             if g["DBClusterParameterGroupName"].startswith(params["prefix"])}
    current = {}
    for name, group in found.items():
        tags = tag_list_to_dict(rds.list_tags_for_resource(ResourceName=group["DBClusterParameterGroupArn"]).get("TagList"))
        current[name] = {"family": group["DBParameterGroupFamily"], "arn": group["DBClusterParameterGroupArn"],
                         "parameters": user_parameters(rds, name) if name in wanted else {}, "tags": tags}
    plan, after = Plan(module), {}
    tags = {k: str(v) for k, v in (params.get("tags") or {}).items()}
    for name, group in sorted(wanted.items()):
        have = current.get(name)
        if have is not None and have["family"] != group["family"]:
            raise PlatformError("parameter group %s is of family %s, not %s: AWS cannot change a group's family; name the "
                                "group after its family (a new major version gets a new group)" % (name, have["family"], group["family"]))
        if have is None:
            plan.change("create parameter group %s" % name)
            have = {"family": group["family"], "arn": None, "parameters": {}, "tags": tags}
            if not module.check_mode:
                made, _adopted = create_once(
                    lambda g=group: writer.create_db_cluster_parameter_group(
                        DBClusterParameterGroupName=g["name"], DBParameterGroupFamily=g["family"],
                        Description=g["description"], Tags=dict_to_tag_list(tags))["DBClusterParameterGroup"],
                    lambda n=name: [g for g in all_pages(rds.describe_db_cluster_parameter_groups, "DBClusterParameterGroups",
                                                         token="Marker") if g["DBClusterParameterGroupName"] == n],
                    "DB cluster parameter group %s" % name, exists_codes=("DBParameterGroupAlreadyExists",))
                have["arn"] = made["DBClusterParameterGroupArn"]
                have["parameters"] = user_parameters(rds, name)
        else:
            tag_changed, now = apply_tags(
                module.check_mode, have["tags"], params.get("tags"), params["purge_tags"],
                *rds_tag_calls(rds, have["arn"]))
            if tag_changed:
                plan.change("tags of %s" % name)
            have = dict(have, tags=now)
        differ = [p for p in group["parameters"] if have["parameters"].get(p["name"]) != p["value"]]
        for parameter in differ:
            plan.change("set %s=%s in %s" % (parameter["name"], parameter["value"], name))
        if differ and not module.check_mode:
            for start in range(0, len(differ), PER_CALL):
                rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=[
                    {"ParameterName": p["name"], "ParameterValue": p["value"], "ApplyMethod": p["apply_method"]}
                    for p in differ[start:start + PER_CALL]])
        parameters = dict(have["parameters"], **{p["name"]: p["value"] for p in group["parameters"]})
        after[name] = {"family": group["family"], "arn": have["arn"], "parameters": parameters, "tags": have["tags"]}
    unlisted = [name for name in sorted(set(current) - set(wanted)) if is_owned(current[name]["tags"], params["owner_tags"])]
    used = groups_in_use(rds) if unlisted else set()
    for name in sorted(set(current) - set(wanted)):
        if name not in unlisted or name in used:
            after[name] = current[name]
            continue
        plan.change("delete parameter group %s" % name, rds.delete_db_cluster_parameter_group, DBClusterParameterGroupName=name)
    return plan.changes, current, after


def main():
    module = owned_set_module(
        "DB cluster parameter group",
        groups=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(type="str", required=True),
            family=dict(type="str", required=True),
            description=dict(type="str", required=True),
            parameters=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True),
                value=dict(type="str", required=True),
                apply_method=dict(type="str", default="immediate", choices=["immediate", "pending-reboot"]),
            )),
        )),
    )
    params = module.params
    refuse_foreign_names(module, [group["name"] for group in params["groups"]], "parameter group")
    rds = module.client("rds")
    writer = module.client("rds", retries=False)
    module.exit_converged(lambda: converge(module, rds, writer),
                          "Failed to converge the DB cluster parameter groups %s*" % params["prefix"], key="groups")


if __name__ == "__main__":
    main()
