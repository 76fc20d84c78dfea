#!/usr/bin/env python
"""Write the deployer's least-privilege IAM policies from the role READMEs.

Each role README lists, under "IAM actions the deployer needs", the actions its tasks call. This
writes docs/iam/<role>.json (one policy per role, for deployers that run one role) and
docs/iam/platform.json (all roles), so the README stays the one source.

    python tools/iam_policy.py          # rewrite the policies
    python tools/iam_policy.py --check  # exit 1 when a policy is out of date
"""

import json
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADING = "## IAM actions the deployer needs"
ACTION = re.compile(r"`([a-z0-9-]+:[A-Za-z0-9*]+)`")
# Read-only calls every role makes through platform_info and the modules' lookups.
DISCOVERY = ["ec2:Describe*", "ecs:Describe*", "ecs:List*", "servicediscovery:List*", "servicediscovery:Get*",
             "route53:GetHostedZone", "kms:ListAliases", "kms:DescribeKey", "kms:GetKeyRotationStatus", "logs:DescribeLogGroups",
             "iam:ListRoles", "ecr:DescribeRepositories", "secretsmanager:ListSecrets", "rds:Describe*",
             "elasticfilesystem:Describe*", "sts:GetCallerIdentity"]


def role_actions(role):
    path = os.path.join(TOP, "roles", role, "README.md")
    if not os.path.isfile(path):
        return None
    text = open(path, encoding="utf-8").read()
    if HEADING not in text:
        return None
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    return sorted(set(ACTION.findall(section)))


def policy(actions, sid):
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "Discover", "Effect": "Allow", "Action": DISCOVERY, "Resource": "*"},
        {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": "*"},
    ]}


def documents():
    out = {}
    everything = set()
    for role in sorted(os.listdir(os.path.join(TOP, "roles"))):
        actions = role_actions(role)
        if actions is None:
            continue
        everything.update(actions)
        out[role + ".json"] = policy(actions, "".join(p.title() for p in role.split("_")))
    out["platform.json"] = policy(sorted(everything), "Platform")
    return {name: json.dumps(doc, indent=2) + "\n" for name, doc in out.items()}


def main(argv):
    folder = os.path.join(TOP, "docs", "iam")
    stale = []
    for name, text in documents().items():
        path = os.path.join(folder, name)
        current = open(path, encoding="utf-8").read() if os.path.isfile(path) else None
        if current != text:
            stale.append(name)
            if "--check" not in argv:
                os.makedirs(folder, exist_ok=True)
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
    if "--check" in argv and stale:
        print("out of date (run python tools/iam_policy.py): %s" % ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
