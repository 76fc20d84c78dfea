#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: inspector2_info
short_description: Read the Amazon Inspector2 status of the account
version_added: 0.2.0
description:
  - Returns whether Amazon Inspector2 is enabled for the account and region, per resource type
    (C(EC2), C(ECR), C(LAMBDA), C(LAMBDA_CODE)), and the organization's delegated administrator where
    the caller may know it. Read-only.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  delegated_admin:
    description: Also read the organization's delegated administrator (asks the organization; management account only).
    type: bool
    default: false
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
"""

EXAMPLES = r"""
- name: Is the account scanned?
  cloud_design.platform.inspector2_info:
  register: inspector

- name: Say so
  ansible.builtin.assert:
    that: inspector.status.resources.ECR == 'ENABLED'
"""

RETURN = r"""
account_id:
  description: The account.
  returned: always
  type: str
  sample: "123456789012"
status:
  description: Inspector2 status of the account and of each resource type.
  returned: always
  type: dict
  sample: {account: ENABLED, resources: {EC2: ENABLED, ECR: ENABLED, LAMBDA: DISABLED, LAMBDA_CODE: DISABLED}}
delegated_admin_account_id:
  description: The organization's delegated administrator; null where there is none or the caller cannot know.
  returned: when I(delegated_admin) is true
  type: str
"""

from ansible_collections.cloud_design.platform.plugins.module_utils import inspector2 as i2
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule


def main():
    module = PlatformModule(argument_spec=dict(delegated_admin=dict(type="bool", default=False)))
    inspector = module.client("inspector2")

    def read():
        account = module.caller_identity()["Account"]
        result = {"account_id": account, "status": i2.status(inspector, account)}
        if module.params["delegated_admin"]:
            result["delegated_admin_account_id"] = i2.delegated_admin(inspector)
        return None, None, None, result

    module.exit_converged(read, "Failed to read the Inspector2 status (is it offered in %s?)" % module.region)


if __name__ == "__main__":
    main()
