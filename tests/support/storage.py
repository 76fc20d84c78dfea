"""The environment's buckets, read through the S3 API: ACLs disabled, versioned, and logging their requests to the
environment's bucket of S3 server access logs, which only S3's log delivery for this account's buckets may write."""

import json

from tests.support.harness import ACCOUNT, PLATFORM, REGION


def access_log_bucket(env):
    return "%s-%s-s3-access-%s-%s" % (PLATFORM, env, ACCOUNT, REGION)


def check_access_log_bucket(ep, env, days=365):
    s3, bucket = ep.client("s3"), access_log_bucket(env)
    assert _ownership(s3, bucket) == "BucketOwnerEnforced"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0][
        "ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    allowed = [st for st in statements if st["Effect"] == "Allow"]
    assert allowed == [{
        "Sid": "ServerAccessLogDelivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": "arn:aws:s3:::%s/*" % bucket,
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                      "ArnLike": {"aws:SourceArn": "arn:aws:s3:::%s-%s-*" % (PLATFORM, env)}}}], allowed
    assert [st["Condition"] for st in statements if st["Effect"] == "Deny"] == [{"Bool": {"aws:SecureTransport": "false"}}]
    rule = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert rule["Expiration"]["Days"] == days and rule["Status"] == "Enabled"
    # It does not log itself.
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def check_bucket_logs_its_requests(ep, env, bucket):
    s3 = ep.client("s3")
    assert _ownership(s3, bucket) == "BucketOwnerEnforced", bucket
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled", bucket
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {
        "TargetBucket": access_log_bucket(env), "TargetPrefix": bucket + "/"}, bucket


def _ownership(s3, bucket):
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert len(rules) == 1, rules
    return rules[0]["ObjectOwnership"]
