# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloud Map services in the platform's private DNS namespace.

A service is a DNS name in the namespace: ``A`` records filled by ECS for the tasks of a
service (multivalue answers, ECS reports health), or a ``CNAME`` to a fixed target such as
an Aurora writer endpoint (one registered instance carrying ``AWS_INSTANCE_CNAME``).
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import (
    PlatformError,
    apply_tags,
    client_token,
    concurrently,
    dict_to_tag_list,
    pick_one,
    tag_list_to_dict,
    wait_for,
)


def find_service(sd, namespace_id, name):
    if namespace_id.startswith("("):
        return None  # a placeholder of check mode: the namespace itself is still to be made
    found = []
    for page in sd.get_paginator("list_services").paginate(Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace_id]}]):
        found.extend(s for s in page["Services"] if s["Name"] == name)
    summary = pick_one(found, "Cloud Map services named %s in %s" % (name, namespace_id), ident=lambda s: s["Id"])
    if summary is None:
        return None
    service, tags = concurrently(lambda: sd.get_service(Id=summary["Id"])["Service"],
                                 lambda: sd.list_tags_for_resource(ResourceARN=summary["Arn"]).get("Tags"))
    service["Tags"] = tag_list_to_dict(tags)
    return service


def dns_config(record_type, ttl):
    policy = "WEIGHTED" if record_type == "CNAME" else "MULTIVALUE"
    return {"RoutingPolicy": policy, "DnsRecords": [{"Type": record_type, "TTL": int(ttl)}]}


def describe(service):
    if not service:
        return {}
    records = (service.get("DnsConfig") or {}).get("DnsRecords") or [{}]
    return {
        "id": service["Id"],
        "arn": service["Arn"],
        "name": service["Name"],
        "record_type": records[0].get("Type"),
        "ttl": records[0].get("TTL"),
        "tags": service.get("Tags", {}),
    }


_UNREAD = object()


def ensure_service(sd, check_mode, namespace_id, name, record_type="A", ttl=10, tags=None, purge_tags=True, current=_UNREAD):
    """Returns (changed, before, after) as dicts from describe(). ``current``: the service as find_service() read it
    before any change of the run (a prefetch), when it was."""
    if current is _UNREAD:
        current = find_service(sd, namespace_id, name)
    if current is None:
        after = {"name": name, "record_type": record_type, "ttl": ttl, "tags": dict(tags or {})}
        if check_mode:
            return True, {}, after
        request = {
            "Name": name,
            "NamespaceId": namespace_id,
            "CreatorRequestId": client_token("cloudmap-service", namespace_id, name),
            "DnsConfig": dns_config(record_type, ttl),
        }
        if record_type == "A":
            # ECS reports task health to Cloud Map: unhealthy tasks leave the answers.
            request["HealthCheckCustomConfig"] = {"FailureThreshold": 1}
        if tags:
            request["Tags"] = dict_to_tag_list(tags)
        try:
            sd.create_service(**request)
        except is_boto3_error_code("ServiceAlreadyExists"):
            pass  # an earlier attempt got through
        return True, {}, describe(find_service(sd, namespace_id, name))
    before = describe(current)
    changed = False
    records = (current.get("DnsConfig") or {}).get("DnsRecords") or [{}]
    if records[0].get("Type") != record_type:
        raise PlatformError(
            "Cloud Map service %s answers %s records, %s wanted; the record type cannot change: delete the "
            "service (its users first) and run again" % (name, records[0].get("Type"), record_type))
    if records[0].get("TTL") != int(ttl):
        changed = True
        if not check_mode:
            operation = sd.update_service(Id=current["Id"], Service={
                "DnsConfig": {"DnsRecords": [{"Type": record_type, "TTL": int(ttl)}]}})["OperationId"]
            wait_operation(sd, operation)
    tagged, new_tags = apply_tags(
        check_mode, current.get("Tags"), tags, purge_tags,
        lambda add: sd.tag_resource(ResourceARN=current["Arn"], Tags=dict_to_tag_list(add)),
        lambda keys: sd.untag_resource(ResourceARN=current["Arn"], TagKeys=keys))
    after = dict(before, ttl=int(ttl), tags=new_tags)
    return changed or tagged, before, after


def wait_operation(sd, operation_id, timeout=300):
    operation = wait_for(
        lambda: sd.get_operation(OperationId=operation_id)["Operation"],
        lambda op: op["Status"] in ("SUCCESS", "FAIL"), timeout=timeout, what="Cloud Map operation %s" % operation_id)
    if operation["Status"] == "FAIL":
        raise PlatformError("Cloud Map operation %s failed: %s" % (operation_id, operation.get("ErrorMessage")))


def list_instances(sd, service_id):
    out = {}
    for page in sd.get_paginator("list_instances").paginate(ServiceId=service_id):
        for instance in page["Instances"]:
            out[instance["Id"]] = instance.get("Attributes") or {}
    return out


def ensure_instances(sd, check_mode, service_id, wanted):
    """Make the registered instances exactly ``wanted`` ({id: attributes}). Returns the changes."""
    have = list_instances(sd, service_id) if not service_id.startswith("(new") else {}
    changes = []
    for instance_id, attributes in sorted(wanted.items()):
        attributes = {k: str(v) for k, v in attributes.items()}
        if have.get(instance_id) != attributes:
            changes.append("register %s %s" % (instance_id, attributes))
            if not check_mode:
                operation = sd.register_instance(
                    ServiceId=service_id, InstanceId=instance_id, Attributes=attributes,
                    CreatorRequestId=client_token("cloudmap-instance", service_id, instance_id, sorted(attributes.items())),
                )["OperationId"]
                wait_operation(sd, operation)
    for instance_id in sorted(set(have) - set(wanted)):
        changes.append("deregister %s" % instance_id)
        if not check_mode:
            deregister(sd, service_id, instance_id)
    return changes


def deregister(sd, service_id, instance_id):
    try:
        operation = sd.deregister_instance(ServiceId=service_id, InstanceId=instance_id)["OperationId"]
        wait_operation(sd, operation)
    except is_boto3_error_code("InstanceNotFound"):
        pass


def delete_service(sd, check_mode, namespace_id, name, timeout=300):
    """Deregister what is left (ECS deregisters its tasks itself) and delete. True when it existed."""
    current = find_service(sd, namespace_id, name)
    if current is None:
        return False
    if check_mode:
        return True
    for instance_id in list_instances(sd, current["Id"]):
        deregister(sd, current["Id"], instance_id)

    def attempt():
        try:
            sd.delete_service(Id=current["Id"])
            return True
        except is_boto3_error_code("ServiceNotFound"):
            return True
        except is_boto3_error_code("ResourceInUse"):  # pylint: disable=duplicate-except
            return False  # tasks of a deleted ECS service are still deregistering

    wait_for(attempt, bool, timeout=timeout, what="Cloud Map service %s to be free of instances" % name)
    return True
