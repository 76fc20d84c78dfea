# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the cloud_design.platform modules.

- ``RETRIES``: the retries of every client the collection makes: botocore's standard mode (throttling, 5xx and
  dropped connections, with backoff), the only retry layer; the connection role's ``AWS_RETRY_MODE`` and
  ``AWS_MAX_ATTEMPTS`` change it for the stock modules too.
- ``client_token()``: a deterministic idempotency token, so a create retried after an
  ambiguous failure is recognised by AWS instead of creating twice.
- ``pick_one()``: adopt-or-refuse. Zero candidates: create; one: adopt it; more: refuse
  with the list and how to resolve it, never pick one silently.
- ``create_once()``: a create that AWS does not deduplicate, made so that a failure after the
  write (a 5xx or a dropped connection) is never retried blindly: look first, adopt what the
  lost answer created, create again only when nothing is there.
- ``wait_for()``: poll with backoff until a condition holds (for APIs without a waiter).
- ``PlatformModule``: AnsibleAWSModule whose clients share one parsed copy of botocore's
  service models per Python process, and are made once per process and connection settings.
- ``concurrently()``: independent reads of a module run in a small thread pool, so that their
  latencies overlap instead of adding up; ``Prefetched``: a module's first reads made that way
  before any change, each answer handed out once.
- ``Plan``: every module's worker: what a run changes, each change made unless in check mode.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import re
import threading
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    compare_aws_tags,
)

try:
    import boto3
    import botocore.config
    import botocore.exceptions
    import botocore.loaders
    import botocore.retries.standard
    import botocore.session
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing libraries

MANAGED_BY = "cloud_design.platform"
# botocore's standard retry mode, 10 attempts: what the connection role sets (AWS_RETRY_MODE, AWS_MAX_ATTEMPTS) for a
# run, and what a client gets where they are not set (botocore's own default gives up after 3 attempts).
RETRIES = {"mode": "standard", "total_max_attempts": 10}
# Clients are made under this lock: a boto3 session is not thread-safe, a client once made is ("Multithreading or
# multiprocessing with clients", Boto3 documentation, Low-level clients).
_CLIENTS_LOCK = threading.RLock()
# The threads of one concurrently() call: about a real region's connection reuse (botocore keeps 10 connections per
# client) without a burst that would be throttled.
WORKERS = 8


class PlatformError(Exception):
    """A failure the module reports as is (message already names the fix)."""


class AmbiguousResourceError(PlatformError):
    """More than one existing resource matches where exactly one may exist."""

    def __init__(self, what, candidates, hint=None):
        self.what = what
        self.candidates = list(candidates)
        message = "found %d %s where at most one may exist: %s. " % (
            len(self.candidates),
            what,
            ", ".join(str(c) for c in self.candidates),
        )
        message += hint or (
            "Keep the one in use, delete or re-tag the others (they may be leftovers of an "
            "interrupted run or of another tool), then run again."
        )
        super().__init__(message)


def _one_loader_per_path(create_loader):
    """botocore's ``create_loader``, made to give one data loader (service models, endpoints) per search path for the
    life of the process.

    Each boto3 session makes its own loader and parses every service model it touches again: 35 to 105 ms per client
    (ec2's model is the largest). Where the interpreter outlives a module run (Mitogen runs every module of a play in
    one), the next module's session, ours or amazon.aws's, parses them again. The loader holds only botocore's data
    files, never credentials or settings, and one session already shares it between all its clients, so sessions
    sharing it is as safe. A different data path (``AWS_DATA_PATH``) gets its own loader."""
    if getattr(create_loader, "cloud_design_platform", False):
        return create_loader
    loaders = botocore.loaders.__dict__.setdefault("_cloud_design_platform_loaders", {})

    def create(search_path_string=None):
        with _CLIENTS_LOCK:
            if search_path_string not in loaders:
                loaders[search_path_string] = create_loader(search_path_string)
            return loaders[search_path_string]

    create.cloud_design_platform = True
    return create


if botocore is not None:
    botocore.session.create_loader = _one_loader_per_path(botocore.session.create_loader)


def _full_retry_quota(conn):
    """A client handed to another module run gets a full retry quota, as a client made for the run would.

    botocore's standard (and adaptive) retry mode keeps a retry quota per client: each retry spends from it,
    each success gives back, and an empty quota stops retrying. Made once a module run, a client started
    every run full; kept for the whole play, a shared one would stop retrying after a few bad minutes of an
    AWS service, which a deploy must ride through. Its retry handler is registered again, with a new quota
    (the same botocore function that client creation calls; the old quota's release hook stays, inert)."""
    retries = conn.meta.config.retries or {}
    if retries.get("mode") not in ("standard", "adaptive"):
        return
    name = conn.meta.service_model.service_id.hyphenize()
    conn.meta.events.unregister("needs-retry.%s" % name, unique_id="retry-config-%s" % name)
    botocore.retries.standard.register_retry_handler(conn, max_attempts=retries.get("total_max_attempts"))


class PlatformModule(AnsibleAWSModule):
    """AnsibleAWSModule with clients made as amazon.aws makes them (same connection options,
    credentials resolved per session as before); their sessions share botocore's data loader (``_one_loader_per_path``)."""

    def client(self, service, *, retries=True, **extra_params):
        """A client of the service with botocore's retries (``RETRIES``); ``retries=False``: one attempt per call,
        for ``create_once()``."""
        region, endpoint_url, kw_args = get_aws_connection_info(self)
        kw_args.update(extra_params)
        profile = kw_args.pop("profile_name", None)
        config = botocore.config.Config(user_agent="APN/1.0 Ansible cloud_design.platform")
        if not (os.environ.get("AWS_RETRY_MODE") or os.environ.get("AWS_MAX_ATTEMPTS")):
            config = config.merge(botocore.config.Config(retries=dict(RETRIES)))
        for param in ("config", "aws_config"):
            extra = kw_args.pop(param, None)
            if extra:
                config = config.merge(extra if isinstance(extra, botocore.config.Config) else botocore.config.Config(**extra))
        if not retries:
            config = config.merge(botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        # One client per service and connection settings for the life of the Python process: a client is
        # thread-safe and holds no state of a module run, and making one costs more than the calls most
        # modules make (Mitogen runs every module of a play in one interpreter). The key holds every
        # setting a client is made from, the process's AWS_* variables included (credentials, profile,
        # retries), so a change of any of them makes a new client.
        key = (service, region, endpoint_url, profile, repr(sorted(kw_args.items())),
               repr(sorted(config._user_provided_options.items())),  # pylint: disable=protected-access
               repr(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))))
        clients = botocore.loaders.__dict__.setdefault("_cloud_design_platform_clients", {})
        try:
            with _CLIENTS_LOCK:
                conn = clients.get(key)
                if conn is None:
                    session = boto3.session.Session(profile_name=profile)
                    conn = clients[key] = session.client(service, config=config, region_name=region, endpoint_url=endpoint_url, **kw_args)
                else:
                    _full_retry_quota(conn)
        except botocore.exceptions.NoRegionError:
            self.fail_json(msg="The %s module requires a region and none was found in configuration, environment "
                               "variables or module parameters" % self._name)
        except (ValueError, botocore.exceptions.BotoCoreError) as exc:
            self.fail_json_aws(exc, msg="Couldn't connect to AWS")
        return conn

    def caller_identity(self):
        """STS GetCallerIdentity of the module's credentials (``Account``, ``Arn``, ``UserId``), asked once per Python
        process and connection settings: it is kept on the STS client, which is made once for them (``client()``),
        and the identity of a set of credentials does not change while they hold."""
        sts = self.client("sts")
        identity = getattr(sts, "_cloud_design_platform_identity", None)
        if identity is None:
            identity = {k: v for k, v in sts.get_caller_identity().items() if k != "ResponseMetadata"}
            sts._cloud_design_platform_identity = identity  # pylint: disable=protected-access
        return identity

    def __init__(self, argument_spec, tags=False, state=False, **kwargs):
        """``tags=True`` adds ``tags`` and ``purge_tags`` (amazon.aws's ``amazon.aws.tags`` fragment documents them),
        ``state=True`` adds ``state`` (present or absent). Every module supports check mode."""
        spec = dict(argument_spec)
        if tags:
            spec.update(tags=dict(type="dict", aliases=["resource_tags"]), purge_tags=dict(type="bool", default=True))
        if state:
            spec.update(state=dict(type="str", default="present", choices=["present", "absent"]))
        kwargs.setdefault("supports_check_mode", True)
        super().__init__(argument_spec=spec, **kwargs)

    def exit_converged(self, converge, failure, key=None, progress=None):
        """The end of every module run. ``converge()`` does the work and returns ``(changes, before, after)``, or
        ``(changes, before, after, result)`` with the module's other return values (``changed`` among them where
        ``changes`` is None). The module exits with ``changed`` (whether ``changes``, the list of what was done or
        would be in check mode, holds any),
        ``changes``, ``after`` under ``key`` (merged into the result without one), ``result`` and, with --diff, the
        diff (none where both are None: a module that only reads). A PlatformError fails with its message, an AWS
        error with ``failure`` (a callable: called then, for a message that says how far the run got) and the error;
        either failure also returns ``progress``, where given: values that say how far the run got (the list the run
        appends its changes or steps to, as it goes)."""
        extra = progress or {}
        try:
            answer = converge()
        except PlatformError as exc:
            self.fail_json(msg=str(exc), **extra)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            self.fail_json_aws(exc, msg=failure() if callable(failure) else failure, **extra)
        changes, before, after = answer[:3]
        result = {"changed": bool(changes)} if changes is None else {"changed": bool(changes), "changes": changes}
        if key:
            result[key] = after
        elif len(answer) == 3:
            result.update(after)
        result.update(answer[3] if len(answer) > 3 else {})
        if self._diff and (before is not None or after is not None):
            result["diff"] = {"before": before, "after": after}
        self.exit_json(**result)


def concurrently(*calls, workers=None):
    """The results of ``calls`` (callables without arguments), in their order, the calls made in a thread pool of at
    most ``workers``: independent reads of one module run, whose latencies then overlap (a real region answers a call
    in 30 to 150 ms). Make the clients first or through ``PlatformModule.client()``, which is thread-safe. Every call
    ends before the first exception, in the calls' order, is raised. Reads only: a write keeps its order and its
    create_once()."""
    if len(calls) < 2:
        return [call() for call in calls]
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(workers or WORKERS, len(calls))) as pool:
        futures = [pool.submit(call) for call in calls]
    return [future.result() for future in futures]


class Prefetched:
    """Reads made at once ahead of a module run's changes, each handed out once. ``fetch({key: call})`` makes the calls
    concurrently and keeps their answers; ``take(key, call)`` hands out the kept answer the first time ``key`` is asked
    for, and makes ``call`` every time after (a read that follows the run's own changes must see them). A module
    prefetches only what its first reads of each resource would read, before it changes anything."""

    def __init__(self):
        self.answers = {}

    def fetch(self, calls, then=None):
        """Make ``calls`` at once; ``then(answers)``, where given, returns the next round's calls (the reads that need
        what this round found), fetched the same way."""
        answers = dict(zip(list(calls), concurrently(*calls.values())))
        self.answers.update(answers)
        return self.fetch(then(answers)) if then else self

    def take(self, key, call):
        if key in self.answers:
            return self.answers.pop(key)
        return call()


class Plan:
    """One module run's work, the base of every module's worker class: ``module``, its ``params``, ``check`` (check
    mode), ``changes``, the list for the result, and ``reads``, what it prefetched (``Prefetched``).
    ``change(what, call, **kwargs)`` records a change and makes its call, unless in check mode."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check = module.check_mode
        self.changes = []
        self.reads = Prefetched()

    def change(self, what, call=None, **kwargs):
        self.changes.append(what)
        if self.check or call is None:
            return None
        return call(**kwargs)

    @property
    def identity(self):
        """(account, partition) of the caller, asked once (``PlatformModule.caller_identity()``)."""
        arn = self.module.caller_identity()["Arn"]
        return arn.split(":")[4], arn.split(":")[1]


# Throttling codes of every protocol: a create refused with one of them was not carried out, so create_once sends it
# again without looking.
THROTTLING_CODES = ("Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException",
                    "RequestThrottled", "RequestThrottledException", "SlowDown", "PriorRequestNotComplete",
                    "ProvisionedThroughputExceededException", "RequestLimitExceededException")
# Server-side failures: the request may or may not have been carried out.
SERVER_ERROR_CODES = ("InternalError", "InternalFailure", "InternalServerError", "InternalServerException", "InternalServiceError",
                      "InternalServiceException", "InternalErrorException", "ServiceUnavailable", "ServiceUnavailableException",
                      "Unavailable")


def _failure_kind(exc):
    """'throttled' (not carried out), 'ambiguous' (may have been carried out) or None (a real error)."""
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if error.get("Code") in THROTTLING_CODES or status == 429:
            return "throttled"
        if error.get("Code") in SERVER_ERROR_CODES or status >= 500:
            return "ambiguous"
        return None
    if isinstance(exc, (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
        return "ambiguous"
    return None


def create_once(create, find, what, exists_codes=(), attempts=None, delay=1.0, max_delay=20.0, sleep=None):
    """Create a resource exactly once although the call may fail after the write.

    ``create()`` makes the call through a client that does not retry by itself
    (``PlatformModule.client(service, retries=False)``); ``find()`` lists the resources that the
    create would have made (by the name or tags the create gives them at creation, atomically).
    A throttled call is sent again after a backoff. After a failure that may have come after
    the write (5xx, connection dropped or timed out) or an "already exists" answer
    (``exists_codes``), nothing is sent again before looking: one candidate is adopted, none
    means the create did not happen (it is sent again), several stop the run with their list
    (``pick_one``), never a silent pick. Lookups are repeated with the backoff, since a listing
    may lag behind a create; a lookup that fails transiently (its client's own retries spent in an
    outage) is tried again at the next attempt, and the create is not sent again until a lookup
    has answered.

    ``attempts`` defaults to the run's botocore setting (``AWS_MAX_ATTEMPTS``, 10 without it).

    Returns ``(resource, adopted)``: the create's answer and False, or the candidate found and True.
    """
    sleep = sleep or time.sleep
    attempts = attempts or int(os.environ.get("AWS_MAX_ATTEMPTS") or RETRIES["total_max_attempts"])
    last = None  # (kind, error) of the last create that failed
    looked = None  # the error of a lookup that failed (transiently) since then
    for attempt in range(attempts + 1):
        must_look = last is not None and last[0] in ("ambiguous", "exists")
        if attempt == attempts and not must_look:
            break
        if attempt:
            sleep(min(delay * 2 ** (attempt - 1), max_delay))
        if must_look:
            # Look before anything is sent again. A lookup that fails transiently is itself tried again at the
            # next attempt (a read is safe to repeat); the create is never sent while it is unknown whether the
            # last one was carried out.
            try:
                found = pick_one(find(), what)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
                if _failure_kind(exc) is None:
                    raise
                looked = exc
                continue
            looked = None
            if found is not None:
                return found, True
        if attempt == attempts:
            break
        try:
            return create(), False
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            kind = _failure_kind(exc)
            if kind is None and isinstance(exc, botocore.exceptions.ClientError) and exc.response.get("Error", {}).get("Code") in exists_codes:
                kind = "exists"
            if kind is None:
                raise
            last = (kind, exc)
    if looked is not None:
        raise looked
    if last[0] == "exists":
        raise PlatformError("AWS answers that %s exists (%s) but none can be found by its name or tags; "
                            "look for it in the account (another tool may have made it without the platform's tags)"
                            % (what, last[1]))
    raise last[1]


def client_token(*parts, length=64):
    """A stable idempotency token made from what identifies the resource."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:length]


def pick_one(candidates, what, ident=lambda c: c, hint=None):
    """Adopt-or-refuse: None for no candidate, the candidate for one, an error for more."""
    candidates = list(candidates)
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    raise AmbiguousResourceError(what, [ident(c) for c in candidates], hint)


def wait_for(probe, done, timeout=600, delay=1.0, max_delay=15.0, what="the resource"):
    """Call probe() until done(result) is true; back off between calls (pauses grow by half). Return the result.

    A probe that fails transiently (throttling, a 5xx, a dropped connection that botocore no longer retries once
    its retry quota is spent) is polled again: a long wait must not end on one such answer. Other errors raise.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = probe()
        except Exception as exc:  # pylint: disable=broad-except
            if _failure_kind(exc) is None or time.monotonic() >= deadline:
                raise
        else:
            if done(result):
                return result
        if time.monotonic() >= deadline:
            raise PlatformError("timed out after %ds waiting for %s" % (timeout, what))
        time.sleep(delay)
        # Half again each time: the wait ends at most half its time late (doubling: up to all of it).
        delay = min(delay * 1.5, max_delay)


def all_pages(call, key, token="NextToken", next_token=None, **kwargs):
    """Every item of a listing whose service has no boto3 paginator for it (``NextToken`` style).

    A page may hold no item and still give a token (EC2 API Reference, "Pagination": call again until the
    token is null), so only the token ends the listing. A token answered twice in a row would loop for ever:
    that stops the run instead."""
    items, marker = [], None
    while True:
        if marker:
            kwargs[token] = marker
        page = call(**kwargs)
        items += page.get(key, [])
        previous, marker = marker, page.get(next_token or token)
        if not marker:
            return items
        if marker == previous:
            raise PlatformError("the listing of %s answered the same page token twice; it cannot be read to its end" % key)


def partition_of(region):
    """The ARN partition of a region (aws, aws-cn, aws-us-gov, ...), from botocore's endpoint data:
    no ARN the platform writes assumes ``aws``."""
    try:
        return boto3.session.Session().get_partition_for_region(region or "us-east-1")
    except Exception:  # pylint: disable=broad-except
        return "aws"


def tag_list_to_dict(tags, key="Key", value="Value"):
    """[{'Key': k, 'Value': v}] -> {k: v}; tolerates None (amazon.aws' helper)."""
    return boto3_tag_list_to_ansible_dict(tags or [], key, value)


def dict_to_tag_list(tags, key="Key", value="Value"):
    """{k: v} -> [{'Key': k, 'Value': 'v'}] in a stable order (amazon.aws' helper)."""
    return ansible_dict_to_boto3_tag_list(dict(sorted((tags or {}).items())), key, value)


def tag_changes(current, wanted, purge):
    """(to_set, to_remove) to bring current tags to wanted (amazon.aws' compare_aws_tags, which keeps aws: tags), the
    values as the strings AWS keeps and the keys in a stable order."""
    to_set, to_remove = compare_aws_tags(current or {}, {k: str(v) for k, v in (wanted or {}).items()}, purge)
    return to_set, sorted(to_remove)


def apply_tags(check_mode, current, wanted, purge, add, remove):
    """Bring a resource's tags from current to wanted through the service's own calls.

    ``add(dict)`` and ``remove(list of keys)`` are the service's tag and untag calls; neither
    is made in check mode. ``wanted=None`` leaves the tags alone. Returns (changed, tags after).
    """
    current = dict(current or {})
    if wanted is None:
        return False, current
    to_set, to_remove = tag_changes(current, wanted, purge)
    after = dict(current, **to_set)
    for key in to_remove:
        after.pop(key, None)
    if not check_mode:
        if to_set:
            add(to_set)
        if to_remove:
            remove(to_remove)
    return bool(to_set or to_remove), after


def ec2_tag_calls(ec2, resource_id):
    """The add/remove pair of apply_tags() for any EC2 resource id."""
    return (
        lambda tags: ec2.create_tags(Resources=[resource_id], Tags=dict_to_tag_list(tags)),
        lambda keys: ec2.delete_tags(Resources=[resource_id], Tags=[{"Key": k} for k in keys]),
    )


def rds_tag_calls(rds, arn):
    """The add/remove pair of apply_tags() for any RDS resource ARN."""
    return (
        lambda tags: rds.add_tags_to_resource(ResourceName=arn, Tags=dict_to_tag_list(tags)),
        lambda keys: rds.remove_tags_from_resource(ResourceName=arn, TagKeys=keys),
    )


# A name RDS takes for a parameter group or an event subscription: 255 letters, digits and hyphens, a letter first.
RDS_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,254}$")


def refuse_foreign_names(module, names, what, pattern=RDS_NAME):
    """Fail (before any call) on a name of an owned set that is outside its prefix or that AWS would refuse."""
    prefix = module.params["prefix"]
    for name in names:
        if not name.startswith(prefix) or not pattern.match(name):
            module.fail_json(msg="%s %s must start with %s and hold at most 255 letters, digits and hyphens, starting with a letter"
                                 % (what, name, prefix))


def owned_set_spec(**options):
    """The argument spec of a module that converges an exact set of resources under a name prefix (alarms, event
    rules, RDS event subscriptions): ``prefix`` and ``owner_tags`` say which resources are the set's, then the
    module's own ``options``, the tags of each resource and ``state``."""
    spec = dict(prefix=dict(type="str", required=True), owner_tags=dict(type="dict", default={}))
    spec.update(options)
    spec.update(tags=dict(type="dict", aliases=["resource_tags"]), purge_tags=dict(type="bool", default=True),
                state=dict(type="str", default="present", choices=["present", "absent"]))
    return spec


def owned_set_module(what, **options):
    """The module of an owned set (``owned_set_spec``), refusing an empty prefix: every ``what`` of the account
    would belong to the set, and those not listed would be removed."""
    module = PlatformModule(argument_spec=owned_set_spec(**options))
    if not module.params["prefix"]:
        module.fail_json(msg="prefix is empty: every %s of the account would belong to this set" % what)
    return module


def is_owned(tags, owner_tags):
    """Whether a resource carries every owner tag (and so may be removed as not wanted)."""
    return all((tags or {}).get(k) == str(v) for k, v in (owner_tags or {}).items())


def resource_names(platform_name, platform_env):
    """The platform's naming convention, in one place for roles (via a filter) and modules."""
    prefix = "%s-%s" % (platform_name, platform_env)
    return {
        "prefix": prefix,
        "vpc": "%s-vpc" % prefix,
        "internet_gateway": "%s-igw" % prefix,
        "dhcp_options": "%s-dhcp" % prefix,
        "public_route_table": "%s-public" % prefix,
        "private_route_table": "%s-private" % prefix,
        "endpoints_security_group": "%s-vpc-endpoints" % prefix,
        "flow_log_group": "/%s/%s/vpc-flow-logs" % (platform_name, platform_env),
        "flow_log_role": "%s-vpc-flow-logs" % prefix,
        "cluster": "%s-cluster" % prefix,
        "task_execution_role": "%s-ecs-task-execution" % prefix,
        "ecr_prefix": "%s/" % prefix,
        "private_domain": "%s.%s.internal" % (platform_env, platform_name),
        "log_group_prefix": "/%s/%s/" % (platform_name, platform_env),
        "kms_alias_prefix": "alias/%s-" % prefix,
        # S3 server access logs: <prefix>-s3-access-<account>-<region> (buckets are named across all accounts).
        "s3_access_logs": "%s-s3-access" % prefix,
        # The edge: load balancer and target group names stay within the ELB limit of 32 characters.
        "load_balancers": {lb: "%s-%s" % (prefix, lb) for lb in ("inventory", "billing", "gateway", "edge")},
        "edge_certificate": "%s-edge" % prefix,
        "web_acl": "%s-edge" % prefix,
        "http_api": prefix,
        "vpc_link": prefix,
        "vpc_link_security_group": "%s-api-link" % prefix,
        "user_pool": "%s-api" % prefix,
        "api_access_log_group": "/%s/%s/apigateway/access" % (platform_name, platform_env),
    }


def boundary_arn(boundary, account):
    """The ARN of the permissions boundary every role of the platform carries: ``boundary`` is a policy ARN,
    a policy name of the account (``account`` is platform_info's account family), or empty for none ('')."""
    boundary = (boundary or "").strip()
    if not boundary or boundary.startswith("arn:"):
        return boundary
    account = account or {}
    return "arn:%s:iam::%s:policy/%s" % (account.get("partition") or "aws", account.get("account_id") or "000000000000", boundary)


def workload_names(platform_name, platform_env, workload):
    """Names of what the ECS service pattern makes for one workload (e.g. ``billing-app``)."""
    prefix = "%s-%s" % (platform_name, platform_env)
    return {
        "service": workload,
        "family": "%s-%s" % (prefix, workload),
        "container": workload,
        "log_group": "/%s/%s/ecs/%s" % (platform_name, platform_env, workload),
        "execution_role": "%s-%s-exec" % (prefix, workload),
        "task_role": "%s-%s-task" % (prefix, workload),
        "security_group": "%s-%s" % (prefix, workload),
        "storage": "%s-%s" % (prefix, workload),
        "storage_security_group": "%s-%s-efs" % (prefix, workload),
        "secret": "%s/%s" % (prefix, workload),
        "cpu_policy": "%s-%s-cpu" % (prefix, workload),
        "memory_policy": "%s-%s-memory" % (prefix, workload),
    }
