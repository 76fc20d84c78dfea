# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployed architecture as a graph, from what platform_info found (with its audit family).

Nodes are what exists (services, load balancers, databases, the HTTP API, keys, the trail);
traffic edges come from the live configuration (target groups of the services, the HTTP API's
VPC link to the gateway's load balancer, the internet to public listeners); security boundaries
are the security group rules between the groups of those nodes. Rendered as Graphviz DOT (for
dot to lay out) and as Mermaid (for the README).
"""

from __future__ import annotations

import re


def _id(text):
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _short(name, prefix):
    return name[len(prefix) + 1:] if prefix and name.startswith(prefix + "-") else name


def _key_purpose(ref, kms):
    if not ref:
        return None
    for purpose, entry in kms.items():
        if entry.get("key_id") and entry["key_id"] in ref or entry.get("alias") and entry["alias"] in ref:
            return purpose
    return "other key"


def platform_graph(found):
    """{groups, nodes, edges}: groups {id: {label, parent}}, nodes {id: {label, group, shape}},
    edges [{from, to, label, kind}] with kind traffic or allowed (a security group rule)."""
    names = found.get("names") or {}
    prefix = names.get("prefix", "")
    kms = found.get("kms") or {}
    network = found.get("network") or {}
    edge = found.get("edge") or {}
    audit = found.get("audit") or {}
    obs = found.get("observability") or {}
    groups, nodes, edges = {}, {}, []
    owner = {}  # security group id -> node id

    account = found.get("account") or {}
    groups["aws"] = {"label": "AWS account %s, %s" % (account.get("account_id", "?"), account.get("region", "?")), "parent": None}
    vpc = network.get("vpc") or {}
    groups["vpc"] = {"label": "VPC %s %s (flow logs: %s)" % (vpc.get("id", "-"), vpc.get("cidr", ""), "on" if network.get("flow_logs") else "off"),
                     "parent": "aws"}
    subnets = network.get("subnets") or {}
    for tier in ("public", "private"):
        listed = subnets.get(tier) or []
        groups[tier] = {"label": "%s subnets: %s" % (tier, ", ".join("%s %s" % (s.get("az"), s.get("cidr")) for s in listed) or "none"),
                        "parent": "vpc"}
    nodes["internet"] = {"label": "Internet (clients)", "group": None, "shape": "ellipse"}
    for nat in network.get("nat_gateways") or []:
        nodes[_id(nat["id"])] = {"label": "NAT gateway %s" % nat["id"], "group": "public", "shape": "box"}

    groups["ecs"] = {"label": "ECS cluster %s (Fargate)" % ((found.get("ecs") or {}).get("cluster") or {}).get("name", "-"), "parent": "private"}
    target_to_lb = {}
    for name, lb in sorted((edge.get("load_balancers") or {}).items()):
        node = "lb_" + _id(_short(name, prefix))
        public = lb.get("scheme") == "internet-facing"
        listeners = ", ".join("%s %s" % (li.get("protocol"), port) for port, li in sorted((lb.get("listeners") or {}).items()))
        kind = "ALB" if lb.get("type") == "application" else "NLB"
        nodes[node] = {"label": "%s %s\\n%s, %s" % (kind, name, lb.get("scheme"), listeners), "group": "public" if public else "private",
                       "shape": "box"}
        for sg in lb.get("security_groups") or []:
            owner[sg] = node
        if public:
            edges.append({"from": "internet", "to": node, "label": listeners, "kind": "traffic"})
        group = (edge.get("target_groups") or {}).get(name)
        if group:
            target_to_lb[group["arn"]] = node
    api = edge.get("http_api") or {}
    if api:
        domains = ", ".join("%s (%s)" % (d, c.get("security_policy")) for d, c in sorted((api.get("domains") or {}).items()))
        nodes["http_api"] = {"label": "API Gateway HTTP API %s\\n%s%s" % (api.get("id"), api.get("endpoint"), ("\\n" + domains) if domains else ""),
                             "group": "aws", "shape": "box"}
        edges.append({"from": "internet", "to": "http_api", "label": "HTTPS", "kind": "traffic"})
        gateway = "lb_" + _id("gateway")
        if gateway in nodes:
            edges.append({"from": "http_api", "to": gateway, "label": "VPC link", "kind": "traffic"})
    if edge.get("web_acl"):
        nodes["waf"] = {"label": "WAF web ACL %s" % edge["web_acl"].get("name"), "group": "aws", "shape": "box"}
        alb = [n for n, v in nodes.items() if v["label"].startswith("ALB ")]
        for target in alb:
            edges.append({"from": "waf", "to": target, "label": "filters", "kind": "allowed"})

    for name, svc in sorted((found.get("workloads") or {}).items()):
        node = "svc_" + _id(name)
        nodes[node] = {"label": "%s\\n%s of %s tasks" % (name, svc.get("running_count"), svc.get("desired_count")), "group": "ecs", "shape": "box"}
        for sg in svc.get("security_groups") or []:
            owner[sg] = node
        for arn in svc.get("load_balancers") or []:
            if arn in target_to_lb:
                edges.append({"from": target_to_lb[arn], "to": node, "label": "target group", "kind": "traffic"})
    for ident, db in sorted((found.get("databases") or {}).items()):
        node = "db_" + _id(_short(ident, prefix))
        purpose = _key_purpose(db.get("kms_key_id"), kms) if db.get("encrypted") else None
        nodes[node] = {"label": "Aurora %s\\n%s, %s" % (ident, db.get("engine"), "KMS %s key" % purpose if purpose else "NOT ENCRYPTED"),
                       "group": "private", "shape": "cylinder"}
        for sg in db.get("security_groups") or []:
            owner[sg] = node
    for token, fs in sorted((found.get("storage") or {}).items()):
        node = "efs_" + _id(_short(token, prefix))
        purpose = _key_purpose(fs.get("kms_key_id"), kms) if fs.get("encrypted") else None
        nodes[node] = {"label": "EFS %s\\n%s" % (token, "KMS %s key" % purpose if purpose else "NOT ENCRYPTED"), "group": "private",
                       "shape": "cylinder"}

    allowed = {}
    for rule in audit.get("group_rules") or []:
        src, dst = owner.get(rule.get("from")), owner.get(rule.get("to"))
        if not src or not dst or src == dst:
            continue
        port = "all" if rule.get("protocol") == "-1" else str(rule.get("from_port")) if rule.get("from_port") == rule.get("to_port") \
            else "%s-%s" % (rule.get("from_port"), rule.get("to_port"))
        ports = allowed.setdefault((src, dst), [])
        if port not in ports:
            ports.append(port)
    for (src, dst), ports in allowed.items():
        edges.append({"from": src, "to": dst, "label": "SG allows %s" % ", ".join(sorted(ports, key=lambda p: (len(p), p))), "kind": "allowed"})

    groups["security"] = {"label": "Encryption and audit", "parent": "aws"}
    for purpose, entry in sorted(kms.items()):
        nodes["kms_" + _id(purpose)] = {"label": "KMS key %s\\n%s, rotation %s" % (purpose, entry.get("alias"), "on" if entry.get("rotation") else "off"),
                                        "group": "security", "shape": "note"}
    logs = found.get("logs") or {}
    if logs:
        keyed = sum(1 for g in logs.values() if _key_purpose(g.get("kms_key_id"), kms) == "logs")
        nodes["logs"] = {"label": "CloudWatch Logs: %d groups, %d with the logs key" % (len(logs), keyed), "group": "security", "shape": "note"}
    trail = obs.get("trail") or {}
    if trail:
        nodes["trail"] = {"label": "CloudTrail %s\\nto s3://%s, logging %s" % (trail.get("name"), trail.get("bucket"), trail.get("logging")),
                          "group": "security", "shape": "note"}
    if obs.get("topic"):
        nodes["alerts"] = {"label": "SNS %s\\n%d alarms" % (obs["topic"]["arn"].rsplit(":", 1)[-1], len(obs.get("alarms") or [])),
                           "group": "security", "shape": "note"}
    return {"groups": groups, "nodes": nodes, "edges": edges}


def _dot_label(text):
    return text.replace('"', "'")


def platform_dot(found, title=""):
    graph = platform_graph(found)
    lines = ["digraph platform {", '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, labelloc=t, label="%s", compound=true];' % _dot_label(title),
             '  node [fontname="Helvetica", fontsize=10, style="rounded,filled", fillcolor="#ffffff"];',
             '  edge [fontname="Helvetica", fontsize=9];']
    colours = {"aws": "#fafafa", "vpc": "#eef5ff", "public": "#e8f7e8", "private": "#fff4e0", "ecs": "#fde8e8", "security": "#f3eefc"}

    def emit(group, indent):
        out = []
        for gid, g in graph["groups"].items():
            if g["parent"] == group:
                out.append('%ssubgraph cluster_%s {' % (indent, gid))
                out.append('%s  label="%s"; style="rounded,filled"; fillcolor="%s";' % (indent, _dot_label(g["label"]), colours.get(gid, "#ffffff")))
                out.extend(emit(gid, indent + "  "))
                out.append('%s}' % indent)
        for nid, n in graph["nodes"].items():
            if n["group"] == group:
                out.append('%s%s [label="%s", shape=%s];' % (indent, nid, _dot_label(n["label"]), n["shape"]))
        return out

    lines.extend(emit(None, "  "))
    for e in graph["edges"]:
        style = 'color="#1f5fbf", penwidth=1.6' if e["kind"] == "traffic" else 'style=dashed, color="#888888"'
        lines.append('  %s -> %s [label="%s", %s];' % (e["from"], e["to"], _dot_label(e["label"]), style))
    lines.append("}")
    return "\n".join(lines) + "\n"


def platform_mermaid(found):
    graph = platform_graph(found)
    lines = ["flowchart LR"]

    def text(label):
        return label.replace("\\n", "<br/>").replace('"', "'")

    def emit(group, indent):
        out = []
        for gid, g in graph["groups"].items():
            if g["parent"] == group:
                out.append('%ssubgraph %s["%s"]' % (indent, gid, text(g["label"])))
                out.extend(emit(gid, indent + "  "))
                out.append("%send" % indent)
        for nid, n in graph["nodes"].items():
            if n["group"] == group:
                shape = ('[("', '")]') if n["shape"] == "cylinder" else (('(["', '"])') if n["shape"] == "ellipse" else ('["', '"]'))
                out.append("%s%s%s%s%s" % (indent, nid, shape[0], text(n["label"]), shape[1]))
        return out

    lines.extend(emit(None, "  "))
    for e in graph["edges"]:
        arrow = "-->" if e["kind"] == "traffic" else "-.->"
        lines.append('  %s %s|"%s"| %s' % (e["from"], arrow, text(e["label"]), e["to"]))
    return "\n".join(lines) + "\n"
