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


from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule
from ansible_collections.cloud_design.platform.plugins.module_utils.guardrails import Guardrails


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
