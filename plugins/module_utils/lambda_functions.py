# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The platform's Lambda functions (the secrets' rotation functions): made, kept to their code, configuration, tags
and exactly the invoke permissions given, or removed. The one maker of the platform's functions: the
lambda_functions module."""

from __future__ import annotations

import base64
import hashlib
import json
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    Plan,
    PlatformError,
    tag_changes,
    wait_for,
)

# What Lambda keeps of a function's configuration, by option name.
CONFIGURATION = (("description", "Description"), ("runtime", "Runtime"), ("handler", "Handler"), ("role_arn", "Role"),
                 ("timeout", "Timeout"), ("memory_size", "MemorySize"))
# How long a create waits for IAM to let Lambda assume a new role (IAM User Guide, "Troubleshoot IAM: changes I make
# are not always immediately visible"), and for a function to settle after a change.
ROLE_PROPAGATION_SECONDS = 120
SETTLE_SECONDS = 300


def code_sha256(data):
    """What Lambda reports as a function's CodeSha256: the SHA-256 of the deployment package, in base64."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def statement_of(spec):
    """An invoke permission of the module's options as Lambda keeps it in the function's policy (the parts compared)."""
    condition = {}
    if spec.get("source_account"):
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = spec["source_account"]
    if spec.get("source_arn"):
        condition.setdefault("ArnLike", {})["AWS:SourceArn"] = spec["source_arn"]
    return {"principal": spec["principal"], "action": spec["action"], "condition": condition}


def kept_statement(statement):
    """The compared parts of a statement of a function's policy (GetPolicy)."""
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        principal = principal.get("Service") or principal.get("AWS")
    return {"principal": principal, "action": statement.get("Action"), "condition": statement.get("Condition") or {}}


def brief(configuration, tags=None):
    """A function as the module reports it (before, after)."""
    out = {option: configuration.get(key) for option, key in CONFIGURATION}
    out.update(arn=configuration.get("FunctionArn"), code_sha256=configuration.get("CodeSha256"),
               architecture=(configuration.get("Architectures") or ["x86_64"])[0],
               environment=(configuration.get("Environment") or {}).get("Variables") or {})
    if tags is not None:
        out["tags"] = tags
    return out


class Functions(Plan):
    """``function(spec)`` and ``delete_function(name)`` for the lambda_functions module. ``prefetch(names)`` reads the
    functions, then the policies of those that exist, at once before any change."""

    def __init__(self, module):
        super().__init__(module)
        self.touched = []  # the functions made or changed, in order

    @property
    def awslambda(self):
        return self.module.client("lambda")

    def settle(self):
        """Every function made or changed has settled, before anything invokes it (a rotation, the next task): waited for
        after all the changes, so that the functions settle side by side."""
        for name in self.touched:
            self._settled(name)

    def prefetch(self, names, policies=True):
        self.reads.fetch({("function", name): lambda name=name: self._get_function(name) for name in names},
                         then=self._policy_calls if policies else None)

    def _policy_calls(self, found):
        return {("policy", key[1]): lambda name=key[1]: self._get_policy(name)
                for key, function in found.items() if key[0] == "function" and function is not None}

    def _get_function(self, name):
        try:
            answer = self.awslambda.get_function(FunctionName=name)
        except is_boto3_error_code("ResourceNotFoundException"):
            return None
        # GetFunction answers the tags only to a caller allowed lambda:ListTags, and without them when it could not
        # read them (TagsError) (AWS Lambda API Reference, GetFunction): then they are asked for, so that a denial says
        # so instead of the tags looking missing and being put again on every run.
        tags = answer.get("Tags")
        if tags is None:
            tags = self.awslambda.list_tags(Resource=answer["Configuration"]["FunctionArn"]).get("Tags") or {}
        return {"configuration": answer["Configuration"], "tags": {k: v for k, v in tags.items() if not k.startswith("aws:")}}

    def _get_policy(self, name):
        """{statement id: statement} of the function's resource-based policy ({} without one)."""
        try:
            policy = self.awslambda.get_policy(FunctionName=name)["Policy"]
        except is_boto3_error_code("ResourceNotFoundException"):
            return {}
        return {s.get("Sid"): s for s in json.loads(policy).get("Statement", [])}

    def _settled(self, name):
        """The function's configuration once Lambda is done with its last create or update: Lambda refuses an update
        while the function is Pending or an update is InProgress (AWS Lambda Developer Guide, "Lambda function
        states"), and does not invoke a Pending function."""
        def probe():
            return self.awslambda.get_function_configuration(FunctionName=name)

        found = wait_for(probe, lambda c: c.get("State") != "Pending" and c.get("LastUpdateStatus") != "InProgress",
                         timeout=SETTLE_SECONDS, delay=1.0, what="the function %s to settle" % name)
        if found.get("State") == "Failed" or found.get("LastUpdateStatus") == "Failed":
            raise PlatformError("Lambda could not set up the function %s: %s" % (
                name, found.get("LastUpdateStatusReason") or found.get("StateReason") or "no reason given"))
        return found

    def _create(self, request):
        """CreateFunction, tried again while IAM has not propagated the new role to Lambda ("The role defined for the
        function cannot be assumed by Lambda"). A create whose answer was lost and which was carried out is found by
        its name: Lambda refuses a second function of a name (ResourceConflictException, AWS Lambda API Reference,
        CreateFunction)."""
        deadline, delay = time.monotonic() + ROLE_PROPAGATION_SECONDS, 1.0
        while True:
            try:
                return self.awslambda.create_function(**request)
            except is_boto3_error_code("ResourceConflictException"):
                return self.awslambda.get_function(FunctionName=request["FunctionName"])["Configuration"]
            except is_boto3_error_code("InvalidParameterValueException") as exc:  # pylint: disable=duplicate-except
                message = exc.response.get("Error", {}).get("Message", "")
                if "cannot be assumed" not in message or time.monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 1.5, 10.0)

    def function(self, spec, tags, purge_tags):
        """The function made or kept to ``spec`` (its code, configuration and exactly its ``permissions``, when given),
        with ``tags`` (None: left alone). Returns (before, after) as the module reports them."""
        name, awslambda = spec["name"], self.awslambda
        with open(spec["zip_file"], "rb") as handle:
            package = handle.read()
        sha = code_sha256(package)
        variables = {k: str(v) for k, v in (spec["environment"] or {}).items()}
        found = self.reads.take(("function", name), lambda: self._get_function(name))
        wanted = {option: spec[option] for option, _key in CONFIGURATION}
        touched = False
        if found is None:
            before = None
            self.changes.append("create function %s" % name)
            account, partition = self.identity
            arn = "arn:%s:lambda:%s:%s:function:%s" % (partition, self.module.region, account, name)
            if not self.check:
                request = {key: spec[option] for option, key in CONFIGURATION}
                request.update(FunctionName=name, Code={"ZipFile": package}, Architectures=[spec["architecture"]],
                               Environment={"Variables": variables}, Tags=tags or {}, Publish=False)
                arn = self._create(request)["FunctionArn"]
                touched = True
            policy = {}
        else:
            configuration = found["configuration"]
            before = brief(configuration, found["tags"])
            arn = configuration["FunctionArn"]
            update = {key: spec[option] for option, key in CONFIGURATION if configuration.get(key) != spec[option]}
            if ((configuration.get("Environment") or {}).get("Variables") or {}) != variables:
                update["Environment"] = {"Variables": variables}
            if update:
                self.changes.append("function %s: %s" % (name, ", ".join(sorted(update))))
                if not self.check:
                    self._settled(name)
                    awslambda.update_function_configuration(FunctionName=name, **update)
                    touched = True
            if configuration.get("CodeSha256") != sha or (configuration.get("Architectures") or ["x86_64"]) != [spec["architecture"]]:
                self.changes.append("function %s: code" % name)
                if not self.check:
                    self._settled(name)
                    awslambda.update_function_code(FunctionName=name, ZipFile=package, Architectures=[spec["architecture"]])
                    touched = True
            if tags is not None:
                to_set, to_remove = tag_changes(found["tags"], tags, purge_tags)
                if to_set:
                    self.change("function %s: tags %s" % (name, ", ".join(sorted(to_set))), awslambda.tag_resource, Resource=arn, Tags=to_set)
                if to_remove:
                    self.change("function %s: remove tags %s" % (name, ", ".join(to_remove)), awslambda.untag_resource,
                                Resource=arn, TagKeys=to_remove)
            policy = self.reads.take(("policy", name), lambda: self._get_policy(name))
        if spec["permissions"] is not None:
            self._permissions(name, policy, spec["permissions"])
        if touched:
            self.touched.append(name)
        after = dict(wanted, arn=arn, code_sha256=sha, architecture=spec["architecture"], environment=variables)
        if tags is not None or before is not None:
            after["tags"] = tags if tags is not None else before.get("tags")
        return before, after

    def _permissions(self, name, policy, specs):
        """The function's policy holds exactly the statements of ``specs``, by statement id: one that differs is removed
        and added again (Lambda has no call that changes a statement)."""
        awslambda, wanted = self.awslambda, {spec["statement_id"]: spec for spec in specs}
        for sid in sorted(policy):
            if sid not in wanted:
                self.change("function %s: remove permission %s" % (name, sid), awslambda.remove_permission,
                            FunctionName=name, StatementId=sid)
        for sid, spec in sorted(wanted.items()):
            if sid in policy and kept_statement(policy[sid]) == statement_of(spec):
                continue
            if sid in policy:
                self.change("function %s: remove permission %s" % (name, sid), awslambda.remove_permission,
                            FunctionName=name, StatementId=sid)
            request = {"FunctionName": name, "StatementId": sid, "Action": spec["action"], "Principal": spec["principal"]}
            if spec.get("source_account"):
                request["SourceAccount"] = spec["source_account"]
            if spec.get("source_arn"):
                request["SourceArn"] = spec["source_arn"]
            self.changes.append("function %s: permission %s" % (name, sid))
            if not self.check:
                try:
                    awslambda.add_permission(**request)
                except is_boto3_error_code("ResourceConflictException"):
                    # The statement id is taken: an add whose answer was lost and which was carried out.
                    if kept_statement(self._get_policy(name).get(sid) or {}) != statement_of(spec):
                        raise

    def delete_function(self, name):
        """The function removed (its policy goes with it); nothing when there is none. Returns its report before."""
        found = self.reads.take(("function", name), lambda: self._get_function(name))
        if found is None:
            return None
        self.changes.append("delete function %s" % name)
        if not self.check:
            try:
                self.awslambda.delete_function(FunctionName=name)
            except is_boto3_error_code("ResourceNotFoundException"):
                pass  # a delete whose answer was lost
        return brief(found["configuration"], found["tags"])
