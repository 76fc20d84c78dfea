#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: network_acl
short_description: A tagged network ACL of a VPC with exactly its rules and subnets, created exactly once
version_added: 0.7.0
description:
  - Converges one network ACL of a VPC, identified by its C(Name) tag, with its inbound and outbound rules (every
    other numbered rule is removed; the ACL's final C(*) deny rule is AWS's and stays), the subnets associated
    with it, and its tags.
  - CreateNetworkAcl is sent with an idempotency token derived from the VPC and the name, and with its
    tags; after a failure that may have come after the write, the ACL is looked up by its tags before
    anything is sent again, adopted when one is found, and the run stops with the list when several are
    (C(community.aws.ec2_vpc_nacl) retries the create blindly).
  - A rule whose create answer was lost is recognised when sent again (C(NetworkAclEntryAlreadyExists)) and
    compared; a rule that differs is replaced in place (ReplaceNetworkAclEntry), so a subnet is never left
    without it.
  - Every subnet has exactly one network ACL, so a listed subnet is moved here from the one it has
    (ReplaceNetworkAclAssociation), and with I(purge_subnets) a subnet no longer listed goes back to the
    VPC's default ACL.
  - With I(state=absent) the ACL's subnets go back to the default ACL and the ACL is deleted.
  - With I(default_acl) it converges the VPC's default ACL instead (rules and tags; it is never created or deleted).
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  vpc_id:
    description: The VPC.
    type: str
    required: true
  name:
    description:
      - Value of the ACL's C(Name) tag, which identifies it in the VPC.
      - With I(default_acl), the tag the VPC's default ACL is given.
    type: str
    required: true
  default_acl:
    description:
      - Converge the VPC's default ACL (AWS makes it with the VPC and deletes it with the VPC) instead of a named one,
        its rules and tags. Its subnets are those that have no other ACL, so I(subnets) must be empty and
        I(purge_subnets) does not apply.
      - With no rules it denies everything, so that a subnet nobody gave an ACL reaches nothing.
    type: bool
    default: false
  state:
    description: Whether the ACL exists.
    type: str
    choices: [present, absent]
    default: present
  ingress:
    description: The inbound rules, evaluated by AWS in the order of their numbers.
    type: list
    elements: dict
    default: []
    suboptions: &rule
      number:
        description: Rule number, 1 to 32766, unique among the ACL's inbound (or outbound) rules.
        type: int
        required: true
      protocol:
        description: C(all) for every protocol (ports do not apply).
        type: str
        choices: [tcp, udp, icmp, all]
        required: true
      cidr:
        description: The IPv4 block the rule matches (source for inbound, destination for outbound).
        type: str
        required: true
      from_port:
        description: First port, for C(tcp) and C(udp) (required there).
        type: int
      to_port:
        description: Last port, for C(tcp) and C(udp); defaults to I(from_port).
        type: int
      icmp_type:
        description: ICMP type for C(icmp); -1 for all types.
        type: int
        default: -1
      icmp_code:
        description: ICMP code for C(icmp); -1 for all codes.
        type: int
        default: -1
      action:
        description: Allow or deny what the rule matches.
        type: str
        choices: [allow, deny]
        default: allow
  egress:
    description: The outbound rules, in the shape of I(ingress).
    type: list
    elements: dict
    default: []
    suboptions: *rule
  subnets:
    description: Ids of the subnets associated with the ACL; a subnet associated with another ACL is moved.
    type: list
    elements: str
    default: []
  purge_subnets:
    description: Return to the VPC's default ACL the subnets that I(subnets) does not list.
    type: bool
    default: true
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change.
  diff_mode:
    support: full
    description: Shows the rules, subnets and tags before and after.
"""

EXAMPLES = r"""
- name: Private subnets take traffic from the VPC and the answers to their own connections
  cloud_design.platform.network_acl:
    vpc_id: vpc-0123456789abcdef0
    name: shop-prod-private
    subnets: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
    ingress:
      - {number: 100, protocol: all, cidr: 10.20.0.0/16}
      - {number: 200, protocol: tcp, cidr: 0.0.0.0/0, from_port: 1024, to_port: 65535}
    egress:
      - {number: 100, protocol: all, cidr: 0.0.0.0/0}
    tags:
      Project: shop
      Tier: private
- name: The VPC's default ACL admits nothing (the platform's subnets have their own)
  cloud_design.platform.network_acl:
    vpc_id: vpc-0123456789abcdef0
    name: shop-prod-default
    default_acl: true
    ingress: []
    egress: []
"""

RETURN = r"""
network_acl:
  description: The ACL afterwards; C(id) is null in check mode when it would be created, and after removal.
  returned: always
  type: dict
  sample:
    id: acl-0123456789abcdef0
    ingress:
      - {number: 100, protocol: all, cidr: 10.20.0.0/16, action: allow}
    egress:
      - {number: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}
    subnets: [subnet-0123456789abcdef0]
    tags: {Name: shop-prod-private}
changes:
  description: What was (in check mode, would be) changed, one line each.
  returned: always
  type: list
  elements: str
  sample: ["create network ACL shop-prod-private", "inbound rule 100: allow all from 10.20.0.0/16"]
"""

try:
    import botocore
except ImportError:
    pass  # handled by PlatformModule (AnsibleAWSModule)

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    PlatformModule,
    apply_tags,
    client_token,
    create_once,
    dict_to_tag_list,
    ec2_tag_calls,
    pick_one,
    tag_list_to_dict,
)

PROTOCOLS = {"tcp": "6", "udp": "17", "icmp": "1", "all": "-1"}
NAMES = {code: name for name, code in PROTOCOLS.items()}
# The rule AWS puts last in every ACL (number 32767, shown as "*"): it cannot be changed or removed.
AWS_DEFAULT_RULE = 32767


def error_code(exc):
    return exc.response.get("Error", {}).get("Code") if isinstance(exc, botocore.exceptions.ClientError) else None


def wanted_rules(params):
    """{(egress, number): rule} from the module's input; every problem found before any call."""
    out, problems = {}, []
    for direction, egress in (("ingress", False), ("egress", True)):
        for rule in params[direction]:
            where = "%s rule %s" % (direction, rule["number"])
            if not 1 <= rule["number"] <= 32766:
                problems.append("%s: numbers run from 1 to 32766" % where)
            if (egress, rule["number"]) in out:
                problems.append("%s: the number is used twice" % where)
            entry = {"protocol": rule["protocol"], "cidr": rule["cidr"], "action": rule["action"]}
            if rule["protocol"] in ("tcp", "udp"):
                first = rule.get("from_port")
                last = first if rule.get("to_port") is None else rule["to_port"]
                if first is None or not 0 <= first <= last <= 65535:
                    problems.append("%s: %s needs from_port (and to_port) with 0 <= from_port <= to_port <= 65535" % (where, rule["protocol"]))
                entry["ports"] = [first, last]
            elif rule["protocol"] == "icmp":
                entry["icmp"] = [rule["icmp_type"], rule["icmp_code"]]
            out[(egress, rule["number"])] = entry
    if problems:
        raise PlatformError("; ".join(problems))
    return out


def current_rules(acl):
    """{(egress, number): rule} of an ACL as AWS describes it, in the shape of wanted_rules."""
    out = {}
    for entry in (acl or {}).get("Entries") or []:
        if entry["RuleNumber"] == AWS_DEFAULT_RULE:
            continue
        protocol = NAMES.get(str(entry.get("Protocol")), str(entry.get("Protocol")))
        rule = {"protocol": protocol, "cidr": entry.get("CidrBlock") or entry.get("Ipv6CidrBlock"), "action": entry.get("RuleAction")}
        if protocol in ("tcp", "udp"):
            rule["ports"] = [entry.get("PortRange", {}).get("From"), entry.get("PortRange", {}).get("To")]
        elif protocol == "icmp":
            rule["icmp"] = [entry.get("IcmpTypeCode", {}).get("Type"), entry.get("IcmpTypeCode", {}).get("Code")]
        out[(bool(entry["Egress"]), entry["RuleNumber"])] = rule
    return out


def entry_args(key, rule):
    """The request parameters of CreateNetworkAclEntry / ReplaceNetworkAclEntry for one rule."""
    egress, number = key
    out = {"RuleNumber": number, "Egress": egress, "Protocol": PROTOCOLS[rule["protocol"]], "RuleAction": rule["action"],
           "CidrBlock": rule["cidr"]}
    if "ports" in rule:
        out["PortRange"] = {"From": rule["ports"][0], "To": rule["ports"][1]}
    if "icmp" in rule:
        out["IcmpTypeCode"] = {"Type": rule["icmp"][0], "Code": rule["icmp"][1]}
    return out


def describe(key, rule):
    egress, number = key
    what = rule["protocol"]
    if "ports" in rule:
        first, last = rule["ports"]
        what += " %s" % first if first == last else " %s-%s" % (first, last)
    if "icmp" in rule:
        what += " type %s code %s" % tuple(rule["icmp"])
    return "%s rule %s: %s %s %s %s" % ("outbound" if egress else "inbound", number, rule["action"], what,
                                        "to" if egress else "from", rule["cidr"])


def associations(acl):
    return {a["SubnetId"]: a["NetworkAclAssociationId"] for a in (acl or {}).get("Associations") or [] if a.get("SubnetId")}


def view(acl_id, rules, subnets, tags):
    def listed(egress):
        return [dict(number=number, **rule) for (e, number), rule in sorted(rules.items()) if e is egress]
    return {"id": acl_id, "ingress": listed(False), "egress": listed(True), "subnets": sorted(subnets), "tags": tags}


class Acl(Plan):
    def __init__(self, module):
        super().__init__(module)
        self.ec2 = module.client("ec2")
        self.once = module.client("ec2", retries=False)

    def in_vpc(self, *filters):
        return self.ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [self.params["vpc_id"]]}] + list(filters))["NetworkAcls"]

    def named(self):
        return self.in_vpc({"Name": "tag:Name", "Values": [self.params["name"]]})

    def reread(self, acl_id):
        return self.ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]

    def default_acl(self):
        acl = pick_one(self.in_vpc({"Name": "default", "Values": ["true"]}), "default network ACLs of %s" % self.params["vpc_id"],
                       ident=lambda a: a["NetworkAclId"])
        if acl is None:
            raise PlatformError("VPC %s has no default network ACL" % self.params["vpc_id"])
        return acl["NetworkAclId"]

    def ensure(self):
        params = self.params
        if params["default_acl"] and (params["state"] == "absent" or params["subnets"]):
            raise PlatformError("default_acl: the VPC's default ACL is never deleted and has the subnets no other ACL has; "
                                "use it with state present and no subnets")
        rules = wanted_rules(params)
        what = "network ACLs named %s in %s" % (params["name"], params["vpc_id"])
        if params["default_acl"]:
            acl = self.reread(self.default_acl())
        else:
            acl = pick_one(self.named(), what, ident=lambda a: a["NetworkAclId"])
        if params["state"] == "absent":
            return self.remove(acl)
        tags = dict(params.get("tags") or {}, Name=params["name"])
        if acl is None:
            self.changes.append("create network ACL %s" % params["name"])
            before = {}
            if not self.check:
                acl = create_once(lambda: self.once.create_network_acl(
                    VpcId=params["vpc_id"], ClientToken=client_token("network-acl", params["vpc_id"], params["name"]),
                    TagSpecifications=[{"ResourceType": "network-acl", "Tags": dict_to_tag_list(tags)}])["NetworkAcl"], self.named, what)[0]
        else:
            before = view(acl["NetworkAclId"], current_rules(acl), associations(acl), tag_list_to_dict(acl.get("Tags")))
        have = acl or {}
        acl_id = have.get("NetworkAclId")
        changed_tags, after_tags = apply_tags(self.check, tag_list_to_dict(have.get("Tags")) if acl_id else {}, tags, params["purge_tags"],
                                              *ec2_tag_calls(self.ec2, acl_id))
        if changed_tags and before:
            self.changes.append("tags of network ACL %s" % params["name"])
        self.converge_rules(acl_id, current_rules(have), rules)
        subnets = set(associations(have)) if params["default_acl"] else self.converge_subnets(acl_id, associations(have))
        return before, view(acl_id, rules, subnets, after_tags)

    def converge_rules(self, acl_id, current, wanted):
        for key, rule in sorted(wanted.items()):
            have = current.get(key)
            if have == rule:
                continue
            self.changes.append(describe(key, rule))
            if self.check:
                continue
            if have is None:
                # Retried after a lost answer, the create is refused (NetworkAclEntryAlreadyExists): the rule is read back
                # and replaced if what landed is not this rule.
                found, adopted = create_once(
                    lambda key=key, rule=rule: self.once.create_network_acl_entry(NetworkAclId=acl_id, **entry_args(key, rule)) or True,
                    lambda key=key: [r for k, r in current_rules(self.reread(acl_id)).items() if k == key],
                    "%s of %s" % (describe(key, rule), acl_id), exists_codes=("NetworkAclEntryAlreadyExists",))
                if adopted and found != rule:
                    self.ec2.replace_network_acl_entry(NetworkAclId=acl_id, **entry_args(key, rule))
            else:
                self.ec2.replace_network_acl_entry(NetworkAclId=acl_id, **entry_args(key, rule))
        for key in sorted(set(current) - set(wanted)):
            self.changes.append("remove %s" % describe(key, current[key]))
            if not self.check:
                try:
                    self.ec2.delete_network_acl_entry(NetworkAclId=acl_id, Egress=key[0], RuleNumber=key[1])
                except botocore.exceptions.ClientError as exc:
                    if error_code(exc) != "InvalidNetworkAclEntry.NotFound":
                        raise

    def move(self, subnet, acl_id):
        """Associate ``subnet`` with ``acl_id``; a replace already carried out (its answer lost) is recognised."""
        for attempt in range(2):
            held = self.in_vpc({"Name": "association.subnet-id", "Values": [subnet]})
            association = [a for acl in held for a in acl.get("Associations") or [] if a.get("SubnetId") == subnet]
            if not association:
                raise PlatformError("subnet %s is not in VPC %s (it has no network ACL there)" % (subnet, self.params["vpc_id"]))
            if association[0]["NetworkAclId"] == acl_id:
                return
            try:
                self.ec2.replace_network_acl_association(AssociationId=association[0]["NetworkAclAssociationId"], NetworkAclId=acl_id)
                return
            except botocore.exceptions.ClientError as exc:
                if error_code(exc) != "InvalidAssociationID.NotFound" or attempt:
                    raise

    def converge_subnets(self, acl_id, current):
        wanted = list(dict.fromkeys(self.params["subnets"]))
        for subnet in wanted:
            if subnet in current:
                continue
            self.changes.append("associate %s" % subnet)
            if not self.check:
                self.move(subnet, acl_id)
        kept = set(wanted)
        if self.params["purge_subnets"]:
            leaving = sorted(set(current) - kept)
            if leaving:
                default = None if self.check else self.default_acl()
                for subnet in leaving:
                    self.changes.append("return %s to the default network ACL" % subnet)
                    if not self.check:
                        self.move(subnet, default)
        else:
            kept |= set(current)
        return kept

    def remove(self, acl):
        if acl is None:
            return {}, view(None, {}, [], {})
        acl_id = acl["NetworkAclId"]
        before = view(acl_id, current_rules(acl), associations(acl), tag_list_to_dict(acl.get("Tags")))
        self.changes.append("delete network ACL %s" % self.params["name"])
        if not self.check:
            subnets = associations(acl)
            if subnets:
                default = self.default_acl()
                for subnet in sorted(subnets):
                    self.move(subnet, default)
            try:
                self.ec2.delete_network_acl(NetworkAclId=acl_id)
            except botocore.exceptions.ClientError as exc:
                if error_code(exc) != "InvalidNetworkAclID.NotFound":
                    raise
        return before, view(None, {}, [], {})


def main():
    rule = dict(
        number=dict(type="int", required=True),
        protocol=dict(type="str", required=True, choices=sorted(PROTOCOLS)),
        cidr=dict(type="str", required=True),
        from_port=dict(type="int"),
        to_port=dict(type="int"),
        icmp_type=dict(type="int", default=-1),
        icmp_code=dict(type="int", default=-1),
        action=dict(type="str", choices=["allow", "deny"], default="allow"),
    )
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        default_acl=dict(type="bool", default=False),
        ingress=dict(type="list", elements="dict", default=[], options=rule),
        egress=dict(type="list", elements="dict", default=[], options=rule),
        subnets=dict(type="list", elements="str", default=[]),
        purge_subnets=dict(type="bool", default=True),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True)
    acl = Acl(module)
    module.exit_converged(lambda: (acl.changes,) + acl.ensure(), "Failed to converge network ACL %s" % module.params["name"], "network_acl")


if __name__ == "__main__":
    main()
