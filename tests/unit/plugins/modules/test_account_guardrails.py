"""account_guardrails against moto, and the Security Hub standards path on recorded shapes."""

from ansible_collections.cloud_design.platform.plugins.module_utils import guardrails as ag_parts
from ansible_collections.cloud_design.platform.plugins.modules import account_guardrails as ag

ALL = {"s3_public_access_block": True, "ebs_encryption_by_default": True, "password_policy": {"minimum_length": 14},
       "guardduty": True}


def test_check_mode_changes_nothing(aws, run_module):
    result = run_module(ag, ALL, check=True, diff=True)
    assert result["changed"] is True and len(result["changes"]) == 4
    assert aws("ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False
    assert aws("guardduty").list_detectors()["DetectorIds"] == []


def test_guardrails_converge_and_rerun_changes_nothing(aws, run_module):
    result = run_module(ag, ALL)
    assert result["changed"] is True
    block = aws("s3control").get_public_access_block(AccountId="123456789012")["PublicAccessBlockConfiguration"]
    assert all(block.values())
    assert aws("ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True
    policy = aws("iam").get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14 and policy["RequireSymbols"] is True and policy["PasswordReusePrevention"] == 24
    detectors = aws("guardduty").list_detectors()["DetectorIds"]
    assert len(detectors) == 1
    again = run_module(ag, ALL)
    assert again["changed"] is False, again["changes"]


def test_unset_options_leave_settings_alone(aws, run_module):
    run_module(ag, ALL)
    result = run_module(ag, {"guardduty": True})
    assert result["changed"] is False
    assert result["guardrails"] == {"guardduty": True}


def test_password_policy_comparison():
    wanted = ag_parts.password_request({"minimum_length": 16, "require_symbols": True, "max_age_days": 0, "reuse_prevention": 24})
    assert wanted == {"MinimumPasswordLength": 16, "RequireSymbols": True, "PasswordReusePrevention": 24}
    assert ag_parts.password_differences({"MinimumPasswordLength": 14, "RequireSymbols": True, "PasswordReusePrevention": 24}, wanted) == [
        "MinimumPasswordLength"]


class RecordedHub:
    """Security Hub answering as AWS does (GetEnabledStandards and BatchEnableStandards are not in moto)."""

    def __init__(self, administrator=None):
        self.enabled = []
        self.administrator = administrator

    def get_administrator_account(self):
        return {"Administrator": {"AccountId": self.administrator, "MemberStatus": "Enabled"}} if self.administrator else {}

    def describe_hub(self):
        return {"HubArn": "arn:aws:securityhub:eu-west-1:123456789012:hub/default"}

    def get_enabled_standards(self):
        return {"StandardsSubscriptions": [{"StandardsArn": a, "StandardsStatus": "READY"} for a in self.enabled]}

    def batch_enable_standards(self, StandardsSubscriptionRequests=None):
        self.enabled.extend(r["StandardsArn"] for r in StandardsSubscriptionRequests)
        return {"StandardsSubscriptions": []}


class FakeModule:
    def __init__(self, check=False):
        self.params = {}
        self.check_mode = check
        self.region = "eu-west-1"
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


def test_security_hub_standards_enabled_once():
    hub = RecordedHub()
    guard = ag_parts.Guardrails(FakeModule())
    guard.clients["securityhub"] = hub
    guard.security_hub(True, ["aws-foundational-security-best-practices/v/1.0.0"])
    assert hub.enabled == ["arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0"]
    assert guard.changes == ["Security Hub standards: " + hub.enabled[0]]
    again = ag_parts.Guardrails(FakeModule())
    again.clients["securityhub"] = hub
    again.security_hub(True, ["aws-foundational-security-best-practices/v/1.0.0"])
    assert again.changes == []


def test_a_lost_detector_create_is_adopted_not_repeated(aws, run_module, lose_answers):
    """CreateDetector carried out, its answer lost: the module lists before any second create."""
    lose_answers.update(create_detector=1)
    result = run_module(ag, {"guardduty": True})
    assert lose_answers == {"create_detector": 0}
    assert result["changed"] is True
    assert len(aws("guardduty").list_detectors()["DetectorIds"]) == 1
    assert run_module(ag, {"guardduty": True})["changed"] is False


def test_guardduty_protection_plans_are_turned_on_once(aws, run_module):
    """FSBP GuardDuty.5/.9 (S3 and RDS Protection): the listed plans on, in the create or on an existing detector."""
    plans = ["S3_DATA_EVENTS", "RDS_LOGIN_EVENTS"]

    def enabled():
        detector = aws("guardduty").get_detector(DetectorId=aws("guardduty").list_detectors()["DetectorIds"][0])
        return sorted(f["Name"] for f in detector.get("Features") or [] if f["Status"] == "ENABLED")

    run_module(ag, {"guardduty": True})
    assert enabled() == []
    result = run_module(ag, {"guardduty": True, "guardduty_features": plans}, check=True, diff=True)
    assert result["changes"] == ["GuardDuty protection plans on: S3_DATA_EVENTS, RDS_LOGIN_EVENTS"] and enabled() == []
    assert result["diff"]["before"]["guardduty_features"] == [] and result["diff"]["after"]["guardduty_features"] == sorted(plans)
    assert run_module(ag, {"guardduty": True, "guardduty_features": plans})["changed"] is True
    assert enabled() == sorted(plans)
    assert run_module(ag, {"guardduty": True, "guardduty_features": plans})["changed"] is False


def test_a_new_detector_is_made_with_its_protection_plans(aws, run_module):
    run_module(ag, {"guardduty": True, "guardduty_features": ["RDS_LOGIN_EVENTS"]})
    gd = aws("guardduty")
    detector = gd.get_detector(DetectorId=gd.list_detectors()["DetectorIds"][0])
    assert [(f["Name"], f["Status"]) for f in detector["Features"]] == [("RDS_LOGIN_EVENTS", "ENABLED")]
    assert run_module(ag, {"guardduty": True, "guardduty_features": ["RDS_LOGIN_EVENTS"]})["changed"] is False


def test_a_service_another_account_administers_is_left_alone(aws, run_module):
    """An Organization's delegated administrator runs GuardDuty for the account: its detector is left as it is."""
    gd = aws("guardduty")
    detector = gd.create_detector(Enable=False)["DetectorId"]
    aws("organizations").create_organization(FeatureSet="ALL")
    gd.enable_organization_admin_account(AdminAccountId="111122223333")
    result = run_module(ag, {"guardduty": True, "guardduty_features": ["S3_DATA_EVENTS"]})
    assert result["changed"] is False and result["administered_by"] == {"GuardDuty": "111122223333"}
    assert gd.get_detector(DetectorId=detector)["Status"] == "DISABLED"
    assert run_module(ag, {"guardduty": True, "respect_administrator": False})["changed"] is True
    assert gd.get_detector(DetectorId=detector)["Status"] == "ENABLED"


def test_security_hub_administered_elsewhere_is_left_alone():
    hub = RecordedHub(administrator="111122223333")
    guard = ag_parts.Guardrails(FakeModule())
    guard.clients["securityhub"] = hub
    guard.security_hub(True, ["aws-foundational-security-best-practices/v/1.0.0"])
    assert hub.enabled == [] and guard.changes == [] and guard.administered == {"Security Hub": "111122223333"}


def default_vpcs(aws):
    return [v["VpcId"] for v in aws("ec2").describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]]


def test_an_unused_default_vpc_is_removed_with_its_subnets_and_gateway(aws, run_module):
    """CIS 5.x: the default VPC (public subnets, a gateway, an ACL open to the world) goes when nothing uses it."""
    ec2 = aws("ec2")
    [vpc] = default_vpcs(aws)
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    # AWS's default VPC has an internet gateway (Amazon VPC User Guide, "Default VPCs"); moto's has none.
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    gateways = [gateway]
    assert len(subnets) >= 2
    planned = run_module(ag, {"remove_default_vpc": True}, check=True, diff=True)
    assert planned["changed"] is True and planned["diff"]["before"]["default_vpc"] == vpc and planned["diff"]["after"]["default_vpc"] is None
    assert default_vpcs(aws) == [vpc], "check mode deleted the default VPC"
    result = run_module(ag, {"remove_default_vpc": True})
    assert result["changes"] == ["default VPC %s removed, with %d subnets and 1 internet gateway(s)" % (vpc, len(subnets))]
    assert default_vpcs(aws) == []
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Vpcs"] == []
    assert ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": subnets}])["Subnets"] == []
    assert ec2.describe_internet_gateways(Filters=[{"Name": "internet-gateway-id", "Values": gateways}])["InternetGateways"] == []
    assert run_module(ag, {"remove_default_vpc": True})["changed"] is False


def test_a_default_vpc_in_use_is_left_with_a_warning_naming_what_uses_it(aws, run_module):
    ec2 = aws("ec2")
    [vpc] = default_vpcs(aws)
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet, Description="a database")["NetworkInterface"]["NetworkInterfaceId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    result = run_module(ag, {"remove_default_vpc": True})
    assert result["changed"] is False and default_vpcs(aws) == [vpc]
    assert any(eni in user and "a database" in user for user in result["default_vpc_users"]), result["default_vpc_users"]
    assert "security group %s (web)" % group in result["default_vpc_users"]
    assert len(result["default_vpc_users"]) == 2, result["default_vpc_users"]
    assert any(vpc in w and "in use" in w for w in result["warnings"])


def test_without_the_option_the_default_vpc_stays(aws, run_module):
    for args in ({"guardduty": True}, {"remove_default_vpc": False}):
        result = run_module(ag, args)
        assert "default_vpc" not in result["guardrails"]
    assert len(default_vpcs(aws)) == 1


def test_a_delete_answered_not_found_was_carried_out():
    """botocore retries a delete whose answer was lost; the retry is answered "not found", which is success."""
    import botocore.exceptions  # pylint: disable=import-outside-toplevel

    def absent():
        raise botocore.exceptions.ClientError({"Error": {"Code": "InvalidSubnetID.NotFound", "Message": "gone"}}, "DeleteSubnet")

    def refused():
        raise botocore.exceptions.ClientError({"Error": {"Code": "DependencyViolation", "Message": "in use"}}, "DeleteVpc")

    ag_parts.gone(absent, "InvalidSubnetID.NotFound")
    try:
        ag_parts.gone(refused, "InvalidVpcID.NotFound")
    except botocore.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] == "DependencyViolation"
    else:
        raise AssertionError("a refused delete was taken for done")
