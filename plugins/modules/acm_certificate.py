#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: acm_certificate
short_description: One ACM certificate for a name, requested with DNS validation, imported, or self-signed
version_added: 0.3.0
description:
  - Converges the ACM certificate the platform's edge uses, found by its C(Name) tag, in one of three ways.
  - C(request) asks ACM for a certificate with DNS validation; with I(hosted_zone_id) the validation
    records are written to that Route53 zone and, with I(wait), the module waits until ACM issues it.
  - C(import) imports a certificate and key given as PEM text; a re-run compares the certificate body
    with what ACM holds (not the chain, which ACM may extend) and re-imports into the same ARN only
    when it differs, so listeners and custom domains keep their reference.
  - C(self_signed) generates a key and a self-signed certificate inside the module and imports them;
    it is made again only when the names change or it expires within I(renew_before_days). The key
    never leaves the module. For test and demo environments, not for clients that verify the chain.
  - The stock M(community.aws.acm_certificate) re-imports on every run where ACM returns a longer chain,
    and cannot request certificates.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Value of the certificate's C(Name) tag, which identifies it.
    type: str
    required: true
  domain_name:
    description: The certificate's main name, e.g. C(api.example.com). Required with I(state=present).
    type: str
  subject_alternative_names:
    description: Further names on the certificate.
    type: list
    elements: str
    default: []
  source:
    description: Where the certificate comes from.
    type: str
    choices: [request, import, self_signed]
    default: request
  certificate:
    description: With I(source=import), the certificate in PEM.
    type: str
  private_key:
    description: With I(source=import), its private key in PEM (never logged or returned).
    type: str
  certificate_chain:
    description: With I(source=import), the intermediate certificates in PEM.
    type: str
  hosted_zone_id:
    description: With I(source=request), the public Route53 zone that receives the DNS validation records.
    type: str
  wait:
    description: With I(source=request), wait until ACM issues the certificate.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for issuance, or for ACM to release a certificate being deleted.
    type: int
    default: 900
  validity_days:
    description: With I(source=self_signed), days the generated certificate is valid.
    type: int
    default: 365
  renew_before_days:
    description: With I(source=self_signed), make a new certificate when the current one expires within this many days.
    type: int
    default: 30
  state:
    description: Whether the certificate should exist. Deleting one still in use fails and names its users.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
requirements:
  - cryptography (for I(source=self_signed) and I(source=import))
notes:
  - A requested certificate's names cannot change in place. Give a new I(name), move the users to it,
    then remove the old one.
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change.
  diff_mode:
    support: full
    description: Shows the certificate's names, source and expiry before and after.
"""

EXAMPLES = r"""
- name: Certificate of the edge, validated in the public zone
  cloud_design.platform.acm_certificate:
    name: shop-prod-edge
    domain_name: api.shop.example.com
    source: request
    hosted_zone_id: Z0123456789ABCDEFGHIJ
    tags:
      Project: shop

- name: Certificate from files
  cloud_design.platform.acm_certificate:
    name: shop-prod-edge
    domain_name: api.shop.example.com
    source: import
    certificate: "{{ lookup('ansible.builtin.file', 'edge.crt') }}"
    private_key: "{{ lookup('ansible.builtin.file', 'edge.key') }}"
  no_log: true
"""

RETURN = r"""
certificate:
  description: The certificate; empty when absent.
  returned: always
  type: dict
  sample:
    arn: arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d
    domain_name: api.shop.example.com
    subject_alternative_names: [api.shop.example.com]
    status: ISSUED
    type: IMPORTED
    not_after: "2027-11-23T20:18:13+00:00"
    validation_records: []
"""

import datetime
import hashlib

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.certificates import certificates_named
from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    PlatformModule,
    apply_tags,
    client_token,
    create_once,
    dict_to_tag_list,
    pick_one,
    wait_for,
)

SOURCE_TAG = "cloud_design.platform:source"


def pem_fingerprint(pem):
    """SHA-256 of the first certificate's DER form: PEM whitespace and chains do not matter."""
    cert = x509.load_pem_x509_certificate(pem.strip().encode("ascii"))
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def self_signed(domain_name, sans, days):
    """A new RSA 2048 key and a self-signed certificate for the names, both PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain_name[:64])])
    now = datetime.datetime.now(datetime.timezone.utc)
    names = [x509.DNSName(n) for n in [domain_name] + [s for s in sans if s != domain_name]]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class Certificates(Plan):
    def __init__(self, module):
        super().__init__(module)
        self.acm = module.client("acm")
        self.acm_once = module.client("acm", retries=False)  # a first import goes through create_once()

    def find(self):
        """The certificate tagged Name=<name> (adopt one, refuse several)."""
        return pick_one(self.candidates(), "ACM certificates tagged Name=%s" % self.params["name"], ident=lambda c: c[0])

    def candidates(self):
        # Converging, only certificates for the name are candidates (no tag call for the rest of the
        # account); removing, any certificate with the Name tag goes, whatever name it was made for.
        domain = self.params["domain_name"] if self.params["state"] == "present" else None
        return certificates_named(self.acm, self.params["name"], domain)

    def describe(self, arn, tags):
        cert = self.acm.describe_certificate(CertificateArn=arn)["Certificate"]
        not_after = cert.get("NotAfter")
        records = [
            o["ResourceRecord"] for o in cert.get("DomainValidationOptions") or [] if o.get("ResourceRecord")
        ]
        return {
            "arn": arn,
            "domain_name": cert.get("DomainName"),
            "subject_alternative_names": sorted(cert.get("SubjectAlternativeNames") or []),
            "status": cert.get("Status"),
            "type": cert.get("Type"),
            "not_after": not_after.isoformat() if not_after else None,
            "in_use_by": cert.get("InUseBy") or [],
            "validation_records": records,
            "tags": tags,
            "_not_after": not_after,
        }

    def wanted_names(self):
        return sorted(set([self.params["domain_name"]] + list(self.params["subject_alternative_names"])))

    def absent(self):
        found = self.find()
        if not found:
            return False, {}, {}
        before = self.describe(*found)
        if not self.check:
            # ACM clears InUseBy some minutes after a load balancer or domain lets the certificate go:
            # a delete refused as in use is tried again for a while before the run stops.
            try:
                wait_for(lambda: self.delete(found[0]), lambda done: done, timeout=self.params["wait_timeout"],
                         delay=5, max_delay=30, what="ACM to release certificate %s" % found[0])
            except PlatformError:
                raise PlatformError(
                    "certificate %s (%s) is still used by %s: remove those users first (destroy the roles after "
                    "security_hardening), then run again" % (self.params["name"], found[0],
                                                             ", ".join(self.describe(*found)["in_use_by"]) or "another resource"))
        return True, before, {}

    def delete(self, arn):
        try:
            self.acm.delete_certificate(CertificateArn=arn)
        except is_boto3_error_code("ResourceInUseException"):
            return False
        return True

    def present(self):
        params = self.params
        found = self.find()
        before = self.describe(*found) if found else {}
        source = params["source"]
        if before and before["tags"].get(SOURCE_TAG, source) != source:
            raise PlatformError(
                "certificate %s was made by source=%s, not %s: give a new name for the new source, move its users, "
                "then remove the old one" % (params["name"], before["tags"].get(SOURCE_TAG), source)
            )
        tags = dict(params.get("tags") or {}, Name=params["name"], **{SOURCE_TAG: source})
        if source == "request":
            changed, after = self.requested(before, tags)
        else:
            changed, after = self.imported(before, tags)
        if after.get("arn") and before:
            tag_changed, after["tags"] = apply_tags(
                self.check, before["tags"], tags, params["purge_tags"],
                lambda t: self.acm.add_tags_to_certificate(CertificateArn=before["arn"], Tags=dict_to_tag_list(t)),
                lambda k: self.acm.remove_tags_from_certificate(CertificateArn=before["arn"], Tags=[{"Key": x} for x in k]),
            )
            changed = changed or tag_changed
        return changed, before, after

    def requested(self, before, tags):
        params = self.params
        if before:
            if sorted(before["subject_alternative_names"] or [before["domain_name"]]) != self.wanted_names():
                raise PlatformError(
                    "certificate %s covers %s, not %s: a requested certificate's names cannot change; give a new "
                    "name (e.g. %s-2), move its users, then remove the old one"
                    % (params["name"], ", ".join(before["subject_alternative_names"]), ", ".join(self.wanted_names()), params["name"])
                )
            after = dict(before)
            changed = False
        else:
            changed = True
            if self.check:
                return True, {"domain_name": params["domain_name"], "subject_alternative_names": self.wanted_names(),
                              "status": "PENDING_VALIDATION", "type": "AMAZON_ISSUED", "tags": tags}
            arn = self.acm.request_certificate(
                DomainName=params["domain_name"], ValidationMethod="DNS",
                SubjectAlternativeNames=self.wanted_names(),
                IdempotencyToken=client_token(params["name"], params["domain_name"], length=32),
                Tags=dict_to_tag_list(tags),
                Options={"CertificateTransparencyLoggingPreference": "ENABLED"},
            )["CertificateArn"]
            after = wait_for(lambda: self.describe(arn, tags), lambda c: c["validation_records"] or c["status"] == "ISSUED",
                             timeout=120, what="the validation records of %s" % arn)
        if params.get("hosted_zone_id") and after["status"] == "PENDING_VALIDATION":
            changed = self.validation_records(after["validation_records"]) or changed
            if params["wait"] and not self.check:
                after = wait_for(lambda: self.describe(after["arn"], tags), lambda c: c["status"] != "PENDING_VALIDATION",
                                 timeout=params["wait_timeout"], delay=10, max_delay=30,
                                 what="ACM to validate %s through zone %s" % (params["domain_name"], params["hosted_zone_id"]))
                if after["status"] != "ISSUED":
                    raise PlatformError("ACM did not issue %s: status %s" % (after["arn"], after["status"]))
        return changed, after

    def validation_records(self, records):
        """UPSERT the CNAMEs ACM asks for, only those missing or different."""
        route53 = self.module.client("route53")
        changes = []
        for record in {(r["Name"], r["Type"], r["Value"]) for r in records}:
            existing = route53.list_resource_record_sets(
                HostedZoneId=self.params["hosted_zone_id"], StartRecordName=record[0],
                StartRecordType=record[1], MaxItems="1").get("ResourceRecordSets", [])
            if existing and existing[0]["Name"] == record[0] and [v["Value"] for v in existing[0].get("ResourceRecords", [])] == [record[2]]:
                continue
            changes.append({"Action": "UPSERT", "ResourceRecordSet": {
                "Name": record[0], "Type": record[1], "TTL": 300, "ResourceRecords": [{"Value": record[2]}]}})
        if changes and not self.check:
            route53.change_resource_record_sets(HostedZoneId=self.params["hosted_zone_id"],
                                                ChangeBatch={"Comment": "ACM validation of %s" % self.params["name"], "Changes": changes})
        return bool(changes)

    def imported(self, before, tags):
        params = self.params
        material = None
        if params["source"] == "import":
            wanted_fp = pem_fingerprint(params["certificate"])
            current_fp = None
            if before:
                current_fp = pem_fingerprint(self.acm.get_certificate(CertificateArn=before["arn"])["Certificate"])
            if current_fp == wanted_fp:
                return False, dict(before)
            material = (params["certificate"].encode("ascii"), params["private_key"].encode("ascii"),
                        (params.get("certificate_chain") or "").encode("ascii") or None)
        else:
            fresh = before and sorted(before["subject_alternative_names"] or [before["domain_name"]]) == self.wanted_names() \
                and before["domain_name"] == params["domain_name"] and before["_not_after"] is not None \
                and before["_not_after"] - datetime.datetime.now(datetime.timezone.utc) > datetime.timedelta(days=params["renew_before_days"])
            if fresh:
                return False, dict(before)
            if not self.check:
                cert, key = self_signed(params["domain_name"], self.wanted_names(), params["validity_days"])
                material = (cert, key, None)
        if self.check:
            return True, {"arn": before.get("arn"), "domain_name": params["domain_name"],
                          "subject_alternative_names": self.wanted_names(), "status": "ISSUED", "type": "IMPORTED", "tags": tags}
        kwargs = {"Certificate": material[0], "PrivateKey": material[1]}
        if material[2]:
            kwargs["CertificateChain"] = material[2]
        if before:
            kwargs["CertificateArn"] = before["arn"]
        else:
            kwargs["Tags"] = dict_to_tag_list(tags)
        if before:
            arn = self.acm.import_certificate(**kwargs)["CertificateArn"]
        else:
            # A first import takes no idempotency token: tagged at import, looked up before any retry.
            made, adopted = create_once(lambda: self.acm_once.import_certificate(**kwargs), self.candidates,
                                        "ACM certificates tagged Name=%s" % params["name"])
            arn = made[0] if adopted else made["CertificateArn"]
        return True, self.describe(arn, tags if not before else before["tags"])


def public(cert):
    return {k: v for k, v in cert.items() if not k.startswith("_")}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        domain_name=dict(type="str"),
        subject_alternative_names=dict(type="list", elements="str", default=[]),
        source=dict(type="str", default="request", choices=["request", "import", "self_signed"]),
        certificate=dict(type="str"),
        private_key=dict(type="str", no_log=True),
        certificate_chain=dict(type="str"),
        hosted_zone_id=dict(type="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        validity_days=dict(type="int", default=365),
        renew_before_days=dict(type="int", default=30),
    )
    module = PlatformModule(
        argument_spec=argument_spec, tags=True, state=True,
        required_if=[["source", "import", ["certificate", "private_key"]], ["state", "present", ["domain_name"]]],
    )
    if module.params["state"] == "present" and module.params["source"] != "request" and not HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"))
    certs = Certificates(module)

    def converge():
        try:
            changed, before, after = certs.absent() if module.params["state"] == "absent" else certs.present()
        except ValueError as exc:
            raise PlatformError("certificate is not valid PEM: %s" % exc) from exc
        keep = ("domain_name", "subject_alternative_names", "status", "type", "not_after", "tags")
        return (None, {k: before.get(k) for k in keep} if before else {}, {k: after.get(k) for k in keep} if after else {},
                {"changed": changed, "certificate": public(after)})

    module.exit_converged(converge, "Failed to manage ACM certificate %s" % module.params["name"])


if __name__ == "__main__":
    main()
