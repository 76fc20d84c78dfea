"""The split_pages harness itself: it pages what a module reads, whatever the emulator pages, and only that."""

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import all_pages

import boto3

from .conftest import REGION


def module_client(service):
    return boto3.client(service, region_name=REGION)


def test_a_listing_comes_one_item_a_page_to_paginators_and_token_loops(aws, split_pages):
    for name in ("a", "b", "c"):
        aws("logs").create_log_group(logGroupName="/t/" + name)
    logs = module_client("logs")
    first = logs.describe_log_groups()
    assert [g["logGroupName"] for g in first["logGroups"]] == ["/t/a"] and first.get("nextToken"), "a first page only"
    paged = [g["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate() for g in page["logGroups"]]
    assert paged == ["/t/a", "/t/b", "/t/c"]

    assert [g["logGroupName"] for g in all_pages(logs.describe_log_groups, "logGroups", next_token="nextToken",
                                                 token="nextToken")] == paged
    assert split_pages.pages["DescribeLogGroups"] == 1 + 3 + 3
    assert len(aws("logs").describe_log_groups()["logGroups"]) == 3, "the test's own reads stay whole"


def test_markers_and_truncation_flags_follow_the_service(aws, split_pages):
    """IAM says IsTruncated with its Marker; KMS Truncated with NextMarker: both are set as the service would."""
    for name in ("one", "two"):
        aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    page = module_client("iam").list_roles()
    assert len(page["Roles"]) == 1 and page["IsTruncated"] is True and page["Marker"]
    last = module_client("iam").list_roles(Marker=page["Marker"])
    assert len(last["Roles"]) == 1 and last["IsTruncated"] is False and "Marker" not in last


def test_ec2_describe_calls_without_max_results_answer_whole_as_on_aws(aws, split_pages):
    """Amazon EC2 API Reference, "Pagination": a describe call without MaxResults answers every item."""
    ec2 = module_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    for n in range(3):
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.%d.0/24" % n)
    by_vpc = [{"Name": "vpc-id", "Values": [vpc]}]
    assert len(ec2.describe_subnets(Filters=by_vpc)["Subnets"]) == 3
    paged = ec2.describe_subnets(Filters=by_vpc, MaxResults=5)
    assert len(paged["Subnets"]) == 1 and paged["NextToken"]


def test_size_none_leaves_listings_as_the_emulator_answers(aws, split_pages):
    for name in ("a", "b"):
        aws("logs").create_log_group(logGroupName="/w/" + name)
    split_pages.size = None
    assert len(module_client("logs").describe_log_groups()["logGroups"]) == 2
    assert split_pages.pages == {}
