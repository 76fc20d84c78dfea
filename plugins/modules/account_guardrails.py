#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: account_guardrails
short_description: Account-wide security guardrails, each with its own switch, in one call
version_added: 0.2.0
description:
  - Converges, in one process, the account-level settings a production account is expected to have -
  - the S3 account-level public access block (all four settings on);
  - EBS encryption by default in the region, optionally with a customer managed key;
  - an IAM password policy;
  - a GuardDuty detector in the region;
  - Security Hub in the region with the listed standards (AWS Foundational Security Best Practices
    by default);
  - no default VPC in the region, where nothing uses it (I(remove_default_vpc)).
  - Each guardrail is managed only when its option is set; an option left unset leaves that
    setting as it is. Turning a guardrail off is explicit (C(false)), and for a shared account
    settings are never removed by an environment's removal.
  - In an account whose GuardDuty or Security Hub is administered by another account (an AWS Organization's
    delegated administrator, or an invitation the account accepted), that service is left as the administrator
    set it, and C(administered_by) says by whom (I(respect_administrator)).
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  s3_public_access_block:
    description: Block public access to S3 for the whole account (C(true)), or lift the account-level block (C(false)).
    type: bool
  ebs_encryption_by_default:
    description: Encrypt every new EBS volume in the region.
    type: bool
  ebs_kms_key_id:
    description: KMS key (ARN) for default EBS encryption; unset keeps the current default key.
    type: str
  password_policy:
    description: The IAM account password policy; unset leaves it alone.
    type: dict
    suboptions:
      minimum_length:
        description: Fewest characters.
        type: int
        default: 14
      require_symbols:
        description: Require a symbol.
        type: bool
        default: true
      require_numbers:
        description: Require a digit.
        type: bool
        default: true
      require_uppercase:
        description: Require an upper-case letter.
        type: bool
        default: true
      require_lowercase:
        description: Require a lower-case letter.
        type: bool
        default: true
      allow_users_to_change:
        description: Let users change their own password.
        type: bool
        default: true
      max_age_days:
        description: Days before a password expires (0 never).
        type: int
        default: 90
      reuse_prevention:
        description: Earlier passwords that may not be reused.
        type: int
        default: 24
  guardduty:
    description: A GuardDuty detector in the region, enabled (C(true)) or disabled (C(false)).
    type: bool
  guardduty_features:
    description:
      - GuardDuty protection plans turned on in the detector when I(guardduty) is C(true) (GuardDuty API Reference,
        C(DetectorFeatureConfiguration)), such as C(S3_DATA_EVENTS) (S3 Protection) and C(RDS_LOGIN_EVENTS) (RDS Protection,
        Aurora sign-ins). A plan not listed is left as it is; each is billed by AWS on its own.
    type: list
    elements: str
    default: []
  security_hub:
    description: Security Hub in the region (C(true)) with I(security_hub_standards).
    type: bool
  respect_administrator:
    description:
      - Leave GuardDuty and Security Hub alone where another account administers them for this one
        (GetAdministratorAccount names one), since the organization's settings win over an environment's.
      - C(false) converges them here all the same (an administrator may then undo it).
    type: bool
    default: true
  remove_default_vpc:
    description:
      - Delete the region's default VPC, which AWS makes in every region with public subnets, an internet gateway and
        a network ACL open to the world (CIS AWS Foundations 5.x; AWS Prescriptive Guidance, "ACCT.09 Delete unused VPCs,
        subnets, and security groups"), when nothing uses it.
      - Used means any network interface (instances, load balancers, NAT gateways, interface endpoints, functions and
        databases in the VPC), VPC endpoint, VPN gateway, peering connection, or a security group, route table or
        network ACL other than the VPC's own defaults. A used default VPC is left as it is, with a warning that names
        what uses it.
      - Its internet gateways are detached and deleted, then its subnets, then the VPC, which takes its default security
        group, network ACL and main route table with it (Amazon VPC User Guide, "Delete your VPC"). AWS can make a new
        default VPC (C(aws ec2 create-default-vpc)), never the deleted one.
      - C(false) or unset leaves the default VPC as it is; no option makes one.
    type: bool
  security_hub_standards:
    description: Standards ARNs, or short names C(aws-foundational-security-best-practices/v/1.0.0), to enable.
    type: list
    elements: str
    default: [aws-foundational-security-best-practices/v/1.0.0]
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Security Hub standards are enabled with C(BatchEnableStandards) and read with
    C(GetEnabledStandards); where the API does not offer them, the module says so in a warning and
    leaves the hub enabled without them.
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change.
  diff_mode:
    support: full
    description: Shows each managed guardrail before and after.
"""

EXAMPLES = r"""
- name: Guardrails of a production account
  cloud_design.platform.account_guardrails:
    s3_public_access_block: true
    ebs_encryption_by_default: true
    ebs_kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/0c9d65be-d661-4df6-878a-f43d26938c9e"
    password_policy: {minimum_length: 14}
    guardduty: true
    guardduty_features: [S3_DATA_EVENTS, RDS_LOGIN_EVENTS]
    security_hub: true
    remove_default_vpc: true
"""

RETURN = r"""
guardrails:
  description: The managed guardrails after the run.
  returned: always
  type: dict
  sample: {s3_public_access_block: true, ebs_encryption_by_default: true, guardduty: true, security_hub: true,
           password_policy: {minimum_length: 14}}
changes:
  description: What changed (or would in check mode), one line each.
  returned: always
  type: list
  elements: str
default_vpc_users:
  description: What uses the default VPC, when I(remove_default_vpc) found it in use and left it.
  returned: always
  type: list
  elements: str
  sample: ["network interface eni-0a1b2c3d (interface: Primary network interface)", "security group sg-0a1b2c3d (web)"]
administered_by:
  description: The services another account administers for this one, with that account's id; they were left alone.
  returned: always
  type: dict
  sample: {guardduty: "111122223333"}
"""

import uuid

try:
    import botocore
except ImportError:
    pass  # handled by PlatformModule (AnsibleAWSModule)

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule, all_pages, create_once

BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
PASSWORD_KEYS = {
    "minimum_length": "MinimumPasswordLength",
    "require_symbols": "RequireSymbols",
    "require_numbers": "RequireNumbers",
    "require_uppercase": "RequireUppercaseCharacters",
    "require_lowercase": "RequireLowercaseCharacters",
    "allow_users_to_change": "AllowUsersToChangePassword",
    "max_age_days": "MaxPasswordAge",
    "reuse_prevention": "PasswordReusePrevention",
}


def strip_account_prefix(request, endpoint):
    """Send an S3 Control request to the given endpoint, not to <account>.<endpoint>."""
    scheme, rest = request.url.split("://", 1)
    host, sep, path = rest.partition("/")
    if host.endswith("." + endpoint):
        request.url = "%s://%s%s%s" % (scheme, endpoint, sep, path)


def password_request(policy):
    request = {PASSWORD_KEYS[k]: v for k, v in policy.items() if k in PASSWORD_KEYS}
    if not request.get("MaxPasswordAge"):
        request.pop("MaxPasswordAge", None)
    if not request.get("PasswordReusePrevention"):
        request.pop("PasswordReusePrevention", None)
    return request


def password_differences(current, wanted):
    return sorted(k for k, v in wanted.items() if current.get(k) != v)


def standard_arn(name, region, partition="aws"):
    if name.startswith("arn:"):
        return name
    return "arn:%s:securityhub:%s::standards/%s" % (partition, region, name)


class Guardrails:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check = module.check_mode
        self.changes = []
        self.before = {}
        self.after = {}
        self.clients = {}
        self.administered = {}
        self.vpc_users = []

    def client(self, name):
        if name not in self.clients:
            conn = self.module.client(name)
            if name == "s3control" and self.params.get("endpoint_url"):
                # S3 Control puts the account id in the host name; a given endpoint (a proxy, an
                # emulator on loopback) is addressed as given.
                endpoint = self.params["endpoint_url"].split("://", 1)[-1].rstrip("/")
                conn.meta.events.register("before-sign.s3-control", lambda request, **kw: strip_account_prefix(request, endpoint),
                                          unique_id="cloud_design.platform:s3control-endpoint")
            self.clients[name] = conn
        return self.clients[name]

    def account(self):
        return self.client("sts").get_caller_identity()["Account"]

    def administrator(self, service, read):
        """The account that administers ``service`` for this one (GetAdministratorAccount), or None. Left alone then."""
        if not self.params.get("respect_administrator", True):
            return None
        try:
            admin = (read().get("Administrator") or {}).get("AccountId")
        except is_boto3_error_code(["BadRequestException", "InvalidAccessException", "ResourceNotFoundException"]):
            return None
        if admin:
            self.administered[service] = admin
            self.module.warn("%s of this account is administered by account %s (an AWS Organization's delegated administrator "
                             "or an accepted invitation): left as it set it" % (service, admin))
        return admin

    def s3_block(self, wanted):
        s3control = self.client("s3control")
        account = self.account()
        try:
            current = s3control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
        except is_boto3_error_code("NoSuchPublicAccessBlockConfiguration"):
            current = {}
        have = all(current.get(k) for k in BLOCK_ALL)
        self.before["s3_public_access_block"] = have
        self.after["s3_public_access_block"] = wanted
        if have == wanted and (wanted or not any(current.values())):
            return
        self.changes.append("S3 account public access block %s" % ("on" if wanted else "off"))
        if self.check:
            return
        if wanted:
            s3control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration=BLOCK_ALL)
        else:
            s3control.delete_public_access_block(AccountId=account)

    def ebs(self, wanted, key):
        ec2 = self.client("ec2")
        have = ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
        self.before["ebs_encryption_by_default"] = have
        self.after["ebs_encryption_by_default"] = wanted
        if have != wanted:
            self.changes.append("EBS encryption by default %s" % ("on" if wanted else "off"))
            if not self.check:
                if wanted:
                    ec2.enable_ebs_encryption_by_default()
                else:
                    ec2.disable_ebs_encryption_by_default()
        if wanted and key:
            current = ec2.get_ebs_default_kms_key_id().get("KmsKeyId")
            self.before["ebs_kms_key_id"] = current
            self.after["ebs_kms_key_id"] = key
            if current != key:
                self.changes.append("EBS default key %s" % key)
                if not self.check:
                    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key)

    def password(self, policy):
        iam = self.client("iam")
        wanted = password_request(policy)
        try:
            current = iam.get_account_password_policy()["PasswordPolicy"]
        except is_boto3_error_code("NoSuchEntity"):
            current = {}
        self.before["password_policy"] = {k: current.get(v) for k, v in PASSWORD_KEYS.items() if v in current}
        self.after["password_policy"] = dict(policy)
        differences = password_differences(current, wanted)
        if differences:
            self.changes.append("IAM password policy: %s" % ", ".join(differences))
            if not self.check:
                iam.update_account_password_policy(**wanted)

    def guardduty(self, wanted, features=()):
        gd = self.client("guardduty")
        detectors = gd.list_detectors().get("DetectorIds") or []
        enabled = False
        have = {}
        if detectors:
            if self.administrator("GuardDuty", lambda: gd.get_administrator_account(DetectorId=detectors[0])):
                return
            detector = gd.get_detector(DetectorId=detectors[0])
            enabled = detector.get("Status") == "ENABLED"
            have = {f.get("Name"): f.get("Status") for f in detector.get("Features") or []}
        self.before["guardduty"] = enabled
        self.after["guardduty"] = wanted
        missing = [name for name in dict.fromkeys(features) if have.get(name) != "ENABLED"] if wanted else []
        if features and wanted:
            self.before["guardduty_features"] = sorted(name for name in features if have.get(name) == "ENABLED")
            self.after["guardduty_features"] = sorted(set(features))
        if missing and enabled:
            self.changes.append("GuardDuty protection plans on: %s" % ", ".join(missing))
            if not self.check:
                gd.update_detector(DetectorId=detectors[0], Features=[{"Name": n, "Status": "ENABLED"} for n in missing])
        if enabled == wanted:
            return
        self.changes.append("GuardDuty %s" % ("on" if wanted else "off"))
        if self.check:
            return
        if detectors:
            plans = {"Features": [{"Name": n, "Status": "ENABLED"} for n in missing]} if missing else {}
            gd.update_detector(DetectorId=detectors[0], Enable=wanted, **plans)
        elif wanted:
            # One detector per account and region. The token (one per run: a later run after a
            # destroy must not be answered with the deleted detector) makes AWS answer a retried
            # create with the detector it made; a retry that AWS refuses anyway (BadRequestException:
            # a detector exists) is resolved by listing, never by a second create.
            once = self.module.client("guardduty", retries=False)
            token = str(uuid.uuid4())
            plans = {"Features": [{"Name": n, "Status": "ENABLED"} for n in missing]} if missing else {}
            create_once(lambda: once.create_detector(Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES", ClientToken=token, **plans),
                        lambda: gd.list_detectors().get("DetectorIds") or [],
                        "GuardDuty detectors of the account in %s" % self.module.region, exists_codes=("BadRequestException",))

    def security_hub(self, wanted, standards):
        hub = self.client("securityhub")
        try:
            hub.describe_hub()
            enabled = True
        except is_boto3_error_code(["InvalidAccessException", "ResourceNotFoundException"]):
            enabled = False
        if enabled and self.administrator("Security Hub", hub.get_administrator_account):
            return
        self.before["security_hub"] = enabled
        self.after["security_hub"] = wanted
        if enabled != wanted:
            self.changes.append("Security Hub %s" % ("on" if wanted else "off"))
            if not self.check:
                if wanted:
                    hub.enable_security_hub(EnableDefaultStandards=False)
                else:
                    hub.disable_security_hub()
        if not wanted:
            return
        arns = [standard_arn(s, self.module.region) for s in standards]
        try:
            current = [] if not enabled else [s["StandardsArn"] for s in hub.get_enabled_standards().get(
                "StandardsSubscriptions", []) if s.get("StandardsStatus") in ("PENDING", "READY", "INCOMPLETE")]
        except (botocore.exceptions.ClientError,) as exc:
            self.module.warn("Security Hub standards cannot be read here (%s answered %s); the hub is on, standards unknown"
                             % (exc.operation_name, exc.response.get("Error", {}).get("Code")))
            return
        missing = [a for a in arns if a not in current]
        self.after["security_hub_standards"] = sorted(set(current) | set(arns))
        if missing:
            self.changes.append("Security Hub standards: %s" % ", ".join(missing))
            if not self.check:
                try:
                    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": a} for a in missing])
                except (botocore.exceptions.ClientError,) as exc:
                    self.module.warn("Security Hub standards could not be enabled here (%s answered %s); the hub is on without them"
                                     % (exc.operation_name, exc.response.get("Error", {}).get("Code")))

    def default_vpc(self):
        """The region's default VPC deleted when nothing uses it (Amazon VPC User Guide, "Delete your VPC")."""
        ec2 = self.client("ec2")
        found = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}]).get("Vpcs") or []
        vpc = found[0]["VpcId"] if found else None
        self.before["default_vpc"] = vpc
        self.after["default_vpc"] = None
        if not vpc:
            return
        self.vpc_users = default_vpc_users(ec2, vpc)
        if self.vpc_users:
            self.after["default_vpc"] = vpc
            self.module.warn("The default VPC %s is in use, so it was left as it is: %s. Move or delete these, then run again "
                             "to remove it." % (vpc, "; ".join(self.vpc_users[:10]) + ("; ..." if len(self.vpc_users) > 10 else "")))
            return
        by_vpc = [{"Name": "vpc-id", "Values": [vpc]}]
        attached = [{"Name": "attachment.vpc-id", "Values": [vpc]}]
        gateways = [g["InternetGatewayId"] for g in all_pages(ec2.describe_internet_gateways, "InternetGateways", Filters=attached)]
        subnets = [s["SubnetId"] for s in all_pages(ec2.describe_subnets, "Subnets", Filters=by_vpc)]
        self.changes.append("default VPC %s removed, with %d subnets and %d internet gateway(s)" % (vpc, len(subnets), len(gateways)))
        if self.check:
            return
        # A delete whose answer was lost is retried by botocore and then answered "not found": it was carried out.
        for gateway in gateways:
            gone(lambda: ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc),
                 "Gateway.NotAttached", "InvalidInternetGatewayID.NotFound")
            gone(lambda: ec2.delete_internet_gateway(InternetGatewayId=gateway), "InvalidInternetGatewayID.NotFound")
        for subnet in subnets:
            gone(lambda: ec2.delete_subnet(SubnetId=subnet), "InvalidSubnetID.NotFound")
        gone(lambda: ec2.delete_vpc(VpcId=vpc), "InvalidVpcID.NotFound")


def default_vpc_users(ec2, vpc):
    """What uses the VPC, one line each: whatever would make DeleteVpc answer DependencyViolation once the default
    subnets and internet gateway are gone, and whatever those could not be deleted under."""
    by_vpc = [{"Name": "vpc-id", "Values": [vpc]}]
    users = ["network interface %s (%s: %s)" % (n["NetworkInterfaceId"], n.get("InterfaceType", "interface"), n.get("Description") or "-")
             for n in all_pages(ec2.describe_network_interfaces, "NetworkInterfaces", Filters=by_vpc)]
    users += ["VPC endpoint %s (%s)" % (e["VpcEndpointId"], e.get("ServiceName")) for e in all_pages(
        ec2.describe_vpc_endpoints, "VpcEndpoints", Filters=by_vpc) if e.get("State", "").lower() not in ("deleted", "deleting")]
    users += ["security group %s (%s)" % (g["GroupId"], g.get("GroupName")) for g in all_pages(
        ec2.describe_security_groups, "SecurityGroups", Filters=by_vpc) if g.get("GroupName") != "default"]
    users += ["route table %s" % t["RouteTableId"] for t in all_pages(ec2.describe_route_tables, "RouteTables", Filters=by_vpc)
              if not any(a.get("Main") for a in t.get("Associations") or [])]
    users += ["network ACL %s" % a["NetworkAclId"] for a in all_pages(ec2.describe_network_acls, "NetworkAcls", Filters=by_vpc)
              if not a.get("IsDefault")]
    for side in ("requester-vpc-info.vpc-id", "accepter-vpc-info.vpc-id"):
        users += ["peering connection %s" % p["VpcPeeringConnectionId"] for p in all_pages(
            ec2.describe_vpc_peering_connections, "VpcPeeringConnections", Filters=[{"Name": side, "Values": [vpc]}])
            if (p.get("Status") or {}).get("Code") not in ("deleted", "rejected", "failed", "expired")]
    users += ["VPN gateway %s" % g["VpnGatewayId"] for g in ec2.describe_vpn_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}]).get("VpnGateways") or []
        if any(a.get("VpcId") == vpc and a.get("State") in ("attaching", "attached") for a in g.get("VpcAttachments") or [])]
    return users


def gone(delete, *absent_codes):
    """Make a delete; an answer that the thing is already absent means it was (a lost answer, a run before)."""
    try:
        delete()
    except is_boto3_error_code(list(absent_codes)):
        pass


def main():
    argument_spec = dict(
        s3_public_access_block=dict(type="bool"),
        ebs_encryption_by_default=dict(type="bool"),
        ebs_kms_key_id=dict(type="str", no_log=False),
        password_policy=dict(type="dict", no_log=False, options=dict(
            minimum_length=dict(type="int", default=14, no_log=False),
            require_symbols=dict(type="bool", default=True),
            require_numbers=dict(type="bool", default=True),
            require_uppercase=dict(type="bool", default=True),
            require_lowercase=dict(type="bool", default=True),
            allow_users_to_change=dict(type="bool", default=True),
            max_age_days=dict(type="int", default=90),
            reuse_prevention=dict(type="int", default=24),
        )),
        guardduty=dict(type="bool"),
        guardduty_features=dict(type="list", elements="str", default=[]),
        security_hub=dict(type="bool"),
        security_hub_standards=dict(type="list", elements="str", default=["aws-foundational-security-best-practices/v/1.0.0"]),
        respect_administrator=dict(type="bool", default=True),
        remove_default_vpc=dict(type="bool"),
    )
    module = PlatformModule(argument_spec=argument_spec)
    params = module.params
    policy = params.get("password_policy")
    if policy and not 6 <= policy["minimum_length"] <= 128:
        module.fail_json(msg="password_policy.minimum_length must be 6 to 128 (IAM limits), got %d" % policy["minimum_length"])
    guard = Guardrails(module)

    def converge():
        if params.get("s3_public_access_block") is not None:
            guard.s3_block(params["s3_public_access_block"])
        if params.get("ebs_encryption_by_default") is not None:
            guard.ebs(params["ebs_encryption_by_default"], params.get("ebs_kms_key_id"))
        if policy:
            guard.password(policy)
        if params.get("guardduty") is not None:
            guard.guardduty(params["guardduty"], params["guardduty_features"])
        if params.get("security_hub") is not None:
            guard.security_hub(params["security_hub"], params["security_hub_standards"])
        if params.get("remove_default_vpc"):
            guard.default_vpc()
        return guard.changes, guard.before, guard.after, {"guardrails": guard.after, "administered_by": guard.administered,
                                                          "default_vpc_users": guard.vpc_users}

    module.exit_converged(converge, lambda: "Failed to converge the account guardrails (done so far: %s)"
                          % ("; ".join(guard.changes) or "nothing"))


if __name__ == "__main__":
    main()
