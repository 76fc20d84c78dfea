# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit of playbooks/verify.yml: the live platform (what platform_info found) against the design.

Pure data in, findings out, so every rule is unit-tested without AWS. A finding is
``{check, subject, status, detail, fix}`` with status ``pass``, ``fail`` or ``skipped``.
"""

from __future__ import annotations

from ansible_collections.cloud_design.platform.plugins.module_utils.observability import observability_plan

CHECKS = ("platform", "service_desired", "service_running", "target_health", "edge_tls", "encryption", "inspector2",
          "flow_logs", "cloudtrail", "alarms", "open_to_world", "drift")

DEFAULT_EXPECT = {
    "skip": [],
    "internal_tls": False,
    "domain": "",
    "flow_logs": True,
    "cloudtrail": True,
    "inspector2": True,
    "inspector2_resources": ["ECR", "EC2"],
    "observability": True,
}

# The roles whose services the shared workload tasks deploy (a drift there names the workload role).
SERVICE_ROLES = "rabbitmq,service_inventory,service_billing,api_gateway"
EDGE_PORTS = (80, 443)


def key_id(ref, kms):
    """The key id behind a KMS reference (key id, key ARN, alias name or alias ARN); None when not a known form."""
    if not ref:
        return None
    if ":key/" in ref:
        return ref.rsplit(":key/", 1)[1]
    alias = ref.split(":", 5)[-1] if ref.startswith("arn:") else ref
    if alias.startswith("alias/"):
        for entry in kms.values():
            if entry.get("alias") == alias:
                return entry.get("key_id")
        return alias
    return ref


def _finding(check, subject, ok, detail, fix=""):
    return {"check": check, "subject": subject, "status": "pass" if ok else "fail", "detail": detail, "fix": "" if ok else fix}


class Audit:
    def __init__(self, found, expect):
        self.found = found
        self.expect = dict(DEFAULT_EXPECT, **(expect or {}))
        self.names = found.get("names") or {}
        self.prefix = self.names.get("prefix", "")
        self.kms = found.get("kms") or {}
        self.findings = []

    def add(self, check, subject, ok, detail, fix=""):
        self.findings.append(_finding(check, subject, ok, detail, fix))

    def keyed(self, check, subject, ref, purpose, fix):
        """A resource encrypted with the platform's key for purpose."""
        want = (self.kms.get(purpose) or {}).get("key_id")
        have = key_id(ref, self.kms)
        if not want:
            self.add(check, subject, False, "the platform has no %s key (alias %s%s)" % (purpose, self.names.get("kms_alias_prefix", ""), purpose),
                     "run the security_hardening role (--tags security_hardening)")
        elif have == want:
            self.add(check, subject, True, "encrypted with the platform's %s key" % purpose)
        else:
            self.add(check, subject, False, "encrypted with %s, not the platform's %s key" % (have or "no customer managed key", purpose), fix)

    # -- the checks -----------------------------------------------------------

    def platform(self):
        vpc = (self.found.get("network") or {}).get("vpc") or {}
        cluster = (self.found.get("ecs") or {}).get("cluster") or {}
        ok = bool(vpc) and bool(cluster)
        self.add("platform", self.prefix, ok,
                 "VPC %s, cluster %s" % (vpc.get("id", "missing"), cluster.get("name", "missing")),
                 "deploy it: ansible-playbook playbooks/site.yml (or check platform_name, platform_env and the region)")
        return ok

    def services(self):
        for name, svc in sorted((self.found.get("workloads") or {}).items()):
            desired, running = svc.get("desired_count") or 0, svc.get("running_count") or 0
            self.add("service_desired", name, desired >= 1, "desired count %d" % desired,
                     "the service is scaled to zero: run its role (ansible-playbook playbooks/site.yml --tags <role>) "
                     "or update the service's desired count")
            self.add("service_running", name, running == desired and desired >= 1, "running %d of %d desired" % (running, desired),
                     "look at the service's events and stopped tasks (aws ecs describe-services, the log group of the service)")

    def target_health(self):
        for name, health in sorted(((self.found.get("audit") or {}).get("target_health") or {}).items()):
            total, healthy = health.get("total", 0), health.get("healthy", 0)
            states = ", ".join("%s %d" % kv for kv in sorted((health.get("states") or {}).items())) or "none registered"
            self.add("target_health", name, total > 0 and healthy == total, "%d of %d targets healthy (%s)" % (healthy, total, states),
                     "the service behind it has no healthy task: look at its health check and its tasks")

    def edge_tls(self):
        edge = self.found.get("edge") or {}
        for name, lb in sorted((edge.get("load_balancers") or {}).items()):
            listeners = lb.get("listeners") or {}
            if lb.get("scheme") == "internet-facing":
                plain = sorted(p for p, li in listeners.items() if li.get("protocol") not in ("HTTPS", "TLS") and str(p) != "80")
                self.add("edge_tls", name, not plain and any(li.get("protocol") in ("HTTPS", "TLS") for li in listeners.values()),
                         "internet-facing listeners: %s" % ", ".join("%s %s" % (p, li.get("protocol")) for p, li in sorted(listeners.items())),
                         "an internet-facing load balancer serves HTTPS only (port 80 only redirects): run --tags load_balancers")
            elif self.expect["internal_tls"]:
                self.add("edge_tls", name, any(li.get("protocol") == "TLS" for li in listeners.values()),
                         "listeners: %s" % ", ".join("%s %s" % (p, li.get("protocol")) for p, li in sorted(listeners.items())),
                         "load_balancers_tls_enabled is true: run --tags load_balancers")
        api = edge.get("http_api") or {}
        if api:
            self.add("edge_tls", "HTTP API %s" % api.get("id"), str(api.get("endpoint", "")).startswith("https://"),
                     "endpoint %s" % api.get("endpoint"), "the HTTP API's endpoint must be HTTPS")
            for domain, conf in sorted((api.get("domains") or {}).items()):
                self.add("edge_tls", domain, conf.get("security_policy") == "TLS_1_2", "security policy %s" % conf.get("security_policy"),
                         "the custom domain must require TLS 1.2: run --tags api_gateway")
        if self.expect["domain"]:
            cert = edge.get("certificate") or {}
            self.add("edge_tls", "certificate %s" % self.expect["domain"], cert.get("status") == "ISSUED",
                     "status %s" % cert.get("status", "missing"),
                     "the edge certificate is not issued: check its DNS validation records (--tags security_hardening)")

    def encryption(self):
        for ident, db in sorted((self.found.get("databases") or {}).items()):
            if not db.get("encrypted"):
                self.add("encryption", "Aurora %s" % ident, False, "storage not encrypted",
                         "migrate it: ansible-playbook playbooks/migrate_aurora_kms.yml (README, Aurora migration)")
            else:
                self.keyed("encryption", "Aurora %s" % ident, db.get("kms_key_id"), "data",
                           "the key of a cluster is fixed at creation: migrate it (playbooks/migrate_aurora_kms.yml)")
        for name, secret in sorted((self.found.get("secrets") or {}).items()):
            self.keyed("encryption", "secret %s" % name, secret.get("kms_key_id"), "secrets", "run the role that owns the secret")
        for token, fs in sorted((self.found.get("storage") or {}).items()):
            if not fs.get("encrypted"):
                self.add("encryption", "EFS %s" % token, False, "not encrypted", "an EFS file system is encrypted at creation only: recreate it")
            else:
                self.keyed("encryption", "EFS %s" % token, fs.get("kms_key_id"), "data", "an EFS key is fixed at creation: recreate it")
        for name, group in sorted((self.found.get("logs") or {}).items()):
            fix = ("run the database's role, --tags service_inventory or service_billing (it makes the export's group with the key)"
                   if name.startswith("/aws/rds/") else "run --tags observability (it keys every log group)")
            self.keyed("encryption", "log group %s" % name, group.get("kms_key_id"), "logs", fix)
        audit = self.found.get("audit") or {}
        for name, enc in sorted((audit.get("ecr_encryption") or {}).items()):
            if enc.get("type") != "KMS":
                self.add("encryption", "ECR %s" % name, False, "encryption %s" % enc.get("type"),
                         "ECR encryption is fixed at creation: recreate the repository (it holds images: push them again)")
            else:
                self.keyed("encryption", "ECR %s" % name, enc.get("kms_key"), "data", "ECR encryption is fixed at creation")
        topic = (self.found.get("observability") or {}).get("topic") or {}
        if topic:
            self.keyed("encryption", "SNS %s" % topic["arn"].rsplit(":", 1)[-1], topic.get("kms_key_id"), "logs", "run --tags observability")
        bucket_enc = audit.get("trail_bucket_encryption") or {}
        trail = (self.found.get("observability") or {}).get("trail") or {}
        if trail:
            if bucket_enc.get("algorithm") != "aws:kms":
                self.add("encryption", "S3 %s" % trail.get("bucket"), False, "default encryption %s" % bucket_enc.get("algorithm"),
                         "run --tags observability")
            else:
                self.keyed("encryption", "S3 %s" % trail.get("bucket"), bucket_enc.get("kms_key"), "logs", "run --tags observability")

    def inspector2(self):
        if not self.expect["inspector2"]:
            return
        status = (self.found.get("audit") or {}).get("inspector2") or {}
        resources = status.get("resources") or {}
        off = [t for t in self.expect["inspector2_resources"] if resources.get(t) != "ENABLED"]
        self.add("inspector2", "account", status.get("account") == "ENABLED" and not off,
                 "account %s; %s" % (status.get("account"), ", ".join("%s %s" % (t, resources.get(t)) for t in self.expect["inspector2_resources"])),
                 "run --tags security_hardening (or ask the organisation's Inspector2 delegated administrator)")

    def flow_logs(self):
        if not self.expect["flow_logs"]:
            return
        network = self.found.get("network") or {}
        active = [f for f in network.get("flow_logs") or [] if f.get("status") in (None, "ACTIVE")]
        self.add("flow_logs", (network.get("vpc") or {}).get("id", "VPC"), bool(active),
                 ", ".join("%s to %s (%s)" % (f["id"], f.get("log_group_name"), f.get("traffic_type")) for f in active) or "no active flow log",
                 "run --tags network")

    def cloudtrail(self):
        if not self.expect["cloudtrail"]:
            return
        trail = (self.found.get("observability") or {}).get("trail") or {}
        ok = bool(trail) and trail.get("logging") and trail.get("multi_region") and trail.get("log_file_validation")
        self.add("cloudtrail", trail.get("name", "%s-trail" % self.prefix), bool(ok),
                 "logging %s, multi-region %s, log file validation %s" % (trail.get("logging"), trail.get("multi_region"), trail.get("log_file_validation"))
                 if trail else "no trail", "run --tags observability")

    def alarms(self):
        if not self.expect["observability"]:
            return
        cluster = ((self.found.get("ecs") or {}).get("cluster") or {}).get("name") or self.names.get("cluster")
        plan = observability_plan(self.found, self.prefix, cluster, {}, self.expect["cloudtrail"], self.expect.get("trail_log_group"))
        want = sorted(a["name"] for a in plan["alarms"])
        have = set((self.found.get("observability") or {}).get("alarms") or [])
        missing = [n for n in want if n not in have]
        self.add("alarms", "%d alarms" % len(want), not missing,
                 "missing: %s" % ", ".join(missing) if missing else "every expected alarm is present",
                 "run --tags observability")

    def open_to_world(self):
        edge = self.found.get("edge") or {}
        public = set(g for lb in (edge.get("load_balancers") or {}).values() if lb.get("scheme") == "internet-facing"
                     for g in lb.get("security_groups") or [])
        for rule in (self.found.get("audit") or {}).get("open_ingress") or []:
            ports = (rule.get("from_port"), rule.get("to_port"))
            edge_rule = rule["group_id"] in public and ports[0] == ports[1] and ports[0] in EDGE_PORTS
            span = "all ports" if rule.get("protocol") == "-1" else "%s %s" % (rule.get("protocol"), ports[0] if ports[0] == ports[1] else "%s-%s" % ports)
            self.add("open_to_world", "%s (%s)" % (rule["group_name"], rule["group_id"]), edge_rule,
                     "%s open to %s%s" % (span, rule["cidr"], " (the public edge)" if edge_rule else ""),
                     "remove the rule (aws ec2 revoke-security-group-ingress) and run the role that owns the group; "
                     "only the public ALB takes traffic from the internet")
        if not any(f["check"] == "open_to_world" for f in self.findings):
            self.add("open_to_world", "security groups", True, "no group open to the world")

    def drift(self, changes):
        if changes is None:
            return
        for change in changes:
            role = change.get("role", "")
            tags = SERVICE_ROLES if role == "workload" else role
            self.add("drift", role, False, "%s%s" % (change.get("task"), (": " + change["detail"]) if change.get("detail") else ""),
                     "a converge would change this: ansible-playbook playbooks/site.yml --tags %s" % tags)
        if not changes:
            self.add("drift", "site.yml", True, "a converge would change nothing (check mode)")


def platform_audit(found, expect=None, drift=None):
    """Findings, in the order of CHECKS; checks named in expect['skip'] are reported as skipped."""
    audit = Audit(found, expect)
    if audit.platform():
        audit.services()
        audit.target_health()
        audit.edge_tls()
        audit.encryption()
        audit.inspector2()
        audit.flow_logs()
        audit.cloudtrail()
        audit.alarms()
        audit.open_to_world()
    audit.drift(drift)
    skip = set(audit.expect["skip"] or [])
    out = []
    for finding in audit.findings:
        if finding["check"] in skip:
            finding = dict(finding, status="skipped", fix="", detail=finding["detail"] + " (not checked: verify_skip)")
        out.append(finding)
    order = {c: i for i, c in enumerate(CHECKS)}
    return sorted(out, key=lambda f: order.get(f["check"], len(order)))


def finding_line(finding):
    """One line per finding, for a failure message."""
    line = "%s %s: %s" % (finding["check"], finding["subject"], finding["detail"])
    return line + (". Fix: %s" % finding["fix"] if finding.get("fix") else "")


def _empty(value):
    return value in (None, "", {}, []) or (isinstance(value, dict) and value.get("state") == "absent")


def change_kind(result):
    """create, change or remove, from a changed task result's diff (before/after) or its changes list."""
    diffs = result.get("diff")
    diffs = diffs if isinstance(diffs, list) else [diffs] if diffs else []
    befores = [d.get("before") for d in diffs if isinstance(d, dict)]
    afters = [d.get("after") for d in diffs if isinstance(d, dict)]
    if befores and all(_empty(b) for b in befores) and not all(_empty(a) for a in afters):
        return "create"
    if afters and all(_empty(a) for a in afters) and not all(_empty(b) for b in befores):
        return "remove"
    if diffs:
        return "change"
    text = " ".join(str(c) for c in result.get("changes") or []).lower()
    if text.startswith(("create", "would create")):
        return "create"
    if text.startswith(("delete", "remove", "would delete", "would remove")):
        return "remove"
    return "change"


def change_details(result):
    """What the module says would differ, in a few words."""
    changes = result.get("changes")
    if isinstance(changes, list) and changes:
        return "; ".join(str(c) for c in changes[:6]) + (" (+%d more)" % (len(changes) - 6) if len(changes) > 6 else "")
    return str(changes) if changes else ""


def check_run_changes(data):
    """What a check-mode run (ansible.posix.json callback) would change, in task order:
    [{role, task, item, kind, detail}]; tools/plan.py (make plan) and verify.yml read it."""
    out = []
    for play in data.get("plays", []):
        for task in play.get("tasks", []):
            name = task["task"]["name"]
            role, _sep, short = name.rpartition(" : ")
            role = role.rsplit(".", 1)[-1] or "(playbook)"
            for host in task.get("hosts", {}).values():
                for result in host.get("results") or [host]:
                    if not result.get("changed"):
                        continue
                    item = (result.get("_ansible_item_label") or result.get("item")) if "results" in host else None
                    out.append({"role": role, "task": short or name, "item": item, "kind": change_kind(result),
                                "detail": change_details(result)})
    return out
