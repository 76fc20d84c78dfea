#!/usr/bin/env python
"""make scan: the industry's checks on a prod-like deployment, and every failure held to its line in docs/security.md.

Deploys playbooks/site.yml with the variables of the prod example inventory onto an endpoint of its own, runs Prowler's
AWS checks against it (the AWS Foundational Security Best Practices and CIS AWS Foundations frameworks among them) and
compares every failed finding with the register of docs/security.md ("Scanner findings"): a failure that no line of the
register explains is printed and the run exits 1. Prowler is installed into a virtual environment of its own
(.venv-scan, PROWLER_VERSION), apart from the project's tools; the first run installs it from PyPI.

    python tools/scan.py                 deploy, scan, compare (reports/scan/)
    python tools/scan.py --csv FILE      compare an earlier scan's CSV with the register (no deploy)
    python tools/scan.py --keep          leave the endpoint running after the scan (its URL is printed)

The register's rows name a Prowler check id and the resources it explains: globs of the resource's name, ARN or Name
tag (a resource AWS names by id), where <prefix> stands for <name>-<env> of the scanned environment; <account> for a
finding on the account itself; <outside> for a resource the platform did not make (not tagged with its Project and
Environment: the account's default VPC, ...). The tool reads nothing else from the document.
"""

import argparse
import csv
import fnmatch
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
import endpoint  # noqa: E402  pylint: disable=import-error,wrong-import-position

PROWLER_VERSION = "5.46.0"
SCAN_VENV = os.path.join(TOP, ".venv-scan")
REGISTER = os.path.join(TOP, "docs", "security.md")
REPORTS = os.path.join(TOP, "reports", "scan")
INVENTORY = os.path.join(TOP, "inventories", "prod", "group_vars", "all", "platform.yml")
# Prowler's frameworks whose compliance reports the scan writes beside its findings.
FRAMEWORKS = ["aws_foundational_security_best_practices_aws", "cis_3.0_aws"]
SEVERITIES = ["critical", "high", "medium", "low", "informational"]
ROW = re.compile(r"^\|\s*`(?P<check>[a-z0-9_]+)`\s*\|\s*(?P<resources>[^|]*)\|\s*(?P<severity>[a-z]+)\s*\|")


def register(path=None):
    """[(check id, [resource globs], severity)] of the register's "Scanner findings" table."""
    rows = []
    with open(path or REGISTER, encoding="utf-8") as handle:
        for line in handle:
            match = ROW.match(line)
            if match:
                globs = re.findall(r"`([^`]+)`", match.group("resources"))
                rows.append((match.group("check"), globs or ["*"], match.group("severity")))
    return rows


def failures(csv_path):
    """The failed findings of a Prowler CSV: [{check, severity, resource, uid, status}]."""
    out = []
    with open(csv_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if row["STATUS"] == "FAIL" and row.get("MUTED", "False") != "True":
                tags = dict(pair.strip().split("=", 1) for pair in (row.get("RESOURCE_TAGS") or "").split("|") if "=" in pair)
                out.append({"check": row["CHECK_ID"], "severity": row["SEVERITY"], "resource": row["RESOURCE_NAME"],
                            "uid": row["RESOURCE_UID"], "account": row["ACCOUNT_UID"], "tags": tags, "status": row["STATUS_EXTENDED"]})
    return out


def counts(csv_path):
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return {status: sum(1 for r in rows if r["STATUS"] == status) for status in ("PASS", "FAIL", "MANUAL")}


def matches(finding, pattern, name, env):
    """Whether a failed finding is one that a register row's resource pattern names."""
    prefix = "%s-%s" % (name, env)
    on_account = finding["resource"] in (finding["account"], "") or finding["uid"] in (finding["account"], "arn:aws:iam::%s:root" % finding["account"])
    if pattern == "<account>":
        return on_account
    if pattern == "<outside>":
        return not on_account and (finding["tags"].get("Project"), finding["tags"].get("Environment")) != (name, env)
    pattern = pattern.replace("<prefix>", prefix)
    # A resource AWS names by id (sg-..., vpc-...) is named by its Name tag.
    return any(fnmatch.fnmatchcase(value, pattern) for value in (finding["resource"], finding["uid"], finding["tags"].get("Name", "")) if value)


def explained(finding, rows, name, env):
    """The register row that explains a failed finding, or None."""
    for check, globs, dummy in rows:
        if check == finding["check"] and any(matches(finding, pattern, name, env) for pattern in globs):
            return check, globs
    return None


def compare(csv_path, name, env, path=None):
    """(unexplained failures, failures by severity, register rows no failure used)."""
    rows = register(path)
    found = failures(csv_path)
    unexplained, used = [], set()
    by_severity = {}
    for finding in found:
        by_severity[finding["severity"]] = by_severity.get(finding["severity"], 0) + 1
        row = explained(finding, rows, name, env)
        if row is None:
            unexplained.append(finding)
        else:
            used.add(row[0])
    unused = sorted({check for check, dummy, dummy2 in rows} - used)
    return unexplained, by_severity, unused


def ensure_prowler():
    prowler = os.path.join(SCAN_VENV, "bin", "prowler")
    stamp = os.path.join(SCAN_VENV, "prowler-%s" % PROWLER_VERSION)
    if os.path.isfile(stamp) and os.access(prowler, os.X_OK):
        return prowler
    print("Installing Prowler %s into %s (once; several minutes)..." % (PROWLER_VERSION, os.path.relpath(SCAN_VENV, TOP)), flush=True)
    subprocess.run([sys.executable, "-m", "venv", SCAN_VENV], check=True)
    subprocess.run([os.path.join(SCAN_VENV, "bin", "python"), "-m", "pip", "install", "-q", "prowler==%s" % PROWLER_VERSION], check=True)
    with open(stamp, "w", encoding="utf-8") as handle:
        handle.write(PROWLER_VERSION + "\n")
    return prowler


def inventory_vars():
    """The prod example's variables, and the account baseline as a production account has it: applied by site.yml (the
    local inventory's own setting) with the region's unused default VPC removed."""
    import yaml  # pylint: disable=import-outside-toplevel
    with open(INVENTORY, encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle), security_hardening_remove_default_vpc=True)


def deploy(port, extra):
    env = dict(os.environ, ENDPOINT_PORT=str(port), ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "playbooks/site.yml", "-i", "inventories/local",
           "-e", json.dumps(extra)]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=TOP, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.stdout.write(proc.stdout[-6000:] + proc.stderr[-3000:])
        raise SystemExit("the deployment failed (ansible-playbook exit %d); nothing was scanned" % proc.returncode)
    return time.monotonic() - started


def prowler_config(region, out):
    """Prowler's own configuration with one outside account trusted: the region's Elastic Load Balancing log-delivery
    account, which AWS requires the load-balancer log bucket to admit in the regions opened before August 2022 (Elastic
    Load Balancing User Guide, "Enable access logs for your Application Load Balancer"); its statement may only put
    objects under AWSLogs/<account>/. Prowler's trusted_account_ids is its setting for such accounts; no other is added."""
    import yaml  # pylint: disable=import-outside-toplevel
    [default] = glob.glob(os.path.join(SCAN_VENV, "lib", "python*", "site-packages", "prowler", "config", "config.yaml"))
    with open(default, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    with open(os.path.join(TOP, "roles", "load_balancers", "vars", "main.yml"), encoding="utf-8") as handle:
        elb_accounts = yaml.safe_load(handle)["__load_balancers_elb_accounts"]
    config["aws"]["trusted_account_ids"] = [elb_accounts[region]] if region in elb_accounts else []
    path = os.path.join(out, "prowler-config.yaml")
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    return path


def scan(prowler, port, region, out):
    env = dict(os.environ, AWS_ENDPOINT_URL=endpoint.url(port), AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION=region)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    cmd = [prowler, "aws", "--region", region, "--compliance"] + FRAMEWORKS + [
        "--output-formats", "csv", "json-ocsf", "--output-directory", out, "--output-filename", "scan", "--no-banner",
        "--ignore-exit-code-3", "--config-file", prowler_config(region, out)]
    started = time.monotonic()
    with open(os.path.join(out, "prowler.log"), "w", encoding="utf-8") as log:
        proc = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    if proc.returncode:
        raise SystemExit("Prowler exited %d; see %s" % (proc.returncode, os.path.join(out, "prowler.log")))
    return time.monotonic() - started


def report(csv_path, name, env):
    unexplained, by_severity, unused = compare(csv_path, name, env)
    total = counts(csv_path)
    print("Prowler %s: %d passed, %d failed, %d manual" % (PROWLER_VERSION, total["PASS"], total["FAIL"], total["MANUAL"]))
    print("failed by severity: %s" % ", ".join("%s %d" % (s, by_severity[s]) for s in SEVERITIES if s in by_severity))
    if unused:
        print("register lines no failure needed (passing now? remove them): %s" % ", ".join(unused))
    if unexplained:
        print("%d failed findings have no line in docs/security.md:" % len(unexplained))
        for finding in sorted(unexplained, key=lambda f: (SEVERITIES.index(f["severity"]), f["check"])):
            print("  %-8s %-60s %s: %s" % (finding["severity"], finding["check"], finding["resource"], finding["status"][:140]))
        return 1
    print("every failed finding has its line in docs/security.md")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--csv", help="compare this Prowler CSV with the register instead of deploying and scanning")
    parser.add_argument("--keep", action="store_true", help="leave the endpoint running after the scan")
    args = parser.parse_args(argv)
    extra = inventory_vars()
    name, env = extra["platform_name"], extra["platform_env"]
    prefix = "%s-%s" % (name, env)
    if args.csv:
        return report(args.csv, name, env)
    prowler = ensure_prowler()
    os.makedirs(REPORTS, exist_ok=True)
    for old in glob.glob(os.path.join(REPORTS, "*")):
        if os.path.isfile(old):
            os.remove(old)
    state = tempfile.mkdtemp(prefix="scan-endpoint-")
    port = endpoint.free_port()
    endpoint.start(port, state)
    try:
        deployed = deploy(port, extra)
        scanned = scan(prowler, port, extra["platform_region"], REPORTS)
        print("deployed %s in %.0f s, scanned in %.0f s; findings in %s" % (prefix, deployed, scanned, os.path.relpath(REPORTS, TOP)))
        return report(os.path.join(REPORTS, "scan.csv"), name, env)
    finally:
        if args.keep:
            print("the endpoint keeps running at %s (state in %s)" % (endpoint.url(port), state))
        else:
            endpoint.stop(port, state)


if __name__ == "__main__":
    sys.exit(main())
