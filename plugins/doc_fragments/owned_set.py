# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The options of a module that converges an exact set of resources under a name prefix
    (module_utils/platform.py, owned_set_spec)."""

    DOCUMENTATION = r"""
options:
  prefix:
    description:
      - Name prefix of the resources this set owns; each resource's name must start with it. An empty prefix is
        refused (every resource of the kind in the account would belong to the set).
    type: str
    required: true
  owner_tags:
    description:
      - Tags a resource must carry to be removed as not wanted; resources of another tool that share the prefix
        are left alone.
    type: dict
    default: {}
  state:
    description: C(absent) removes every resource of the set (I(prefix) and I(owner_tags)).
    type: str
    choices: [present, absent]
    default: present
"""
