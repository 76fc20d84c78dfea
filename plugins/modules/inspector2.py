#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: inspector2
short_description: Enable or disable Amazon Inspector2 scanning for the account
version_added: 0.2.0
description:
  - Makes Amazon Inspector2 scan the listed resource types (C(ECR) images, C(EC2) instances,
    C(LAMBDA) functions, C(LAMBDA_CODE)) in the account and region, or stop scanning them, and
    waits until the status has settled (C(ENABLING) and C(DISABLING) pass within minutes).
  - Only the listed types are touched; types not listed keep their state.
  - Optionally makes an account the organization's delegated Inspector2 administrator (run it in
    the organization's management account).
  - Inspector Classic (C(amazon.aws.inspector_target)) is a different, retired service; no module
    exists for Inspector2.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  resource_types:
    description: The resource types to enable (I(state=present)) or disable (I(state=absent)).
    type: list
    elements: str
    choices: [EC2, ECR, LAMBDA, LAMBDA_CODE]
    default: [EC2, ECR]
  delegated_admin_account_id:
    description: Account to make the organization's delegated administrator (management account only).
    type: str
  ecr_continuous_scan_filters:
    description:
      - Repository name filters (wildcards, e.g. C(shop-prod/*)) that the ECR registry scans with Inspector
        enhanced scanning, on push and continuously. The registry's scan type becomes C(ENHANCED); filters of
        other environments in the rule are kept. Empty leaves the registry's scanning alone.
    type: list
    elements: str
    default: []
  wait:
    description: Wait until the listed types are C(ENABLED) (or C(DISABLED)).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
  state:
    description: C(present) enables scanning of I(resource_types), C(absent) disables it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Where Inspector2 is not offered in the region, or the caller lacks C(inspector2:Enable), the
    module fails with that reason instead of AWS's raw error.
  - C(Enable) and C(Disable) are called with the account id explicitly (the API's default, the
    caller, is not honoured by every implementation of the API).
attributes:
  check_mode:
    support: full
    description: Reports the types that would change and makes no change.
  diff_mode:
    support: full
    description: Shows the status of each type before and after.
"""

EXAMPLES = r"""
- name: Scan container images and instances
  cloud_design.platform.inspector2:
    resource_types: [ECR, EC2]

- name: Stop scanning Lambda functions
  cloud_design.platform.inspector2:
    resource_types: [LAMBDA, LAMBDA_CODE]
    state: absent
"""

RETURN = r"""
ecr_scanning:
  description: The registry's scan type and continuous-scan filters, when I(ecr_continuous_scan_filters) is given.
  returned: when I(ecr_continuous_scan_filters) is not empty
  type: dict
  sample: {scan_type: ENHANCED, continuous_filters: ["shop-prod/*"]}
account_id:
  description: The account.
  returned: always
  type: str
  sample: "123456789012"
status:
  description: Inspector2 status of the account and of each resource type, after the change.
  returned: always
  type: dict
  sample: {account: ENABLED, resources: {EC2: ENABLED, ECR: ENABLED, LAMBDA: DISABLED, LAMBDA_CODE: DISABLED}}
delegated_admin_account_id:
  description: The organization's delegated administrator, where known.
  returned: when I(delegated_admin_account_id) is set
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils import inspector2 as i2
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformError, PlatformModule, wait_for


def ecr_scanning(ecr, check_mode, filters):
    """Enhanced, continuous scanning for the filters; returns (changed, summary)."""
    conf = ecr.get_registry_scanning_configuration().get("scanningConfiguration") or {}
    rules = conf.get("rules") or []
    continuous = next((r for r in rules if r.get("scanFrequency") == "CONTINUOUS_SCAN"), {})
    have = {f["filter"] for f in continuous.get("repositoryFilters") or []}
    wanted = sorted(have | set(filters))
    summary = {"scan_type": "ENHANCED", "continuous_filters": wanted}
    if conf.get("scanType") == "ENHANCED" and set(filters) <= have:
        return False, summary
    if not check_mode:
        new_rules = [r for r in rules if r.get("scanFrequency") != "CONTINUOUS_SCAN"]
        new_rules.append({"scanFrequency": "CONTINUOUS_SCAN",
                          "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"} for f in wanted]})
        ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=new_rules)
    return True, summary


def main():
    argument_spec = dict(
        resource_types=dict(type="list", elements="str", choices=sorted(i2.RESOURCE_KEYS), default=["EC2", "ECR"]),
        delegated_admin_account_id=dict(type="str"),
        ecr_continuous_scan_filters=dict(type="list", elements="str", default=[]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = PlatformModule(argument_spec=argument_spec, state=True)
    params = module.params
    inspector = module.client("inspector2")
    wanted = "ENABLED" if params["state"] == "present" else "DISABLED"
    moving = ("ENABLING",) if wanted == "ENABLED" else ("DISABLING",)

    def converge():
        result = {"changed": False}
        try:
            account = module.caller_identity()["Account"]
            before = i2.status(inspector, account)
            todo = sorted(t for t in params["resource_types"] if before["resources"][t] != wanted and before["resources"][t] not in moving)
            if todo and not module.check_mode:
                call = inspector.enable if wanted == "ENABLED" else inspector.disable
                answer = call(accountIds=[account], resourceTypes=todo)
                failed = answer.get("failedAccounts") or []
                if failed:
                    raise PlatformError("Inspector2 could not %s %s for %s: %s" % (
                        "enable" if wanted == "ENABLED" else "disable", ", ".join(todo), account,
                        failed[0].get("errorMessage") or failed[0].get("errorCode")))
            after = before
            if not module.check_mode and (todo or any(before["resources"][t] in moving for t in params["resource_types"])):
                after = i2.status(inspector, account)
                if params["wait"]:
                    after = wait_for(lambda: i2.status(inspector, account),
                                     lambda s: all(s["resources"][t] in i2.SETTLED for t in params["resource_types"]),
                                     timeout=params["wait_timeout"], what="Inspector2 to settle")
                    wrong = [t for t in params["resource_types"] if after["resources"][t] != wanted]
                    if wrong:
                        raise PlatformError("Inspector2 settled with %s not %s: %s" % (
                            ", ".join(wrong), wanted, ", ".join("%s=%s" % (t, after["resources"][t]) for t in wrong)))
            elif module.check_mode and todo:
                after = {"account": "ENABLED" if wanted == "ENABLED" else before["account"],
                         "resources": dict(before["resources"], **{t: wanted for t in todo})}
            result.update(changed=bool(todo), account_id=account, status=after)
            if params["ecr_continuous_scan_filters"] and params["state"] == "present":
                scanned, result["ecr_scanning"] = ecr_scanning(module.client("ecr"), module.check_mode,
                                                               params["ecr_continuous_scan_filters"])
                result["changed"] = result["changed"] or scanned
            if params.get("delegated_admin_account_id"):
                current = i2.delegated_admin(inspector)
                if current != params["delegated_admin_account_id"]:
                    result["changed"] = True
                    if not module.check_mode:
                        inspector.enable_delegated_admin_account(delegatedAdminAccountId=params["delegated_admin_account_id"])
                result["delegated_admin_account_id"] = params["delegated_admin_account_id"]
        except is_boto3_error_code("AccessDeniedException") as exc:
            raise PlatformError("Access denied by Inspector2: the deployer needs inspector2:Enable, inspector2:Disable, "
                                "inspector2:BatchGetAccountStatus and iam:CreateServiceLinkedRole (%s)" % exc) from exc
        return None, before, result.get("status", before), result

    module.exit_converged(converge, "Failed to manage Inspector2 (is it offered in %s?)" % module.region)


if __name__ == "__main__":
    main()
