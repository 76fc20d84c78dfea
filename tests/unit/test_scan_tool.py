"""make scan: every failed Prowler finding is held to its line in the register of docs/security.md."""

import csv
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))

import scan  # noqa: E402  pylint: disable=wrong-import-position,import-error

ACCOUNT = "123456789012"
COLUMNS = ["ACCOUNT_UID", "CHECK_ID", "STATUS", "STATUS_EXTENDED", "MUTED", "SEVERITY", "RESOURCE_UID", "RESOURCE_NAME", "RESOURCE_TAGS"]
REGISTER = """# Register
| check | resources | severity | why | what a user would do |
|---|---|---|---|---|
| `s3_bucket_kms_encryption` | `<prefix>-lb-logs-*` | medium | ELB writes only to SSE-S3 buckets. | None. |
| `ec2_networkacl_allow_ingress_any_port` | `<outside>` | high | The account's default VPC. | Delete it. |
| `config_recorder_all_regions_enabled` | `<account>` | medium | Account-wide. | The account baseline. |
| `vpc_endpoint_for_ec2_enabled` | `<prefix>-*` | medium | No EC2 calls. | None. |
| `ec2_securitygroup_not_used` | `<prefix>-vpc-endpoints` | low | Endpoint only. | None. |
"""


def write_csv(path, findings):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=";")
        out.writeheader()
        for check, status, severity, name, tags in findings:
            uid = ACCOUNT if name == ACCOUNT else "arn:aws:x:eu-west-1:%s:thing/%s" % (ACCOUNT, name)
            out.writerow({"ACCOUNT_UID": ACCOUNT, "CHECK_ID": check, "STATUS": status, "STATUS_EXTENDED": "%s on %s" % (check, name),
                          "MUTED": "False", "SEVERITY": severity, "RESOURCE_UID": uid, "RESOURCE_NAME": name, "RESOURCE_TAGS": tags})


PLATFORM = "Project=shop | Environment=prod | ManagedBy=cloud_design.platform"


def test_failures_are_explained_by_check_and_resource(tmp_path):
    register = tmp_path / "security.md"
    register.write_text(REGISTER)
    findings = tmp_path / "scan.csv"
    write_csv(findings, [
        ("s3_bucket_kms_encryption", "FAIL", "medium", "shop-prod-lb-logs-%s-eu-west-1" % ACCOUNT, PLATFORM),
        ("s3_bucket_kms_encryption", "FAIL", "medium", "shop-prod-trail-%s-eu-west-1" % ACCOUNT, PLATFORM),
        ("ec2_networkacl_allow_ingress_any_port", "FAIL", "high", "acl-0default", ""),
        ("ec2_networkacl_allow_ingress_any_port", "FAIL", "high", "acl-0platform", PLATFORM + " | Name=shop-prod-public"),
        ("config_recorder_all_regions_enabled", "FAIL", "medium", ACCOUNT, ""),
        ("s3_bucket_kms_encryption", "PASS", "medium", "shop-prod-data", PLATFORM),
        ("ec2_securitygroup_not_used", "FAIL", "low", "sg-0a", PLATFORM + " | Name=shop-prod-vpc-endpoints"),
        ("ec2_securitygroup_not_used", "FAIL", "low", "sg-0b", PLATFORM + " | Name=shop-prod-api"),
    ])
    unexplained, by_severity, unused = scan.compare(str(findings), "shop", "prod", path=str(register))
    assert [(f["check"], f["resource"]) for f in unexplained] == [
        ("s3_bucket_kms_encryption", "shop-prod-trail-%s-eu-west-1" % ACCOUNT),
        ("ec2_networkacl_allow_ingress_any_port", "acl-0platform"),
        ("ec2_securitygroup_not_used", "sg-0b")], "a row explains only the resources it names (by name, ARN or Name tag)"
    assert by_severity == {"medium": 3, "high": 2, "low": 2}
    assert unused == ["vpc_endpoint_for_ec2_enabled"], "a row no failure needs is reported"


def test_the_report_fails_on_an_unexplained_finding(tmp_path, monkeypatch, capsys):
    register = tmp_path / "security.md"
    register.write_text(REGISTER)
    monkeypatch.setattr(scan, "REGISTER", str(register))
    findings = tmp_path / "scan.csv"
    write_csv(findings, [("config_recorder_all_regions_enabled", "FAIL", "medium", ACCOUNT, "")])
    assert scan.report(str(findings), "shop", "prod") == 0
    write_csv(findings, [("iam_root_mfa_enabled", "FAIL", "critical", ACCOUNT, "")])
    assert scan.report(str(findings), "shop", "prod") == 1
    assert "iam_root_mfa_enabled" in capsys.readouterr().out


def test_the_project_register_is_read():
    rows = scan.register()
    keys = [(check, tuple(globs)) for check, globs, dummy in rows]
    assert len(rows) >= 10 and len(keys) == len(set(keys)), "one row per check and resources"
    assert all(severity in scan.SEVERITIES for dummy, dummy2, severity in rows)
    assert all(globs for dummy, globs, dummy2 in rows)


def test_prowler_trusts_only_the_regions_load_balancer_log_account(tmp_path, monkeypatch):
    """Prowler's own settings are kept; trusted_account_ids gets the one outside account AWS requires the log bucket to
    admit (the load_balancers role's table), and none in a region that uses the service principal instead."""
    import yaml  # pylint: disable=import-outside-toplevel
    config_dir = tmp_path / "venv" / "lib" / "python3.13" / "site-packages" / "prowler" / "config"
    config_dir.mkdir(parents=True)
    (config_dir / "config.yaml").write_text("aws:\n  trusted_account_ids: []\n  max_security_group_rules: 50\n")
    monkeypatch.setattr(scan, "SCAN_VENV", str(tmp_path / "venv"))
    for region, trusted in (("eu-west-1", ["156460612806"]), ("ap-southeast-5", [])):
        written = yaml.safe_load(open(scan.prowler_config(region, str(tmp_path)), encoding="utf-8"))
        assert written == {"aws": {"trusted_account_ids": trusted, "max_security_group_rules": 50}}
