"""The endpoint refuses what AWS refuses (tools/endpoint_rules.py), against in-process moto.

The rules are exercised with the policies the roles ship (their templates rendered here) and with the
shapes that AWS refuses, among them the ones the platform shipped before (an EventBridge key statement
behind aws:SourceAccount, CloudTrail's DescribeKey behind an encryption context).
"""

import datetime
import json
import os

import boto3
import botocore.exceptions
import jinja2
import pytest

# tools/ is on sys.path through conftest (which loads endpoint_server, and with it these rules).
import endpoint_rules  # pylint: disable=import-error

from .conftest import REGION, TOP

ACCOUNT = "123456789012"
PREFIX = "shop-dev"
TRAIL = "arn:aws:cloudtrail:%s:%s:trail/%s-trail" % (REGION, ACCOUNT, PREFIX)
TOPIC = "arn:aws:sns:%s:%s:%s-alerts" % (REGION, ACCOUNT, PREFIX)


def render(role, template, **variables):
    path = os.path.join(TOP, "roles", role, "templates")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(path), undefined=jinja2.StrictUndefined)
    return json.loads(env.get_template(template).render(**variables))


def logs_key_policy():
    return render("security_hardening", "key_policy.json.j2", platform_name="shop", platform_env="dev",
                  platform_region=REGION, __security_hardening_purpose="logs",
                  __security_hardening_found={"account": {"account_id": ACCOUNT, "partition": "aws"}})


def trail_bucket_policy(bucket, key_arn):
    return render("observability", "trail_bucket_policy.json.j2", __observability_trail_bucket=bucket,
                  __observability_account=ACCOUNT, __observability_trail=PREFIX + "-trail", platform_region=REGION,
                  __observability_logs_key=key_arn, __observability_partition="aws")


def key(aws, policy):
    return aws("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]


def code(exc_info):
    return exc_info.value.response["Error"]["Code"]


# ---------------------------------------------------------------------------------------------- evaluation
@pytest.mark.parametrize("statement, context, allowed", [
    ({"Effect": "Allow", "Principal": {"Service": "a.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}, {}, True),
    ({"Effect": "Allow", "Principal": {"Service": ["b.amazonaws.com"]}, "Action": "kms:*", "Resource": "*"}, {}, False),
    ({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Gen*", "Resource": "*"}, {}, True),
    ({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}, {}, False),
    ({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
      "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}}, {}, False),
    ({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
      "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "1"}}}, {}, True),
    ({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:SourceAccount": "1"}}}, {}, True),
    ({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
      "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:x:*:1:thing/*"}}}, {"aws:sourcearn": "arn:aws:x:r:1:thing/a"}, True),
    ({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
      "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:x:*:1:thing/*"}}}, {"aws:SourceArn": "arn:aws:x:r:2:thing/a"}, False),
    ({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
      "Condition": {"Null": {"aws:SourceArn": "true"}}}, {}, True),
])
def test_policy_evaluation(statement, context, allowed):
    document = {"Statement": [statement]}
    assert endpoint_rules.policy_allows(document, "a.amazonaws.com", "kms:GenerateDataKey", "*", context) is allowed


def test_an_explicit_deny_wins():
    document = {"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]}
    assert endpoint_rules.policy_allows(document, "x", "s3:PutObject", "arn:aws:s3:::b/k", {"aws:SecureTransport": "true"})
    assert not endpoint_rules.policy_allows(document, "x", "s3:PutObject", "arn:aws:s3:::b/k", {"aws:SecureTransport": "false"})


# ---------------------------------------------------------------------------------------------- CloudTrail
def trail_setup(aws, policy, bucket_key=True):
    key_arn = key(aws, policy)
    bucket = "%s-trail-%s-%s" % (PREFIX, ACCOUNT, REGION)
    s3 = aws("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
        "BucketKeyEnabled": bucket_key}]})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(trail_bucket_policy(bucket, key_arn)))
    return key_arn, bucket


def test_the_shipped_key_and_bucket_policies_let_cloudtrail_create_the_trail(aws):
    key_arn, bucket = trail_setup(aws, logs_key_policy())
    aws("cloudtrail").create_trail(Name=PREFIX + "-trail", S3BucketName=bucket, KmsKeyId=key_arn, IsMultiRegionTrail=True)
    trail = aws("cloudtrail").get_trail(Name=PREFIX + "-trail")["Trail"]
    assert (trail["S3BucketName"], trail["KmsKeyId"]) == (bucket, key_arn)


def test_describe_key_behind_an_encryption_context_is_refused(aws):
    """The platform's key policy before: CloudTrail's DescribeKey carries no encryption context."""
    policy = logs_key_policy()
    for statement in policy["Statement"]:
        if statement.get("Sid", "").startswith("CloudTrail"):
            statement["Action"] = ["kms:GenerateDataKey*", "kms:DescribeKey"]
            statement["Condition"] = {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:%s:trail/*" % ACCOUNT}}
    key_arn, bucket = trail_setup(aws, policy)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aws("cloudtrail").create_trail(Name=PREFIX + "-trail", S3BucketName=bucket, KmsKeyId=key_arn)
    assert code(err) == "InsufficientEncryptionPolicyException"
    assert "kms:DescribeKey" in str(err.value)


def test_a_bucket_key_needs_decrypt(aws):
    policy = logs_key_policy()
    for statement in policy["Statement"]:
        if isinstance(statement["Action"], list) and "kms:Decrypt" in statement["Action"] and "cloudtrail" in json.dumps(statement):
            statement["Action"].remove("kms:Decrypt")
    key_arn, bucket = trail_setup(aws, policy, bucket_key=True)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aws("cloudtrail").create_trail(Name=PREFIX + "-trail", S3BucketName=bucket, KmsKeyId=key_arn)
    assert code(err) == "InsufficientEncryptionPolicyException" and "kms:Decrypt" in str(err.value)


def test_a_bucket_that_refuses_cloudtrail_is_refused(aws):
    key_arn, bucket = trail_setup(aws, logs_key_policy())
    aws("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": "arn:aws:s3:::" + bucket}]}))
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aws("cloudtrail").create_trail(Name=PREFIX + "-trail", S3BucketName=bucket, KmsKeyId=key_arn)
    assert code(err) == "InsufficientS3BucketPolicyException"


def trail_role(aws, name, trust_account=ACCOUNT):
    iam = aws("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": trust_account}}}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="logs", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "arn:aws:logs:%s:%s:log-group:/shop/dev/cloudtrail:log-stream:*" % (REGION, ACCOUNT)}]}))
    return arn


def test_a_role_made_a_moment_ago_is_refused_until_iam_propagates(aws, monkeypatch):
    key_arn, bucket = trail_setup(aws, logs_key_policy())
    group = "arn:aws:logs:%s:%s:log-group:/shop/dev/cloudtrail:*" % (REGION, ACCOUNT)
    role = trail_role(aws, "fresh")
    monkeypatch.setenv("ENDPOINT_IAM_PROPAGATION_SECONDS", "3600")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aws("cloudtrail").create_trail(Name=PREFIX + "-trail", S3BucketName=bucket, KmsKeyId=key_arn,
                                       CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=role)
    assert code(err) == "InvalidCloudWatchLogsRoleArnException"
    monkeypatch.setenv("ENDPOINT_IAM_PROPAGATION_SECONDS", "0")
    aws("cloudtrail").create_trail(Name=PREFIX + "-trail", S3BucketName=bucket, KmsKeyId=key_arn,
                                   CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=role)


def test_a_role_cloudtrail_may_not_assume_is_refused(aws):
    key_arn, bucket = trail_setup(aws, logs_key_policy())
    role = trail_role(aws, "other-account", trust_account="999999999999")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aws("cloudtrail").create_trail(Name=PREFIX + "-trail", S3BucketName=bucket, KmsKeyId=key_arn,
                                       CloudWatchLogsLogGroupArn="arn:aws:logs:%s:%s:log-group:/shop/dev/cloudtrail:*" % (REGION, ACCOUNT),
                                       CloudWatchLogsRoleArn=role)
    assert code(err) == "InvalidCloudWatchLogsRoleArnException"


# ---------------------------------------------------------------------------------------------- CloudWatch Logs
def test_log_groups_take_the_logs_key_only_where_its_policy_lets_cloudwatch_logs(aws):
    key_arn = key(aws, logs_key_policy())
    logs = aws("logs")
    logs.create_log_group(logGroupName="/shop/dev/app", kmsKeyId=key_arn)
    logs.create_log_group(logGroupName="/aws/rds/cluster/%s-inventory-db/postgresql" % PREFIX, kmsKeyId=key_arn)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        logs.create_log_group(logGroupName="/other/app", kmsKeyId=key_arn)
    assert code(err) == "AccessDeniedException"
    logs.create_log_group(logGroupName="/other/app")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        logs.associate_kms_key(logGroupName="/other/app", kmsKeyId=key_arn)
    assert code(err) == "AccessDeniedException"


@pytest.mark.parametrize("kms_key_id", ["not-a-key-at-all", "alias/whatever",
                                        "arn:aws:kms:%s:%s:key/00000000-0000-0000-0000-000000000000" % (REGION, ACCOUNT)])
def test_associate_kms_key_wants_a_key_arn(aws, kms_key_id):
    logs = aws("logs")
    logs.create_log_group(logGroupName="/shop/dev/app")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        logs.associate_kms_key(logGroupName="/shop/dev/app", kmsKeyId=kms_key_id)
    assert code(err) == "InvalidParameterException"
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix="/shop/dev/app")["logGroups"][0]


# ---------------------------------------------------------------------------------------------- publishers to SNS
def topic(aws, key_policy):
    key_arn = key(aws, key_policy)
    sns = aws("sns")
    arn = sns.create_topic(Name=PREFIX + "-alerts", Attributes={"KmsMasterKeyId": key_arn})["TopicArn"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com", "cloudwatch.amazonaws.com", "budgets.amazonaws.com"]},
        "Action": "sns:Publish", "Resource": arn, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}))
    return arn


def source_account_for_eventbridge():
    """The platform's key policy before: EventBridge in the same statement as CloudWatch, behind aws:SourceAccount."""
    policy = logs_key_policy()
    policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != "EventBridgeAndRdsEventsPublishToThePlatformTopic"]
    for statement in policy["Statement"]:
        if statement.get("Sid") == "AlarmsAndBudgetsPublishToThePlatformTopic":
            statement["Principal"]["Service"].append("events.amazonaws.com")
    return policy


def test_eventbridge_publishes_to_the_encrypted_topic_with_the_shipped_key_policy(aws):
    arn = topic(aws, logs_key_policy())
    events = aws("events")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["aws.ecs"]}))
    assert events.put_targets(Rule="r", Targets=[{"Id": "alerts", "Arn": arn}])["FailedEntryCount"] == 0
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule="r")["Targets"]] == [arn]


def test_eventbridge_behind_aws_source_account_in_the_key_policy_is_refused(aws):
    arn = topic(aws, source_account_for_eventbridge())
    events = aws("events")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["aws.ecs"]}))
    with pytest.raises(botocore.exceptions.ClientError) as err:
        events.put_targets(Rule="r", Targets=[{"Id": "alerts", "Arn": arn}])
    assert code(err) == "ValidationException" and "events.amazonaws.com" in str(err.value)


def test_alarms_publish_with_the_shipped_policy_and_not_without_their_statement(aws):
    arn = topic(aws, logs_key_policy())
    cloudwatch = aws("cloudwatch")
    alarm = dict(AlarmName="a", MetricName="m", Namespace="n", Statistic="Sum", Period=60, EvaluationPeriods=1,
                 Threshold=1.0, ComparisonOperator="GreaterThanThreshold", AlarmActions=[arn])
    cloudwatch.put_metric_alarm(**alarm)
    aws("sns").set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps({"Statement": []}))
    with pytest.raises(botocore.exceptions.ClientError) as err:
        cloudwatch.put_metric_alarm(**alarm)
    assert "topic policy" in str(err.value)


def test_budgets_publish_only_through_a_key_that_lets_them(aws):
    policy = logs_key_policy()
    policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != "AlarmsAndBudgetsPublishToThePlatformTopic"]
    arn = topic(aws, policy)
    budget = {"BudgetName": PREFIX + "-monthly", "BudgetLimit": {"Amount": "10", "Unit": "USD"}, "TimeUnit": "MONTHLY",
              "BudgetType": "COST"}
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aws("budgets").create_budget(AccountId=ACCOUNT, Budget=budget, NotificationsWithSubscribers=[{
            "Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80.0},
            "Subscribers": [{"SubscriptionType": "SNS", "Address": arn}]}])
    assert "budgets.amazonaws.com" in str(err.value)


# ---------------------------------------------------------------------------------------------- Aurora log exports
def test_aurora_log_exports_make_an_unencrypted_group_that_never_expires(aws):
    aws("rds").create_db_cluster(DBClusterIdentifier=PREFIX + "-inventory-db", Engine="aurora-postgresql",
                                 MasterUsername="app", MasterUserPassword="secret-password-1",
                                 EnableCloudwatchLogsExports=["postgresql"])
    group = aws("logs").describe_log_groups(logGroupNamePrefix="/aws/rds/cluster/")["logGroups"]
    assert [(g["logGroupName"], g.get("kmsKeyId"), g.get("retentionInDays")) for g in group] == [
        ("/aws/rds/cluster/%s-inventory-db/postgresql" % PREFIX, None, None)]


def test_an_existing_export_group_is_kept_as_it_is(aws):
    key_arn = key(aws, logs_key_policy())
    name = "/aws/rds/cluster/%s-inventory-db/postgresql" % PREFIX
    aws("logs").create_log_group(logGroupName=name, kmsKeyId=key_arn)
    aws("rds").create_db_cluster(DBClusterIdentifier=PREFIX + "-inventory-db", Engine="aurora-postgresql",
                                 MasterUsername="app", MasterUserPassword="secret-password-1",
                                 EnableCloudwatchLogsExports=["postgresql"])
    assert aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["kmsKeyId"] == key_arn


def test_waf_logs_only_to_a_destination_named_aws_waf_logs(aws):
    acl = aws("wafv2").create_web_acl(Name="acl", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig={
        "SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "acl"})["Summary"]["ARN"]
    group = "arn:aws:logs:%s:%s:log-group:%%s" % (REGION, ACCOUNT)
    for wrong in (group % (PREFIX + "-edge"), group % ("/aws/waf/" + PREFIX), "arn:aws:s3:::" + PREFIX + "-waf",
                  "arn:aws:firehose:%s:%s:deliverystream/%s-waf" % (REGION, ACCOUNT, PREFIX)):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            aws("wafv2").put_logging_configuration(LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": [wrong]})
        assert code(err) == "WAFInvalidParameterException", wrong
    for right in (group % ("aws-waf-logs-" + PREFIX + "-edge"), "arn:aws:s3:::aws-waf-logs-" + PREFIX):
        aws("wafv2").put_logging_configuration(LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": [right]})
        assert aws("wafv2").get_logging_configuration(ResourceArn=acl)["LoggingConfiguration"]["LogDestinationConfigs"] == [right]


# ---------------------------------------------------------------------------------------------- time
def test_waf_refuses_a_load_balancer_until_it_is_active(aws, monkeypatch):
    monkeypatch.setenv("ENDPOINT_LB_PROVISIONING_SECONDS", "3600")
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i, AvailabilityZone=REGION + z)["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    lb = aws("elbv2").create_load_balancer(Name="edge", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    acl = aws("wafv2").create_web_acl(Name="acl", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig={
        "SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "acl"})["Summary"]["ARN"]
    assert aws("elbv2").describe_load_balancers(LoadBalancerArns=[lb])["LoadBalancers"][0]["State"]["Code"] == "provisioning"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aws("wafv2").associate_web_acl(WebACLArn=acl, ResourceArn=lb)
    assert code(err) == "WAFUnavailableEntityException"
    monkeypatch.setenv("ENDPOINT_LB_PROVISIONING_SECONDS", "0")
    assert aws("elbv2").describe_load_balancers(LoadBalancerArns=[lb])["LoadBalancers"][0]["State"]["Code"] == "active"
    aws("wafv2").associate_web_acl(WebACLArn=acl, ResourceArn=lb)


def test_the_tagging_api_lags_behind_a_new_certificate(aws, monkeypatch):
    monkeypatch.setenv("ENDPOINT_TAGGING_LAG_SECONDS", "3600")
    arn = aws("acm").request_certificate(DomainName="shop.example.test", Tags=[{"Key": "Name", "Value": "edge"}])["CertificateArn"]

    def tagged():
        return [r["ResourceARN"] for r in aws("resourcegroupstaggingapi").get_resources(
            ResourceTypeFilters=["acm:certificate"])["ResourceTagMappingList"]]
    assert not tagged()
    monkeypatch.setenv("ENDPOINT_TAGGING_LAG_SECONDS", "0")
    assert tagged() == [arn]


# ---------------------------------------------------------------------------------------------- authorization
def user_client(aws, service, actions, name="deployer"):
    """A client of a user allowed exactly these actions."""
    iam = aws("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.client(service, region_name=REGION, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


@pytest.fixture
def enforced(monkeypatch):
    """Call it to enforce IAM from the next request on (moto's INITIAL_NO_AUTH_ACTION_COUNT)."""
    from moto import settings  # pylint: disable=import-outside-toplevel
    from moto.core.authorization import ActionAuthenticatorMixin  # pylint: disable=import-outside-toplevel

    def on():
        monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
        monkeypatch.setattr(ActionAuthenticatorMixin, "request_count", 0)
    return on


@pytest.mark.parametrize("service, call, allowed, misnamed", [
    # API Gateway authorizes the HTTP method (Service Authorization Reference), not apigateway:CreateApi.
    ("apigatewayv2", lambda c: c.create_api(Name="a", ProtocolType="HTTP"), "apigateway:POST", "apigateway:CreateApi"),
    # CloudWatch signs as monitoring but authorizes cloudwatch:*.
    ("cloudwatch", lambda c: c.describe_alarms(), "cloudwatch:DescribeAlarms", "monitoring:DescribeAlarms"),
    # S3 authorizes HeadBucket as s3:ListBucket.
    ("s3", lambda c: c.head_bucket(Bucket="shop-dev-bucket"), "s3:ListBucket", "s3:HeadBucket"),
])
def test_requests_are_authorized_as_the_actions_aws_names(aws, enforced, service, call, allowed, misnamed):
    aws("s3").create_bucket(Bucket="shop-dev-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    granted = user_client(aws, service, [allowed], "granted")
    misgranted = user_client(aws, service, [misnamed], "misgranted")
    enforced()
    call(granted)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call(misgranted)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_signed_request_without_a_body_is_authenticated(aws, enforced):
    """moto signed a bodyless GET over its parsed parameters: GuardDuty's ListDetectors never matched."""
    client = user_client(aws, "guardduty", ["guardduty:ListDetectors"])
    enforced()
    assert client.list_detectors()["DetectorIds"] == []


# ---------------------------------------------------------------------------------------------- load balancer access logs
LOGS_BUCKET = "shop-dev-lb-logs-%s-%s" % (ACCOUNT, REGION)


def access_logs_policy():
    return render("load_balancers", "access_logs_policy.json.j2", __load_balancers_bucket=LOGS_BUCKET, platform_name="shop",
                  platform_env="dev", __load_balancers_account=ACCOUNT, __load_balancers_partition="aws", platform_region=REGION,
                  __load_balancers_elb_accounts={REGION: endpoint_rules.ELB_ACCOUNTS[REGION]})


def balancer(aws, kind):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.%d.0/24" % i, AvailabilityZone=REGION + z)["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    return aws("elbv2").create_load_balancer(Name="lb-" + kind, Subnets=subnets, Type=kind)["LoadBalancers"][0]["LoadBalancerArn"]


def enable_logs(aws, arn):
    aws("elbv2").modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
        {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": LOGS_BUCKET},
        {"Key": "access_logs.s3.prefix", "Value": "shop/dev"}])


@pytest.mark.parametrize("kind", ["application", "network"])
def test_access_logs_go_to_a_bucket_whose_policy_lets_the_service_write(aws, kind):
    s3 = aws("s3")
    s3.create_bucket(Bucket=LOGS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    arn = balancer(aws, kind)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        enable_logs(aws, arn)  # no policy yet
    assert code(err) == "InvalidConfigurationRequest" and "Access Denied for bucket" in str(err.value)
    s3.put_bucket_policy(Bucket=LOGS_BUCKET, Policy=json.dumps(access_logs_policy()))
    enable_logs(aws, arn)


def test_alb_access_logs_refuse_a_kms_bucket(aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket=LOGS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_policy(Bucket=LOGS_BUCKET, Policy=json.dumps(access_logs_policy()))
    s3.put_bucket_encryption(Bucket=LOGS_BUCKET, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    with pytest.raises(botocore.exceptions.ClientError) as err:
        enable_logs(aws, balancer(aws, "application"))
    assert "SSE-S3" in str(err.value)


# ---------------------------------------------------------------------------------------- RDS event subscriptions
def rds_topic(aws, key_policy=None, rds_may_publish=True):
    """The alert topic as the observability role makes it (its publishers, the shipped logs key), or without RDS."""
    arn = topic(aws, key_policy or logs_key_policy())
    services = ["events.amazonaws.com", "cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    services += ["events.rds.amazonaws.com"] if rds_may_publish else []
    aws("sns").set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": services}, "Action": "sns:Publish", "Resource": arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}))
    aws("rds").create_db_cluster(DBClusterIdentifier=PREFIX + "-inventory-db", Engine="aurora-postgresql",
                                 MasterUsername="admin_user", MasterUserPassword="not-a-real-password-1")
    return arn


def subscribe(aws, arn, sources, name=PREFIX + "-db-clusters"):
    return aws("rds").create_event_subscription(SubscriptionName=name, SnsTopicArn=arn, SourceType="db-cluster",
                                                SourceIds=sources, EventCategories=["failure"], Enabled=True)


def test_rds_publishes_to_the_encrypted_topic_with_the_shipped_key_policy(aws):
    arn = rds_topic(aws)
    made = subscribe(aws, arn, [PREFIX + "-inventory-db"])["EventSubscription"]
    assert (made["SnsTopicArn"], made["SourceIdsList"], made["Enabled"]) == (arn, [PREFIX + "-inventory-db"], True)


def test_rds_subscription_refusals(aws):
    """CreateEventSubscription's errors (Amazon RDS API Reference): SourceNotFound, SNSTopicArnNotFound, and
    SNSNoAuthorization for a topic whose policy, or whose key, does not let RDS publish."""
    arn = rds_topic(aws, rds_may_publish=False)
    for sources, target, code in (([PREFIX + "-missing-db"], arn, "SourceNotFound"),
                                  ([PREFIX + "-inventory-db"], arn + "-gone", "SNSTopicArnNotFound"),
                                  ([PREFIX + "-inventory-db"], arn, "SNSNoAuthorization")):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            subscribe(aws, target, sources)
        assert err.value.response["Error"]["Code"] == code


def test_rds_behind_a_key_that_does_not_admit_it_is_refused(aws):
    policy = logs_key_policy()
    for statement in policy["Statement"]:
        if statement.get("Sid") == "EventBridgeAndRdsEventsPublishToThePlatformTopic":
            statement["Principal"]["Service"] = "events.amazonaws.com"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        subscribe(aws, rds_topic(aws, policy), [PREFIX + "-inventory-db"])
    assert err.value.response["Error"]["Code"] == "SNSNoAuthorization"
    assert "encrypted with" in err.value.response["Error"]["Message"]


def test_the_default_topic_policy_admits_the_accounts_services(aws):
    """SNS's default topic policy admits every principal of the account by AWS:SourceOwner; RDS (and CloudWatch) may
    publish to such a topic (Amazon RDS User Guide, "Granting permissions to publish notifications")."""
    arn = aws("sns").create_topic(Name=PREFIX + "-plain")["TopicArn"]
    aws("rds").create_db_cluster(DBClusterIdentifier=PREFIX + "-inventory-db", Engine="aurora-postgresql",
                                 MasterUsername="admin_user", MasterUserPassword="not-a-real-password-1")
    subscribe(aws, arn, [PREFIX + "-inventory-db"])
    listed = aws("rds").describe_event_subscriptions()["EventSubscriptionsList"]
    assert [(e["CustSubscriptionId"], e["SnsTopicArn"]) for e in listed] == [(PREFIX + "-db-clusters", arn)]


def test_rds_subscription_calls_moto_lacks(aws):
    """ModifyEventSubscription, AddSourceIdentifierToSubscription, RemoveSourceIdentifierFromSubscription (Amazon RDS
    API Reference), with their errors: SubscriptionNotFound, SourceNotFound."""
    rds = aws("rds")
    arn = rds_topic(aws)
    subscribe(aws, arn, [PREFIX + "-inventory-db"])
    rds.create_db_cluster(DBClusterIdentifier=PREFIX + "-billing-db", Engine="aurora-postgresql",
                          MasterUsername="admin_user", MasterUserPassword="not-a-real-password-1")
    name = PREFIX + "-db-clusters"
    changed = rds.modify_event_subscription(SubscriptionName=name, EventCategories=["failure", "maintenance"],
                                            Enabled=False)["EventSubscription"]
    assert (changed["EventCategoriesList"], changed["Enabled"]) == (["failure", "maintenance"], False)
    added = rds.add_source_identifier_to_subscription(SubscriptionName=name, SourceIdentifier=PREFIX + "-billing-db")
    assert added["EventSubscription"]["SourceIdsList"] == [PREFIX + "-inventory-db", PREFIX + "-billing-db"]
    removed = rds.remove_source_identifier_from_subscription(SubscriptionName=name, SourceIdentifier=PREFIX + "-inventory-db")
    assert removed["EventSubscription"]["SourceIdsList"] == [PREFIX + "-billing-db"]
    for call, kwargs, code in (
            (rds.add_source_identifier_to_subscription, {"SourceIdentifier": PREFIX + "-missing-db"}, "SourceNotFound"),
            (rds.remove_source_identifier_from_subscription, {"SourceIdentifier": PREFIX + "-inventory-db"}, "SourceNotFound"),
            (rds.modify_event_subscription, {"SubscriptionName": "nothing-here", "Enabled": True}, "SubscriptionNotFound")):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            call(**dict({"SubscriptionName": name}, **kwargs))
        assert err.value.response["Error"]["Code"] == code
    assert rds.describe_event_subscriptions()["EventSubscriptionsList"][0]["SourceIdsList"] == [PREFIX + "-billing-db"]


# ---------------------------------------------------------------------------------------------- cluster parameter groups
def cluster(aws, name, version="16.6", **kwargs):
    return aws("rds").create_db_cluster(DBClusterIdentifier=name, Engine="aurora-postgresql", EngineVersion=version,
                                        MasterUsername="admin_user", MasterUserPassword="not-a-real-password-1",
                                        **kwargs)["DBCluster"]


def test_a_cluster_takes_only_an_existing_parameter_group_of_its_family(aws):
    """CreateDBCluster / ModifyDBCluster (Amazon RDS API Reference: DBClusterParameterGroupNotFound) and the family
    rule (Amazon Aurora User Guide, "Parameter groups for Amazon Aurora"); moto took any name and any family."""
    rds = aws("rds")
    name = PREFIX + "-inventory-db"
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=name, DBParameterGroupFamily="aurora-postgresql15",
                                          Description="TLS only")
    for group, expected in ((PREFIX + "-missing", "DBClusterParameterGroupNotFound"), (name, "InvalidParameterCombination")):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            cluster(aws, name, DBClusterParameterGroupName=group)
        assert code(err) == expected
    assert cluster(aws, name, version="15.8", DBClusterParameterGroupName=name)["DBClusterParameterGroup"] == name
    assert cluster(aws, PREFIX + "-billing-db")["DBClusterParameterGroup"] == "default.aurora-postgresql16"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        rds.modify_db_cluster(DBClusterIdentifier=name, DBClusterParameterGroupName=PREFIX + "-missing")
    assert code(err) == "DBClusterParameterGroupNotFound"


def test_a_parameter_group_in_use_is_not_deleted(aws):
    """DeleteDBClusterParameterGroup (Amazon RDS API Reference): InvalidDBParameterGroupState while a cluster uses
    the group; moto deleted it."""
    rds = aws("rds")
    name = PREFIX + "-billing-db"
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=name, DBParameterGroupFamily="aurora-postgresql16",
                                          Description="TLS only")
    cluster(aws, name, DBClusterParameterGroupName=name)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName=name)
    assert code(err) == "InvalidDBParameterGroupState"
    rds.delete_db_cluster(DBClusterIdentifier=name, SkipFinalSnapshot=True)
    rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName=name)
    assert rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"] == []


def test_iam_authentication_turned_on_for_an_existing_cluster_is_reported(aws):
    """ModifyDBCluster EnableIAMDatabaseAuthentication (Amazon RDS API Reference); moto dropped it."""
    rds = aws("rds")
    name = PREFIX + "-inventory-db"
    assert cluster(aws, name)["IAMDatabaseAuthenticationEnabled"] is False
    rds.modify_db_cluster(DBClusterIdentifier=name, EnableIAMDatabaseAuthentication=True, ApplyImmediately=True)
    assert rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["IAMDatabaseAuthenticationEnabled"] is True


# ---------------------------------------------------------------------------------------------- bucket policies
def test_bucket_policy_conditions_and_principals_are_read(aws):
    """A Deny conditioned on aws:SecureTransport false does not deny a TLS request of the account, and an Allow
    for a service principal admits no one else (moto read neither: every object read and delete was denied)."""
    s3 = aws("s3")
    bucket = PREFIX + "-s3-access-%s-%s" % (ACCOUNT, REGION)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=bucket, Key="log", Body=b"1")
    policy = {"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::%s/*" % bucket},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::" + bucket, "arn:aws:s3:::%s/*" % bucket],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    backend_bucket = __import__("moto.s3.models", fromlist=["s3_backends"]).s3_backends[ACCOUNT]["aws"].buckets[bucket]
    result = __import__("moto.iam.access_control", fromlist=["PermissionResult"]).PermissionResult
    assert backend_bucket.get_permission("s3:DeleteObject", "arn:aws:s3:::%s/log" % bucket) == result.NEUTRAL
    assert backend_bucket.get_permission("s3:PutObject", "arn:aws:s3:::%s/log" % bucket) == result.NEUTRAL
    policy["Statement"][1]["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert backend_bucket.get_permission("s3:DeleteObject", "arn:aws:s3:::%s/log" % bucket) == result.DENIED


# ---------------------------------------------------------------------------------------------- AWS Backup
def backup_plan(aws, name=PREFIX + "-backup"):
    return aws("backup").create_backup_plan(BackupPlan={"BackupPlanName": name, "Rules": [
        {"RuleName": "daily", "TargetBackupVaultName": PREFIX + "-backup", "ScheduleExpression": "cron(0 3 * * ? *)",
         "Lifecycle": {"DeleteAfterDays": 7}}]})["BackupPlanId"]


def test_backup_selections_and_plan_updates_moto_lacks(aws):
    """CreateBackupSelection, GetBackupSelection, ListBackupSelections, DeleteBackupSelection and UpdateBackupPlan (AWS
    Backup API reference); DeleteBackupPlan refuses a plan that still has selections (InvalidRequestException)."""
    backup = aws("backup")
    plan_id = backup_plan(aws)
    role = "arn:aws:iam::%s:role/%s-backup" % (ACCOUNT, PREFIX)
    selection = {"SelectionName": PREFIX + "-data", "IamRoleArn": role,
                 "Resources": ["arn:aws:rds:%s:%s:cluster:%s-*" % (REGION, ACCOUNT, PREFIX)],
                 "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/Project", "ConditionValue": "shop"}]}}
    made = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=selection)
    listed = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    assert [(s["SelectionId"], s["SelectionName"], s["IamRoleArn"]) for s in listed] == [(made["SelectionId"], PREFIX + "-data", role)]
    assert backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=made["SelectionId"])["BackupSelection"] == selection
    with pytest.raises(botocore.exceptions.ClientError) as err:
        backup.delete_backup_plan(BackupPlanId=plan_id)
    assert code(err) == "InvalidRequestException"
    version = backup.get_backup_plan(BackupPlanId=plan_id)["VersionId"]
    updated = backup.update_backup_plan(BackupPlanId=plan_id, BackupPlan={"BackupPlanName": PREFIX + "-backup", "Rules": [
        {"RuleName": "daily", "TargetBackupVaultName": PREFIX + "-backup", "Lifecycle": {"DeleteAfterDays": 35}}]})
    assert updated["VersionId"] != version
    assert backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]["Rules"][0]["Lifecycle"] == {"DeleteAfterDays": 35}
    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=made["SelectionId"])
    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []
    backup.delete_backup_plan(BackupPlanId=plan_id)
    assert backup.list_backup_plans()["BackupPlansList"] == []
    # a deleted plan's name may be used again (moto refused it)
    assert backup_plan(aws) != plan_id


def test_a_vault_with_recovery_points_is_not_deleted(aws):
    """StartBackupJob, ListRecoveryPointsByBackupVault, DeleteRecoveryPoint (AWS Backup API reference); DeleteBackupVault
    deletes only an empty vault (its API reference; moto deleted any)."""
    backup = aws("backup")
    backup.create_backup_vault(BackupVaultName=PREFIX + "-backup")
    cluster_arn = "arn:aws:rds:%s:%s:cluster:%s-inventory-db" % (REGION, ACCOUNT, PREFIX)
    job = backup.start_backup_job(BackupVaultName=PREFIX + "-backup", ResourceArn=cluster_arn,
                                  IamRoleArn="arn:aws:iam::%s:role/%s-backup" % (ACCOUNT, PREFIX))
    assert job["RecoveryPointArn"].startswith("arn:aws:rds:%s:%s:cluster-snapshot:awsbackup:job-" % (REGION, ACCOUNT))
    points = backup.list_recovery_points_by_backup_vault(BackupVaultName=PREFIX + "-backup")["RecoveryPoints"]
    assert [(p["RecoveryPointArn"], p["ResourceArn"], p["ResourceType"]) for p in points] == [(job["RecoveryPointArn"], cluster_arn, "Aurora")]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        backup.delete_backup_vault(BackupVaultName=PREFIX + "-backup")
    assert code(err) == "InvalidRequestException"
    backup.delete_recovery_point(BackupVaultName=PREFIX + "-backup", RecoveryPointArn=job["RecoveryPointArn"])
    backup.delete_backup_vault(BackupVaultName=PREFIX + "-backup")
    assert backup.list_backup_vaults()["BackupVaultList"] == []
    with pytest.raises(botocore.exceptions.ClientError) as err:
        backup.delete_backup_vault(BackupVaultName=PREFIX + "-backup")
    assert code(err) == "ResourceNotFoundException"


@pytest.mark.parametrize("method, path", [
    ("PUT", "/backup-jobs"),
    ("GET", "/backup-vaults/shop-dev-backup/recovery-points/"),
    ("DELETE", "/backup-vaults/shop-dev-backup/recovery-points/arn:aws:backup:eu-west-1:123456789012:recovery-point:AB-12"),
    ("PUT", "/backup/plans/0123-abcd/selections/"),
    ("GET", "/backup/plans/0123-abcd/selections/4567-ef01"),
])
def test_the_served_endpoint_routes_the_backup_calls_as_the_sdk_sends_them(method, path):
    """The server's routes, not only in-process moto's: a route that drops the SDK's trailing slash answers 404."""
    from moto.moto_server.werkzeug_app import create_backend_app  # pylint: disable=import-outside-toplevel

    # match() raises NotFound for a path no route takes
    endpoint, _args = create_backend_app("backup").url_map.bind("backup.eu-west-1.amazonaws.com").match(path, method=method)
    assert endpoint


def fargate_task_definition(aws):
    """A Fargate task definition sized for the task only, as the platform registers them."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=PREFIX + "-job", Description="job", VpcId=vpc)["GroupId"]
    ecs = aws("ecs")
    ecs.create_cluster(clusterName=PREFIX + "-cluster")
    arn = ecs.register_task_definition(family=PREFIX + "-job", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                       cpu="256", memory="512",
                                       containerDefinitions=[{"name": "job", "image": "busybox"}])["taskDefinition"]["taskDefinitionArn"]
    return {"cluster": PREFIX + "-cluster", "taskDefinition": arn, "launchType": "FARGATE",
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": [subnet], "securityGroups": [group], "assignPublicIp": "DISABLED"}}}


def test_run_task_sizes_a_fargate_task_by_its_own_memory(aws):
    """Container memory is optional where the task sets it (Amazon ECS Developer Guide, task definition parameters)."""
    request = fargate_task_definition(aws)
    started = aws("ecs").run_task(**request)
    assert len(started["tasks"]) == 1 and started["failures"] == []


def test_run_task_starts_one_task_per_client_token(aws):
    """Amazon ECS API Reference, "Ensuring idempotency": the same token and parameters get the first call's task; the
    token with other parameters is refused (ConflictException); another token starts another task."""
    ecs = aws("ecs")
    request = fargate_task_definition(aws)
    first = ecs.run_task(clientToken="a" * 64, **request)["tasks"][0]["taskArn"]
    assert ecs.run_task(clientToken="a" * 64, **request)["tasks"][0]["taskArn"] == first
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ecs.run_task(clientToken="a" * 64, startedBy="someone-else", **request)
    assert code(err) == "ConflictException"
    assert ecs.run_task(clientToken="b" * 64, **request)["tasks"][0]["taskArn"] != first
    assert len(ecs.list_tasks(cluster=request["cluster"])["taskArns"]) == 2


def test_a_service_describes_its_deployment_settings(aws):
    """Amazon ECS API Reference, CreateService and DescribeServices: the service keeps its deploymentConfiguration
    (maximumPercent 200 and minimumHealthyPercent 100 when not given; DeploymentConfiguration), its capacity provider
    strategy and its health check grace period, and describes them. moto dropped all three, so nothing read back
    what a deployment of the one broker on its data directory (0 % / 100 %) relies on."""
    ecs = aws("ecs")
    request = fargate_task_definition(aws)
    common = {"cluster": request["cluster"], "taskDefinition": request["taskDefinition"], "desiredCount": 1,
              "networkConfiguration": request["networkConfiguration"]}
    ecs.create_service(serviceName="broker", capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
                       deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 0,
                                                "deploymentCircuitBreaker": {"enable": True, "rollback": True}},
                       healthCheckGracePeriodSeconds=60, **common)
    ecs.create_service(serviceName="plain", launchType="FARGATE", **common)
    described = {s["serviceName"]: s for s in ecs.describe_services(cluster=request["cluster"], services=["broker", "plain"])["services"]}
    broker, plain = described["broker"], described["plain"]
    assert broker["deploymentConfiguration"] == {"maximumPercent": 100, "minimumHealthyPercent": 0,
                                                 "deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    assert broker["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    assert "launchType" not in broker
    assert broker["healthCheckGracePeriodSeconds"] == 60
    assert plain["deploymentConfiguration"] == {"maximumPercent": 200, "minimumHealthyPercent": 100,
                                                "deploymentCircuitBreaker": {"enable": False, "rollback": False}}
    assert "capacityProviderStrategy" not in plain and plain["launchType"] == "FARGATE"


def test_a_stopped_task_releases_its_network_interface(aws):
    """Amazon ECS Developer Guide, Fargate task networking: the task's ENI is deleted when it stops, so its security
    group and subnet can be deleted afterwards (moto kept it)."""
    ecs, ec2 = aws("ecs"), aws("ec2")
    request = fargate_task_definition(aws)
    arn = ecs.run_task(**request)["tasks"][0]["taskArn"]
    group = request["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"][0]
    in_use = ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [group]}])["NetworkInterfaces"]
    assert len(in_use) == 1
    status = None
    for dummy in range(10):
        status = ecs.describe_tasks(cluster=request["cluster"], tasks=[arn])["tasks"][0]["lastStatus"]
        if status == "STOPPED":
            break
    assert status == "STOPPED"
    assert ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [group]}])["NetworkInterfaces"] == []
    ec2.delete_security_group(GroupId=group)


def test_list_task_definitions_sorts_and_pages_as_aws(aws):
    """Amazon ECS API Reference, ListTaskDefinitions: sort=DESC with maxResults=1 answers the family's latest revision
    (moto answered the oldest, and ecs_workload then registered a new revision on every run after the second)."""
    ecs = aws("ecs")
    for image in ("a", "b", "c"):
        ecs.register_task_definition(family=PREFIX + "-app", containerDefinitions=[{"name": "app", "image": image, "memory": 64}])
    ecs.register_task_definition(family=PREFIX + "-other", containerDefinitions=[{"name": "o", "image": "o", "memory": 64}])
    latest = ecs.list_task_definitions(familyPrefix=PREFIX + "-app", status="ACTIVE", sort="DESC", maxResults=1)
    assert [a.rsplit(":", 1)[-1] for a in latest["taskDefinitionArns"]] == ["3"] and latest.get("nextToken")
    following = ecs.list_task_definitions(familyPrefix=PREFIX + "-app", sort="DESC", maxResults=1, nextToken=latest["nextToken"])
    assert [a.rsplit(":", 1)[-1] for a in following["taskDefinitionArns"]] == ["2"]
    every = [a.rsplit("/", 1)[-1] for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix=PREFIX + "-app")
             for a in page["taskDefinitionArns"]]
    assert every == [PREFIX + "-app:1", PREFIX + "-app:2", PREFIX + "-app:3"]


def test_network_acl_rules_keep_their_icmp_type_and_code(aws):
    """Amazon EC2 API Reference, CreateNetworkAclEntry / ReplaceNetworkAclEntry: an ICMP rule's IcmpTypeCode is kept and
    described (moto dropped it, so a rule for "fragmentation needed" read back as every ICMP message)."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=10, Protocol="1", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", IcmpTypeCode={"Type": 3, "Code": 4})

    def icmp():
        entries = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
        return [e.get("IcmpTypeCode") for e in entries if e["RuleNumber"] == 10]
    assert icmp() == [{"Type": 3, "Code": 4}]
    ec2.replace_network_acl_entry(NetworkAclId=acl, RuleNumber=10, Protocol="1", RuleAction="allow", Egress=False,
                                  CidrBlock="0.0.0.0/0", IcmpTypeCode={"Type": 0, "Code": -1})
    assert icmp() == [{"Type": 0, "Code": -1}]


def test_an_rds_managed_master_secret_rotates_every_seven_days(aws):
    """Amazon Aurora User Guide, "Password management with Amazon Aurora and AWS Secrets Manager": RDS rotates the secret it
    manages every seven days by default (moto made it with rotation off)."""
    rds = aws("rds")
    cluster = rds.create_db_cluster(DBClusterIdentifier=PREFIX + "-db", Engine="aurora-postgresql", MasterUsername="master",
                                    ManageMasterUserPassword=True)["DBCluster"]
    secret = aws("secretsmanager").describe_secret(SecretId=cluster["MasterUserSecret"]["SecretArn"])
    assert secret["RotationEnabled"] is True and secret["RotationRules"]["AutomaticallyAfterDays"] == 7


def test_list_resources_for_web_acl_answers_the_associated_load_balancers(aws):
    """AWS WAF API Reference, ListResourcesForWebACL: the resources of a type associated with the web ACL (moto: 500)."""
    ec2, elb, waf = aws("ec2"), aws("elbv2"), aws("wafv2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.%d.0/24" % i, AvailabilityZone="eu-west-1" + z)["Subnet"]["SubnetId"]
               for i, z in enumerate("ab")]
    alb = elb.create_load_balancer(Name=PREFIX + "-edge", Subnets=subnets, Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    acl = waf.create_web_acl(Name=PREFIX + "-edge", Scope="REGIONAL", DefaultAction={"Allow": {}},
                             VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "edge"})["Summary"]["ARN"]
    assert waf.list_resources_for_web_acl(WebACLArn=acl)["ResourceArns"] == []
    waf.associate_web_acl(WebACLArn=acl, ResourceArn=alb)
    assert waf.list_resources_for_web_acl(WebACLArn=acl, ResourceType="APPLICATION_LOAD_BALANCER")["ResourceArns"] == [alb]
    assert waf.list_resources_for_web_acl(WebACLArn=acl, ResourceType="COGNITO_USER_POOL")["ResourceArns"] == []
    with pytest.raises(botocore.exceptions.ClientError, match="WAFNonexistentItemException"):
        waf.list_resources_for_web_acl(WebACLArn=acl.replace(acl.rsplit("/", 1)[1], "00000000-0000-0000-0000-000000000000"))


def test_guardduty_names_the_administrator_of_a_member(aws):
    """Amazon GuardDuty API Reference, GetAdministratorAccount: a member reads its administrator (moto's answer used keys the
    SDKs drop, so every account read as unmanaged)."""
    gd = aws("guardduty")
    detector = gd.create_detector(Enable=True)["DetectorId"]
    assert "Administrator" not in gd.get_administrator_account(DetectorId=detector)
    aws("organizations").create_organization(FeatureSet="ALL")
    gd.enable_organization_admin_account(AdminAccountId="111122223333")
    assert gd.get_administrator_account(DetectorId=detector)["Administrator"]["AccountId"] == "111122223333"


def test_guardduty_reports_s3_protection_in_its_data_sources(aws):
    """Amazon GuardDuty User Guide, "Feature names for protection plans in GuardDuty API": S3 Protection turned on as the
    S3_DATA_EVENTS feature reads as the s3Logs data source too (moto reported it DISABLED)."""
    gd = aws("guardduty")
    plain = gd.create_detector(Enable=True)["DetectorId"]
    assert gd.get_detector(DetectorId=plain)["DataSources"]["S3Logs"]["Status"] == "DISABLED"
    gd.delete_detector(DetectorId=plain)
    protected = gd.create_detector(Enable=True, Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}])["DetectorId"]
    assert gd.get_detector(DetectorId=protected)["DataSources"]["S3Logs"]["Status"] == "ENABLED"


def test_performance_insights_are_kept_and_described(aws):
    """Amazon RDS API Reference, CreateDBInstance / ModifyDBInstance: Performance Insights, its key (by ARN) and its
    retention (7 days unless given) are described (moto dropped them)."""
    rds = aws("rds")
    key = aws("kms").create_key()["KeyMetadata"]
    rds.create_db_cluster(DBClusterIdentifier=PREFIX + "-db", Engine="aurora-postgresql", MasterUsername="master",
                          MasterUserPassword="a-long-password-1")

    def insights(name):
        got = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
        return got.get("PerformanceInsightsEnabled"), got.get("PerformanceInsightsKMSKeyId"), got.get("PerformanceInsightsRetentionPeriod")
    rds.create_db_instance(DBInstanceIdentifier=PREFIX + "-db-1", DBClusterIdentifier=PREFIX + "-db", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large", EnablePerformanceInsights=True, PerformanceInsightsKMSKeyId=key["KeyId"])
    assert insights(PREFIX + "-db-1") == (True, key["Arn"], 7)
    rds.create_db_instance(DBInstanceIdentifier=PREFIX + "-db-2", DBClusterIdentifier=PREFIX + "-db", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    assert insights(PREFIX + "-db-2")[0] in (False, None)
    rds.modify_db_instance(DBInstanceIdentifier=PREFIX + "-db-2", EnablePerformanceInsights=True, PerformanceInsightsKMSKeyId=key["Arn"],
                           PerformanceInsightsRetentionPeriod=31, ApplyImmediately=True)
    assert insights(PREFIX + "-db-2") == (True, key["Arn"], 31)


def test_enhanced_monitoring_names_its_log_stream(aws):
    """Amazon RDS API Reference, DBInstance: EnhancedMonitoringResourceArn, the RDSOSMetrics stream of the instance, is
    described while MonitoringInterval is above 0 (moto never described it)."""
    rds = aws("rds")
    role = aws("iam").create_role(RoleName=PREFIX + "-db-monitoring", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    rds.create_db_cluster(DBClusterIdentifier=PREFIX + "-db", Engine="aurora-postgresql", MasterUsername="master",
                          MasterUserPassword="a-long-password-1")
    rds.create_db_instance(DBInstanceIdentifier=PREFIX + "-db-1", DBClusterIdentifier=PREFIX + "-db", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large", MonitoringInterval=60, MonitoringRoleArn=role)
    got = rds.describe_db_instances(DBInstanceIdentifier=PREFIX + "-db-1")["DBInstances"][0]
    assert (got["MonitoringInterval"], got["MonitoringRoleArn"]) == (60, role)
    assert got["EnhancedMonitoringResourceArn"] == "arn:aws:logs:%s:%s:log-group:RDSOSMetrics:log-stream:%s" % (
        REGION, ACCOUNT, got["DbiResourceId"])
    rds.modify_db_instance(DBInstanceIdentifier=PREFIX + "-db-1", MonitoringInterval=0, ApplyImmediately=True)
    assert "EnhancedMonitoringResourceArn" not in rds.describe_db_instances(DBInstanceIdentifier=PREFIX + "-db-1")["DBInstances"][0]


def test_replacing_a_network_acl_association_that_is_gone_is_refused_as_aws_does(aws):
    """Amazon EC2 API Reference, ReplaceNetworkAclAssociation: an association id that no longer exists (a retried call's,
    already replaced) is InvalidAssociationID.NotFound, a client error (moto: 500, retried as a server fault)."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.0.0/24")["Subnet"]["SubnetId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    held = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0]
    old = [a for a in held["Associations"] if a["SubnetId"] == subnet][0]["NetworkAclAssociationId"]
    assert ec2.replace_network_acl_association(AssociationId=old, NetworkAclId=acl)["NewAssociationId"] != old
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidAssociationID.NotFound"):
        ec2.replace_network_acl_association(AssociationId=old, NetworkAclId=acl)


def test_cloud_map_refuses_a_second_service_of_the_same_name_in_a_namespace(aws):
    """AWS Cloud Map API Reference, CreateService: ServiceAlreadyExists, "a service with the same name already exists",
    with the existing service's id; CreatorRequestId lets a failed create be retried without running it twice (moto
    made a second service). The same name in another namespace is another service."""
    sd = aws("servicediscovery")
    first_ns = sd.create_http_namespace(Name="one.test")["OperationId"]
    second_ns = sd.create_http_namespace(Name="two.test")["OperationId"]
    spaces = {sd.get_operation(OperationId=op)["Operation"]["Targets"]["NAMESPACE"] for op in (first_ns, second_ns)}
    one, two = sorted(spaces)
    made = sd.create_service(Name="api", NamespaceId=one, CreatorRequestId="token-1")["Service"]["Id"]
    for token in ("token-1", "token-2"):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            sd.create_service(Name="api", NamespaceId=one, CreatorRequestId=token)
        assert code(err) == "ServiceAlreadyExists"
        assert err.value.response.get("ServiceId") == made
    assert [s["Id"] for s in sd.list_services()["Services"]] == [made]
    assert sd.create_service(Name="api", NamespaceId=two)["Service"]["Id"] != made


def test_a_private_dns_namespace_zone_is_attached_to_its_vpc(aws):
    """AWS Cloud Map API Reference, CreatePrivateDnsNamespace: the namespace's private hosted zone is made for the VPC
    given, and Route 53 lists it on the zone (GetHostedZone's VPCs; ListHostedZonesByVPC). moto made the zone with no
    VPC, so a lookup of the namespace by its VPC found nothing."""
    vpc = aws("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    sd, route53 = aws("servicediscovery"), aws("route53")
    op = sd.create_private_dns_namespace(Name="ns.test", Vpc=vpc)["OperationId"]
    ns_id = sd.get_operation(OperationId=op)["Operation"]["Targets"]["NAMESPACE"]
    zone_id = sd.get_namespace(Id=ns_id)["Namespace"]["Properties"]["DnsProperties"]["HostedZoneId"]
    zone = route53.get_hosted_zone(Id=zone_id)
    assert zone["HostedZone"]["Config"]["PrivateZone"] is True
    assert zone["VPCs"] == [{"VPCRegion": REGION, "VPCId": vpc}]
    assert [z["HostedZoneId"] for z in route53.list_hosted_zones_by_vpc(VPCId=vpc, VPCRegion=REGION)["HostedZoneSummaries"]] == [
        zone_id.split("/")[-1]]


def test_a_target_tracking_policy_put_again_keeps_one_set_of_alarms(aws):
    """Application Auto Scaling makes and manages a target tracking policy's CloudWatch alarms, and deletes them with it
    (Application Auto Scaling User Guide, "Delete a target tracking scaling policy"): a policy put again (a retry
    whose first answer was lost, or an update) has its own alarms, and none is left behind. moto made a new pair each
    time and kept the old ones."""
    ecs, aas, cw = aws("ecs"), aws("application-autoscaling"), aws("cloudwatch")
    ecs.create_cluster(clusterName="tt")
    ecs.register_task_definition(family="tt", containerDefinitions=[{"name": "a", "image": "busybox", "memory": 128}])
    ecs.create_service(cluster="tt", serviceName="svc", taskDefinition="tt", desiredCount=1)
    target = {"ServiceNamespace": "ecs", "ResourceId": "service/tt/svc", "ScalableDimension": "ecs:service:DesiredCount"}
    aas.register_scalable_target(MinCapacity=1, MaxCapacity=3, **target)

    def put(value):
        aas.put_scaling_policy(PolicyName="cpu", PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={
            "TargetValue": value, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}, **target)
        policy = aas.describe_scaling_policies(ServiceNamespace="ecs", PolicyNames=["cpu"])["ScalingPolicies"][0]
        return sorted(a["AlarmName"] for a in policy["Alarms"])

    def alarms():
        return sorted(a["AlarmName"] for a in cw.describe_alarms(AlarmNamePrefix="TargetTracking-service/tt/svc")["MetricAlarms"])

    first = put(60.0)
    assert len(first) == 2 and alarms() == first
    again = put(60.0)
    assert alarms() == again and len(again) == 2
    updated = put(70.0)
    assert alarms() == updated and len(updated) == 2
    aas.delete_scaling_policy(PolicyName="cpu", **target)
    assert alarms() == []


def test_a_vpc_is_deleted_with_its_default_acl_and_not_while_a_gateway_or_group_holds_it(aws):
    """Amazon EC2 API Reference, DeleteVpc: every gateway and every security group other than the default one must be
    gone first (DependencyViolation); the default network ACL, which DeleteNetworkAcl never deletes, goes with the VPC.
    moto deleted a VPC with its internet gateway attached and a group in it, and kept its default ACL for ever."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    [default_acl] = [a["NetworkAclId"] for a in ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"] if a["IsDefault"]]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    for release in (lambda: ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc),
                    lambda: ec2.delete_security_group(GroupId=group)):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            ec2.delete_vpc(VpcId=vpc)
        assert code(err) == "DependencyViolation"
        release()
    ec2.delete_vpc(VpcId=vpc)
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Vpcs"] == []
    assert default_acl not in [a["NetworkAclId"] for a in ec2.describe_network_acls()["NetworkAcls"]]


def lambda_role(aws, name, service="lambda.amazonaws.com"):
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
    return aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def test_lambda_refuses_a_role_it_cannot_assume_or_not_yet(aws, monkeypatch):
    """AWS Lambda Developer Guide, "Defining Lambda function permissions with an execution role": Lambda assumes the role,
    so its trust policy must admit lambda.amazonaws.com; CreateFunction and UpdateFunctionConfiguration answer
    InvalidParameterValueException ("The role defined for the function cannot be assumed by Lambda") for a role it cannot
    assume: one that does not trust it, does not exist, or is too new for IAM to have propagated it (IAM User Guide,
    "changes I make are not always immediately visible"). moto took any role."""
    import io  # pylint: disable=import-outside-toplevel
    import zipfile  # pylint: disable=import-outside-toplevel
    code_zip = io.BytesIO()
    with zipfile.ZipFile(code_zip, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    fn = aws("lambda")
    monkeypatch.setenv("ENDPOINT_IAM_PROPAGATION_SECONDS", "0")
    ecs_role = lambda_role(aws, "for-ecs", service="ecs-tasks.amazonaws.com")
    made = dict(Runtime="python3.12", Handler="handler.handler", Code={"ZipFile": code_zip.getvalue()})
    for role in (ecs_role, ecs_role.replace("for-ecs", "no-such-role")):
        with pytest.raises(botocore.exceptions.ClientError) as err:
            fn.create_function(FunctionName="rotate", Role=role, **made)
        assert code(err) == "InvalidParameterValueException"
        assert "cannot be assumed by Lambda" in str(err.value)
    monkeypatch.setenv("ENDPOINT_IAM_PROPAGATION_SECONDS", "3600")
    fresh = lambda_role(aws, "fresh-lambda")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        fn.create_function(FunctionName="rotate", Role=fresh, **made)
    assert code(err) == "InvalidParameterValueException"
    assert fn.list_functions()["Functions"] == []
    monkeypatch.setenv("ENDPOINT_IAM_PROPAGATION_SECONDS", "0")
    fn.create_function(FunctionName="rotate", Role=fresh, **made)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        fn.update_function_configuration(FunctionName="rotate", Role=ecs_role)
    assert code(err) == "InvalidParameterValueException"
    assert fn.get_function_configuration(FunctionName="rotate")["Role"] == fresh


def test_a_requested_certificate_is_issued_only_once_its_validation_records_are_published(aws, monkeypatch):
    """AWS Certificate Manager API Reference (CertificateDetail Status, DomainValidation ResourceRecord): a requested
    certificate stays PENDING_VALIDATION until ACM finds each name's validation CNAME record in the name's public DNS.
    moto issued it 60 seconds after the request, records or not: here its clock is moved a day on, and only the
    records (in a public zone; a private zone is not the public DNS) issue it."""
    import moto.acm.models  # pylint: disable=import-outside-toplevel
    acm, route53 = aws("acm"), aws("route53")
    arn = acm.request_certificate(DomainName="edge.example.test", SubjectAlternativeNames=["*.edge.example.test"],
                                  ValidationMethod="DNS")["CertificateArn"]
    later = moto.acm.models.utcnow() + datetime.timedelta(days=1)
    monkeypatch.setattr(moto.acm.models, "utcnow", lambda: later)

    def status():
        return acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]

    records = [o["ResourceRecord"] for o in acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]]
    assert records and status() == "PENDING_VALIDATION"

    def publish(zone_id, record):
        route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": record["Name"], "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": record["Value"]}]}}]})

    vpc = aws("ec2").create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    private = route53.create_hosted_zone(Name="edge.example.test", CallerReference="private", HostedZoneConfig={"PrivateZone": True},
                                         VPC={"VPCRegion": REGION, "VPCId": vpc})["HostedZone"]["Id"]
    public = route53.create_hosted_zone(Name="edge.example.test", CallerReference="public")["HostedZone"]["Id"]
    for record in records:
        publish(private, record)
    assert status() == "PENDING_VALIDATION"
    publish(public, dict(records[0], Value="_another.acm-validations.aws."))
    assert status() == "PENDING_VALIDATION"
    for record in records:
        publish(public, record)
    assert status() == "ISSUED"


def test_describe_trails_answers_the_named_trails_only(aws):
    """DescribeTrails with trailNameList describes those trails, by name or ARN (AWS CloudTrail API Reference,
    DescribeTrails). moto answered every trail of the account: a second environment's converge took the first's trail
    for its own and failed to update it (UpdateTrail: TrailNotFoundException)."""
    key_arn, bucket = trail_setup(aws, logs_key_policy())
    ct = aws("cloudtrail")
    first = ct.create_trail(Name=PREFIX + "-trail", S3BucketName=bucket, KmsKeyId=key_arn, IsMultiRegionTrail=True)["TrailARN"]
    # a second trail, as another environment's would be (made past the checks: the bucket's policy names the first)
    from moto.cloudtrail.models import cloudtrail_backends  # pylint: disable=import-outside-toplevel
    backend = cloudtrail_backends[ACCOUNT][REGION]
    type(backend).create_trail.__wrapped__(
        backend, name=PREFIX + "-other", bucket_name=bucket, s3_key_prefix=None, sns_topic_name=None, is_global=True,
        is_multi_region=True, log_validation=False, is_org_trail=False, cw_log_group_arn=None, cw_role_arn=None,
        kms_key_id=None, tags_list=[])
    assert [t["Name"] for t in ct.describe_trails(trailNameList=[PREFIX + "-trail"])["trailList"]] == [PREFIX + "-trail"]
    assert [t["Name"] for t in ct.describe_trails(trailNameList=[first])["trailList"]] == [PREFIX + "-trail"]
    assert ct.describe_trails(trailNameList=[PREFIX + "-none"])["trailList"] == []
    assert sorted(t["Name"] for t in ct.describe_trails()["trailList"]) == [PREFIX + "-other", PREFIX + "-trail"]
