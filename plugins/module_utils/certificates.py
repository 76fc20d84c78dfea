# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding the platform's ACM certificates through ACM itself.

The Resource Groups Tagging API is fed asynchronously and lags behind new certificates and tags, so a
certificate made a moment ago by the security_hardening role would not be found by the next role
through it. ACM's own ListCertificates and ListTagsForCertificate are read instead.
"""

from __future__ import annotations

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import tag_list_to_dict

# Every key type, not only RSA 2048 (the default filter of ListCertificates).
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


def certificates_named(acm, name, domain_name=None):
    """[(arn, tags)] of the certificates tagged Name=<name>; with domain_name, only certificates for that
    domain have their tags read (one call each), so the rest of the account costs nothing."""
    found = []
    summaries = acm.get_paginator("list_certificates").paginate(
        Includes={"keyTypes": KEY_TYPES}).build_full_result().get("CertificateSummaryList", [])
    for summary in summaries:
        if domain_name and summary.get("DomainName") != domain_name:
            continue
        tags = tag_list_to_dict(
            acm.list_tags_for_certificate(CertificateArn=summary["CertificateArn"]).get("Tags"))
        if tags.get("Name") == name:
            found.append((summary["CertificateArn"], tags))
    return found
