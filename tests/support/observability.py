"""The observability layer of one environment, checked through the AWS API (not the playbook's output)."""

import json

from tests.support.cis import unmet_controls
from tests.support.harness import PLATFORM
from tests.support.storage import check_bucket_logs_its_requests
from tests.support.workloads import key_arn

# The trail's filters and alarms, one per CIS monitoring control (4.1 to 4.15).
TRAIL_KEYS = ("unauthorized-calls", "console-signin-without-mfa", "root-use", "iam-policy-changes", "cloudtrail-changes",
              "console-auth-failures", "kms-key-disabled-or-deleted", "s3-bucket-policy-changes", "config-changes",
              "security-group-changes", "network-acl-changes", "network-gateway-changes", "route-table-changes",
              "vpc-changes", "organizations-changes")
PLATFORM_TAGS = {"Project": PLATFORM, "ManagedBy": "cloud_design.platform", "Component": "observability"}


def alarms_of(ep, prefix):
    pages = ep.client("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix + "-")
    return {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}


def dashboard_text(ep, prefix):
    return ep.client("cloudwatch").get_dashboard(DashboardName=prefix)["DashboardBody"]


def topic_arn(ep, prefix):
    found = [t["TopicArn"] for t in ep.client("sns").list_topics()["Topics"] if t["TopicArn"].endswith(":%s-alerts" % prefix)]
    assert len(found) == 1, found
    return found[0]


def expected_alarms(ep, env):
    """What should be watched, read from what the endpoint holds: every ECS service of the cluster, every
    load balancer of the environment, every Aurora cluster (with replica lag when it has a reader), the API."""
    prefix = "%s-%s" % (PLATFORM, env)
    ecs = ep.client("ecs")
    services = [s.rsplit("/", 1)[-1] for s in ecs.list_services(cluster=prefix + "-cluster")["serviceArns"]]
    names = []
    for service in services:
        names += ["%s-%s-%s" % (prefix, service, kind) for kind in ("cpu-high", "memory-high", "tasks-missing")]
    for lb in ep.client("elbv2").describe_load_balancers()["LoadBalancers"]:
        if lb["LoadBalancerName"].startswith(prefix + "-"):
            names.append("%s-unhealthy-hosts" % lb["LoadBalancerName"])
    for cluster in ep.client("rds").describe_db_clusters()["DBClusters"]:
        ident = cluster["DBClusterIdentifier"]
        if ident.startswith(prefix + "-"):
            names += ["%s-%s" % (ident, kind) for kind in ("cpu-high", "memory-low", "connections-high")]
            if len(cluster.get("DBClusterMembers", [])) > 1:
                names.append("%s-replica-lag" % ident)
    if [a for a in ep.client("apigatewayv2").get_apis()["Items"] if a["Name"] == prefix]:
        names += ["%s-api-5xx-rate" % prefix, "%s-api-latency-p99" % prefix]
    names += ["%s-trail-%s" % (prefix, k) for k in TRAIL_KEYS]
    return services, sorted(names)


def check_observability(ep, env, services_expected, balancers_expected, databases_expected, alarms_expected, api=True):
    prefix = "%s-%s" % (PLATFORM, env)
    logs_key = key_arn(ep, env, "logs")
    account = ep.client("sts").get_caller_identity()["Account"]

    # The topic: the logs key, publishers limited to four services of this account, TLS only, tagged.
    sns = ep.client("sns")
    topic = topic_arn(ep, prefix)
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["KmsMasterKeyId"] == logs_key
    policy = json.loads(attributes["Policy"])
    publish = [s for s in policy["Statement"] if s["Effect"] == "Allow" and "SNS:Publish" in json.dumps(s["Action"])
               and "Service" in s.get("Principal", {})]
    assert len(publish) == 1 and sorted(publish[0]["Principal"]["Service"]) == [
        "budgets.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com", "events.rds.amazonaws.com"]
    assert publish[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}
    assert any(s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} for s in policy["Statement"])
    tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=topic)["Tags"]}
    assert all(tags.get(k) == v for k, v in dict(PLATFORM_TAGS, Environment=env).items()), tags
    # The key lets those services use it for the topic.
    key_policy = json.loads(ep.client("kms").get_key_policy(KeyId=logs_key, PolicyName="default")["Policy"])
    users = {s["Sid"]: s for s in key_policy["Statement"] if "kms:EncryptionContext:aws:sns:topicArn" in json.dumps(s)}
    assert sorted(users["AlarmsAndBudgetsPublishToThePlatformTopic"]["Principal"]["Service"]) == [
        "budgets.amazonaws.com", "cloudwatch.amazonaws.com"]
    # EventBridge's and RDS's calls to KMS are scoped by the topic alone (EventBridge's carry no aws:SourceAccount).
    events = users["EventBridgeAndRdsEventsPublishToThePlatformTopic"]
    assert events["Principal"]["Service"] == ["events.amazonaws.com", "events.rds.amazonaws.com"]
    assert events["Condition"] == {"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": topic}}

    # One alarm set per deployed service, load balancer, database and the API; each to the topic; no other.
    services, wanted = expected_alarms(ep, env)
    assert sorted(services) == sorted(services_expected)
    alarms = alarms_of(ep, prefix)
    assert sorted(alarms) == wanted
    assert len(alarms) == alarms_expected, sorted(alarms)
    assert len([n for n in wanted if n.endswith("-unhealthy-hosts")]) == balancers_expected
    assert len([n for n in wanted if n.endswith("-connections-high")]) == databases_expected
    assert len([n for n in wanted if n in (prefix + "-api-5xx-rate", prefix + "-api-latency-p99")]) == (2 if api else 0)
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic], alarm["AlarmName"]
    cpu = alarms["%s-%s-cpu-high" % (prefix, services_expected[0])]
    assert {d["Name"]: d["Value"] for d in cpu["Dimensions"]} == {"ClusterName": prefix + "-cluster", "ServiceName": services_expected[0]}
    alarm_tags = {t["Key"]: t["Value"] for t in ep.client("cloudwatch").list_tags_for_resource(ResourceARN=cpu["AlarmArn"])["Tags"]}
    assert all(alarm_tags.get(k) == v for k, v in dict(PLATFORM_TAGS, Environment=env).items()), alarm_tags

    # The dashboard names every deployed service.
    body = dashboard_text(ep, prefix)
    json.loads(body)
    assert all('"%s"' % s in body for s in services_expected), body[:2000]

    # Every log group of the environment: the retention and the logs key.
    groups = ep.client("logs").describe_log_groups(logGroupNamePrefix="/%s/%s/" % (PLATFORM, env))["logGroups"]
    # And those of the Aurora clusters' log exports, which RDS would make unencrypted and kept forever.
    exports = ep.client("logs").describe_log_groups(logGroupNamePrefix="/aws/rds/cluster/%s-" % prefix)["logGroups"]
    assert len(exports) == databases_expected, exports
    groups += exports
    assert "/%s/%s/cloudtrail" % (PLATFORM, env) in [g["logGroupName"] for g in groups]
    assert "/%s/%s/vpc-flow-logs" % (PLATFORM, env) in [g["logGroupName"] for g in groups]
    assert [(g["logGroupName"], g.get("retentionInDays"), g.get("kmsKeyId")) for g in groups
            if g.get("retentionInDays") != 14 or g.get("kmsKeyId") != logs_key] == []

    # The trail: multi-region, validated, encrypted, to the bucket and the log group, logging.
    ct = ep.client("cloudtrail")
    trail = [t for t in ct.describe_trails()["trailList"] if t["Name"] == prefix + "-trail"]
    assert len(trail) == 1
    trail = trail[0]
    bucket = "%s-trail-%s-%s" % (prefix, account, ep.client("sts").meta.region_name)
    assert trail["IsMultiRegionTrail"] is True and trail["LogFileValidationEnabled"] is True
    assert trail["IncludeGlobalServiceEvents"] is True
    assert trail["KmsKeyId"] == logs_key and trail["S3BucketName"] == bucket
    assert trail["CloudWatchLogsLogGroupArn"].split(":log-group:")[1].startswith("/%s/%s/cloudtrail" % (PLATFORM, env))
    assert trail["CloudWatchLogsRoleArn"].endswith(":role/%s-cloudtrail-logs" % prefix)
    assert ct.get_trail_status(Name=trail["TrailARN"])["IsLogging"] is True
    s3 = ep.client("s3")
    bucket_policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert any(s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
               for s in bucket_policy["Statement"])
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert encryption["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": logs_key}
    check_bucket_logs_its_requests(ep, env, bucket)
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    rule = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert rule["Transitions"][0]["StorageClass"] == "GLACIER_IR" and rule["Expiration"]["Days"] == 365
    filters = ep.client("logs").describe_metric_filters(logGroupName="/%s/%s/cloudtrail" % (PLATFORM, env))["metricFilters"]
    assert sorted(f["filterName"] for f in filters) == sorted("%s-%s" % (prefix, k) for k in TRAIL_KEYS)
    assert unmet_controls(ep, topic) == []
    assert all(f["metricTransformations"][0]["metricNamespace"] == "CloudDesign/%s/CloudTrail" % prefix for f in filters)

    # RDS event subscriptions (FSBP RDS.19, RDS.20): the environment's clusters and their instances, by name, to the topic.
    rds = ep.client("rds")
    clusters = {c["DBClusterIdentifier"]: c for c in rds.describe_db_clusters()["DBClusters"]
                if c["DBClusterIdentifier"].startswith(prefix + "-")}
    subscriptions = {s["CustSubscriptionId"]: s for s in rds.describe_event_subscriptions()["EventSubscriptionsList"]
                     if s["CustSubscriptionId"].startswith(prefix + "-")}
    if not clusters:
        assert subscriptions == {}
    else:
        instances = sorted(m["DBInstanceIdentifier"] for c in clusters.values() for m in c["DBClusterMembers"])
        wanted = {prefix + "-db-clusters": ("db-cluster", ["failure", "maintenance"], sorted(clusters)),
                  prefix + "-db-instances": ("db-instance", ["configuration change", "failure", "maintenance"], instances)}
        assert {name: (s["SourceType"], sorted(s["EventCategoriesList"]), sorted(s["SourceIdsList"]))
                for name, s in subscriptions.items()} == wanted
        assert all(s["SnsTopicArn"] == topic and s["Enabled"] for s in subscriptions.values())

    # The budget and its notifications.
    budgets = ep.client("budgets")
    budget = budgets.describe_budget(AccountId=account, BudgetName=prefix + "-monthly")["Budget"]
    assert float(budget["BudgetLimit"]["Amount"]) == 400.0 and budget["TimeUnit"] == "MONTHLY"
    assert budget["CostFilters"] == {"TagKeyValue": ["user:Project$%s" % PLATFORM]}
    notes = budgets.describe_notifications_for_budget(AccountId=account, BudgetName=prefix + "-monthly")["Notifications"]
    assert sorted((n["NotificationType"], float(n["Threshold"])) for n in notes) == [
        ("ACTUAL", 80.0), ("ACTUAL", 100.0), ("FORECASTED", 100.0)]

    # The EventBridge rules and their one target, the topic.
    events = ep.client("events")
    rules = {r["Name"]: r for r in events.list_rules(NamePrefix=prefix + "-")["Rules"]}
    assert sorted(rules) == sorted("%s-%s" % (prefix, k) for k in ("ecs-deployment-failed", "ecs-task-stopped", "inspector-findings"))
    for name, rule in rules.items():
        assert [t["Arn"] for t in events.list_targets_by_rule(Rule=name)["Targets"]] == [topic]
        assert rule["State"] == "ENABLED"
    findings = json.loads(rules[prefix + "-inspector-findings"]["EventPattern"])
    assert findings["detail"]["severity"] == ["HIGH", "CRITICAL"]
    stopped = json.loads(rules[prefix + "-ecs-task-stopped"]["EventPattern"])
    assert stopped["detail"]["clusterArn"] == ["arn:aws:ecs:%s:%s:cluster/%s-cluster" % (ep.client("sts").meta.region_name, account, prefix)]
