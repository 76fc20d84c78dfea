# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """What every module of this collection shares: where it runs and the AWS connection options."""

    DOCUMENTATION = r"""
options: {}
attributes:
  platform:
    support: full
    platforms: aws
    description: Runs against the AWS APIs from the controller.
"""
