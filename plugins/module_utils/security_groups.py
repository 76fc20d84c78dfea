# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security groups the way the platform uses them: one group per component, ingress only
from named peer groups (or CIDRs), one port per rule, nothing else.

- A group is found by name in its VPC (adopt-or-refuse), created with its tags in the create
  call, and its ingress is made exactly the wanted set (unknown rules are revoked).
- A peer group that a rule names but that does not exist yet is created empty with the
  description its owner will give it, so roles can run in the order of site.yml while their
  groups reference each other; the owner adopts it later.
- Deleting a group first revokes the rules of other groups in the VPC that reference it
  (AWS refuses to delete a referenced group) and retries while network interfaces of
  stopped tasks still hold it.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    apply_tags,
    dict_to_tag_list,
    ec2_tag_calls,
    pick_one,
    tag_list_to_dict,
    wait_for,
)


def description_for(name):
    """The one description a group of that name gets (descriptions cannot change later)."""
    return "%s (cloud_design.platform)" % name


def find_groups(ec2, vpc_id, names):
    """{name: the one group of that name in the VPC, or None}, read in one call; two groups of a name stop the run."""
    names = sorted(set(names))
    if not names:
        return {}
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": names}],
    )["SecurityGroups"]
    return {name: pick_one([g for g in groups if g.get("GroupName") == name], "security groups named %s in %s" % (name, vpc_id),
                           ident=lambda g: g["GroupId"]) for name in names}


def find_group(ec2, vpc_id, name):
    return find_groups(ec2, vpc_id, [name])[name]


def current_permissions(group):
    """The group's ingress as {(protocol, port, source): the permission as reported, one source each}.

    Revoking with the permission exactly as reported (description and user id included) matches
    on every implementation of the API; port ranges count as a rule of their own.
    """
    rules = {}
    for perm in group.get("IpPermissions") or []:
        proto = perm.get("IpProtocol")
        port = perm.get("FromPort") if perm.get("FromPort") == perm.get("ToPort") else (perm.get("FromPort"), perm.get("ToPort"))
        base = {k: perm[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in perm}
        for key, id_key in (("UserIdGroupPairs", "GroupId"), ("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6"),
                            ("PrefixListIds", "PrefixListId")):
            for item in perm.get(key) or []:
                rules[(proto, port, item[id_key])] = dict(base, **{key: [item]})
    return rules


def current_rules(group):
    """The group's ingress as a set of (protocol, port, source)."""
    return set(current_permissions(group))


def permission(rule, descriptions=None):
    proto, port, source = rule
    from_port, to_port = port if isinstance(port, tuple) else (port, port)
    perm = {"IpProtocol": proto}
    if proto != "-1":
        perm.update(FromPort=from_port, ToPort=to_port)
    text = (descriptions or {}).get(rule)
    if source.startswith("sg-"):
        pair = {"GroupId": source}
        if text:
            pair["Description"] = text
        perm["UserIdGroupPairs"] = [pair]
    elif source.startswith("pl-"):
        perm["PrefixListIds"] = [{"PrefixListId": source}]
    elif ":" in source:
        perm["Ipv6Ranges"] = [{"CidrIpv6": source}]
    else:
        rng = {"CidrIp": source}
        if text:
            rng["Description"] = text
        perm["IpRanges"] = [rng]
    return perm


def create_group(ec2, vpc_id, name, tags):
    try:
        return ec2.create_security_group(
            GroupName=name,
            Description=description_for(name),
            VpcId=vpc_id,
            TagSpecifications=[{"ResourceType": "security-group", "Tags": dict_to_tag_list(dict(tags or {}, Name=name))}],
        )["GroupId"]
    except is_boto3_error_code("InvalidGroup.Duplicate"):
        # An earlier attempt got through after all: adopt it.
        return find_group(ec2, vpc_id, name)["GroupId"]


class GroupSet:
    """Converge a set of groups in one VPC; collects the ids and what changed."""

    def __init__(self, ec2, vpc_id, check_mode):
        self.ec2 = ec2
        self.vpc_id = vpc_id
        self.check_mode = check_mode
        self.ids = {}
        self.changes = []
        self.read_ahead = {}

    def read(self, names):
        """Read the groups of ``names`` (those to converge and their peers) in one call; each is looked up from that
        answer until this set changes it."""
        self.read_ahead.update(find_groups(self.ec2, self.vpc_id, names))

    def _find(self, name):
        if name in self.read_ahead:
            return self.read_ahead[name]
        return find_group(self.ec2, self.vpc_id, name)

    def group_id(self, name, tags, create=True):
        """The id of a group by name, creating it (empty) when missing. Fake id in check mode."""
        if name in self.ids:
            return self.ids[name]
        found = self._find(name)
        if found:
            self.ids[name] = found["GroupId"]
        elif not create:
            return None
        elif self.check_mode:
            self.ids[name] = "sg-(new:%s)" % name
            self.changes.append("create %s" % name)
        else:
            self.ids[name] = create_group(self.ec2, self.vpc_id, name, tags)
            self.changes.append("create %s" % name)
            self.read_ahead.pop(name, None)  # made with the tags of the call that named it: its own turn reads it
        return self.ids[name]

    def ensure(self, name, ingress, tags, peer_tags=None, purge_tags=True):
        """Group ``name`` with exactly ``ingress`` ([{port, from|cidr, protocol?, description?}])."""
        gid = self.group_id(name, tags)
        wanted = set()
        descriptions = {}
        for rule in ingress:
            if rule.get("from"):
                source = self.group_id(rule["from"], peer_tags if peer_tags is not None else tags)
            else:
                source = rule["cidr"]
            key = (rule.get("protocol") or "tcp", int(rule["port"]), source)
            wanted.add(key)
            if rule.get("description"):
                descriptions[key] = rule["description"]
        group = None if gid.startswith("sg-(new") else self._find(name)
        self.read_ahead.pop(name, None)  # its rules and tags change below: a later lookup reads again
        reported = current_permissions(group) if group else {}
        have = set(reported)
        add = sorted(wanted - have, key=str)
        drop = sorted(have - wanted, key=str)
        for rule in add:
            self.changes.append("%s: allow %s/%s from %s" % (name, rule[0], rule[1], rule[2]))
        for rule in drop:
            self.changes.append("%s: revoke %s/%s from %s" % (name, rule[0], rule[1], rule[2]))
        if not self.check_mode:
            if add:
                try:
                    self.ec2.authorize_security_group_ingress(
                        GroupId=gid, IpPermissions=[permission(r, descriptions) for r in add])
                except is_boto3_error_code("InvalidPermission.Duplicate"):
                    pass
            if drop:
                self.ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[reported[r] for r in drop])
        if group:
            add_tags, remove_tags = ec2_tag_calls(self.ec2, gid)
            tagged, dummy = apply_tags(self.check_mode, tag_list_to_dict(group.get("Tags")), dict(tags or {}, Name=name),
                                       purge_tags, add_tags, remove_tags)
            if tagged:
                self.changes.append("%s: tags" % name)
        return gid

    def delete(self, name, timeout=900):
        """Revoke references to the group in its VPC, then delete it. True when it existed."""
        group = find_group(self.ec2, self.vpc_id, name)
        if group is None:
            return False
        gid = group["GroupId"]
        self.changes.append("delete %s" % name)
        if self.check_mode:
            return True
        for other in self.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}]
        )["SecurityGroups"]:
            if other["GroupId"] == gid:
                continue
            refs = [perm for rule, perm in current_permissions(other).items() if rule[2] == gid]
            if refs:
                self.ec2.revoke_security_group_ingress(GroupId=other["GroupId"], IpPermissions=refs)

        def attempt():
            try:
                self.ec2.delete_security_group(GroupId=gid)
                return True
            except is_boto3_error_code("InvalidGroup.NotFound"):
                return True
            except is_boto3_error_code("DependencyViolation"):  # pylint: disable=duplicate-except
                return False  # task network interfaces take a while to go after a service stops

        try:
            wait_for(attempt, bool, timeout=timeout, what="security group %s to be free of network interfaces" % name)
        except PlatformError as exc:
            raise PlatformError("%s; find what still uses it with: aws ec2 describe-network-interfaces "
                                "--filters Name=group-id,Values=%s" % (exc, gid))
        return True
