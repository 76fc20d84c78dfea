# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account's guardrails (S3 public access block, EBS encryption by default, the IAM password policy,
GuardDuty, Security Hub, the default VPC): the work behind cloud_design.platform.account_guardrails."""

from __future__ import annotations

import uuid

try:
    import botocore
except ImportError:
    pass  # handled by PlatformModule (AnsibleAWSModule)

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import Plan, all_pages, create_once


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


class Guardrails(Plan):
    def __init__(self, module):
        super().__init__(module)
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
        return self.module.caller_identity()["Account"]

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
                self.change("EBS default key %s" % key, ec2.modify_ebs_default_kms_key_id, KmsKeyId=key)

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
            self.change("IAM password policy: %s" % ", ".join(differences), iam.update_account_password_policy, **wanted)

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
            self.change("GuardDuty protection plans on: %s" % ", ".join(missing),
                        gd.update_detector, DetectorId=detectors[0], Features=[{"Name": n, "Status": "ENABLED"} for n in missing])
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
