"""acm_certificate against moto: self-signed, import, request with DNS validation, removal."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import acm_certificate as acm_mod

from ...conftest import ModuleFail

DOMAIN = "api.demo.example.test"


def args(**extra):
    return dict({"name": "demo-t-edge", "domain_name": DOMAIN, "source": "self_signed", "tags": {"Project": "demo"}}, **extra)


def certificates(aws):
    return aws("acm").list_certificates()["CertificateSummaryList"]


def test_self_signed_check_create_rerun(aws, run_module):
    result = run_module(acm_mod, args(), check=True, diff=True)
    assert result["changed"] is True and certificates(aws) == []
    assert result["diff"]["after"]["domain_name"] == DOMAIN
    made = run_module(acm_mod, args())
    assert made["changed"] is True
    arn = made["certificate"]["arn"]
    described = aws("acm").describe_certificate(CertificateArn=arn)["Certificate"]
    assert described["DomainName"] == DOMAIN and described["Type"] == "IMPORTED"
    tags = {t["Key"]: t["Value"] for t in aws("acm").list_tags_for_certificate(CertificateArn=arn)["Tags"]}
    assert tags == {"Name": "demo-t-edge", "Project": "demo", "cloud_design.platform:source": "self_signed"}
    again = run_module(acm_mod, args())
    assert again["changed"] is False and again["certificate"]["arn"] == arn
    assert "private_key" not in str(again)
    # A new name on the certificate: made again, into the same ARN (its users keep their reference).
    changed = run_module(acm_mod, args(subject_alternative_names=["www.demo.example.test"]))
    assert changed["changed"] is True and changed["certificate"]["arn"] == arn
    assert "www.demo.example.test" in aws("acm").describe_certificate(CertificateArn=arn)["Certificate"]["SubjectAlternativeNames"]
    assert len(certificates(aws)) == 1


def test_self_signed_renewed_when_expiring(aws, run_module):
    arn = run_module(acm_mod, args(validity_days=10))["certificate"]["arn"]
    assert run_module(acm_mod, args(validity_days=10, renew_before_days=5))["changed"] is False
    assert run_module(acm_mod, args(renew_before_days=30))["changed"] is True
    assert len(certificates(aws)) == 1 and certificates(aws)[0]["CertificateArn"] == arn


def test_import_compares_the_body_not_the_chain(aws, run_module):
    cert, key = acm_mod.self_signed(DOMAIN, [DOMAIN], 30)
    imported = args(source="import", certificate=cert.decode(), private_key=key.decode())
    arn = run_module(acm_mod, imported)["certificate"]["arn"]
    # moto appends its own CA to the chain; the body is what is compared.
    assert run_module(acm_mod, imported)["changed"] is False
    cert2, key2 = acm_mod.self_signed(DOMAIN, [DOMAIN], 30)
    result = run_module(acm_mod, args(source="import", certificate=cert2.decode(), private_key=key2.decode()), diff=True)
    assert result["changed"] is True and result["certificate"]["arn"] == arn
    assert acm_mod.pem_fingerprint(aws("acm").get_certificate(CertificateArn=arn)["Certificate"]) == acm_mod.pem_fingerprint(cert2.decode())
    assert key2.decode() not in str(result)


def test_import_bad_pem_and_source_switch(aws, run_module):
    with pytest.raises(ModuleFail, match="not valid PEM"):
        run_module(acm_mod, args(source="import", certificate="nonsense", private_key="nonsense"))
    run_module(acm_mod, args())
    cert, key = acm_mod.self_signed(DOMAIN, [DOMAIN], 30)
    with pytest.raises(ModuleFail, match="made by source=self_signed"):
        run_module(acm_mod, args(source="import", certificate=cert.decode(), private_key=key.decode()))


def test_request_writes_validation_records(aws, run_module):
    zone = aws("route53").create_hosted_zone(Name="demo.example.test", CallerReference="z")["HostedZone"]["Id"].split("/")[-1]
    result = run_module(acm_mod, args(source="request", hosted_zone_id=zone, wait=False))
    assert result["changed"] is True
    cert = result["certificate"]
    assert cert["type"] == "AMAZON_ISSUED" and cert["validation_records"]
    record = cert["validation_records"][0]
    sets = aws("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    assert any(s["Name"] == record["Name"] and s["ResourceRecords"][0]["Value"] == record["Value"] for s in sets)
    assert run_module(acm_mod, args(source="request", hosted_zone_id=zone, wait=False))["changed"] is False
    with pytest.raises(ModuleFail, match="cannot change"):
        run_module(acm_mod, args(source="request", subject_alternative_names=["x.demo.example.test"], wait=False))


def test_absent_and_ambiguous(aws, run_module):
    run_module(acm_mod, args())
    assert run_module(acm_mod, args(state="absent"), check=True)["changed"] is True
    assert len(certificates(aws)) == 1
    assert run_module(acm_mod, args(state="absent"))["changed"] is True
    assert certificates(aws) == []
    assert run_module(acm_mod, args(state="absent"))["changed"] is False
    cert, key = acm_mod.self_signed(DOMAIN, [DOMAIN], 30)
    for _attempt in range(2):
        aws("acm").import_certificate(Certificate=cert, PrivateKey=key, Tags=[{"Key": "Name", "Value": "demo-t-edge"}])
    with pytest.raises(ModuleFail, match="found 2 ACM certificates"):
        run_module(acm_mod, args())


def test_absent_waits_for_release_then_names_the_users(aws, run_module, monkeypatch):
    run_module(acm_mod, args())
    attempts = []
    monkeypatch.setattr(acm_mod.Certificates, "delete", lambda self, arn: attempts.append(arn) or len(attempts) >= 2)
    assert run_module(acm_mod, args(state="absent", wait_timeout=30))["changed"] is True
    assert len(attempts) == 2
    attempts.clear()
    monkeypatch.setattr(acm_mod.Certificates, "delete", lambda self, arn: False)

    def timed_out(*args, **kwargs):
        raise acm_mod.PlatformError("timed out")

    monkeypatch.setattr(acm_mod, "wait_for", timed_out)
    with pytest.raises(ModuleFail, match="is still used by"):
        run_module(acm_mod, args(state="absent", wait_timeout=1))


def test_a_lost_import_answer_imports_once(aws, run_module, lose_answers):
    """ImportCertificate carried out, its answer lost: the certificate is adopted by its Name tag, not imported twice."""
    lose_answers.update(import_certificate=1)
    made = run_module(acm_mod, args())
    assert lose_answers == {"import_certificate": 0}
    assert made["changed"] is True
    assert [c["CertificateArn"] for c in certificates(aws)] == [made["certificate"]["arn"]]
    assert run_module(acm_mod, args())["changed"] is False
