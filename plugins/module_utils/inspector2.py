# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon Inspector2 account status, shared by the inspector2 and inspector2_info modules."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformError

# Module resource type -> key of resourceState in BatchGetAccountStatus.
RESOURCE_KEYS = {"EC2": "ec2", "ECR": "ecr", "LAMBDA": "lambda", "LAMBDA_CODE": "lambdaCode"}
SETTLED = ("ENABLED", "DISABLED", "SUSPENDED")


def status(inspector, account):
    """{'account': status, 'resources': {EC2: status, ...}} of one account."""
    # accountIds is passed explicitly: the call's default (the caller) is not honoured everywhere.
    answer = inspector.batch_get_account_status(accountIds=[account])
    failed = answer.get("failedAccounts") or []
    if failed:
        reason = failed[0].get("errorMessage") or failed[0].get("errorCode")
        raise PlatformError("Inspector2 cannot report on account %s: %s" % (account, reason))
    accounts = answer.get("accounts") or []
    if not accounts:
        return {"account": "DISABLED", "resources": {t: "DISABLED" for t in RESOURCE_KEYS}}
    state = accounts[0]
    resources = state.get("resourceState") or {}
    return {
        "account": (state.get("state") or {}).get("status", "DISABLED"),
        "resources": {t: (resources.get(k) or {}).get("status", "DISABLED") for t, k in RESOURCE_KEYS.items()},
    }


def delegated_admin(inspector):
    """The organization's delegated administrator, or None where there is none or it cannot be asked."""
    try:
        found = inspector.get_delegated_admin_account().get("delegatedAdmin") or {}
    except is_boto3_error_code(["AccessDeniedException", "ValidationException", "ResourceNotFoundException"]):
        return None  # not an organization's management account
    return found.get("accountId")
