# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: run_reads
type: aggregate
short_description: Let the platform's discovery reuse what the run read while nothing changed
version_added: 0.7.0
description:
  - Counts the tasks of the run that changed something or failed, so that the collection's discovery
    (M(cloud_design.platform.platform_info)) reads each part of the platform once in a run, and again only after a
    task changed something.
  - A no-op re-run of C(playbooks/site.yml) then reads what the roles share (the account, the network, the keys,
    the cluster) once instead of once per role.
  - What was read is kept in the run's own local temporary directory (C(ANSIBLE_LOCAL_TEMP)), which Ansible removes
    when the run ends. It holds names, ids and ARNs, never a secret value.
  - Applies to plays run with the linear strategy or one built on it (Mitogen's). Under another strategy, or without
    this callback, every discovery reads AWS.
requirements:
  - Enabled in C(callbacks_enabled) (the collection's C(ansible.cfg) enables it).
author:
  - Cloud Design Platform Team (@cloud-design)
"""

import os

import ansible.constants as C
from ansible.plugins.callback import CallbackBase

from ansible_collections.cloud_design.platform.plugins.plugin_utils import run_reads


class CallbackModule(CallbackBase):
    """Counts the run's writes for the discovery's reads (``plugin_utils/run_reads.py``)."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "cloud_design.platform.run_reads"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_start(self, playbook):
        run_reads.start(os.path.join(C.DEFAULT_LOCAL_TMP, "cloud_design_platform_reads"))

    def v2_playbook_on_play_start(self, play):
        run_reads.play(play.strategy or C.DEFAULT_STRATEGY)

    def _counted(self, result):
        if result.is_changed() or result.is_failed() or result.is_unreachable():
            run_reads.wrote()

    def v2_runner_on_ok(self, result):
        self._counted(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        run_reads.wrote()

    def v2_runner_on_unreachable(self, result):
        run_reads.wrote()

    def v2_runner_on_async_ok(self, result):
        self._counted(result)

    def v2_runner_on_async_failed(self, result):
        run_reads.wrote()
