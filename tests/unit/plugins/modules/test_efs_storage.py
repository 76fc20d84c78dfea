"""efs_storage against moto: encrypted file system, mount targets, one access point, TLS-only policy."""

import json

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import efs_storage as efs


@pytest.fixture
def net(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i, AvailabilityZone="eu-west-1" + az)["Subnet"]["SubnetId"]
               for i, az in enumerate("ab")]
    sg = ec2.create_security_group(GroupName="efs", Description="x", VpcId=vpc)["GroupId"]
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    return {"subnets": subnets, "sg": sg, "key": key}


def args(net, **extra):
    return dict({"name": "demo-t-rabbitmq", "kms_key_id": net["key"], "subnets": net["subnets"],
                 "security_group_ids": [net["sg"]], "access_point": {"path": "/rabbitmq", "uid": 999, "gid": 999},
                 "tags": {"Project": "demo"}}, **extra)


def test_check_mode_makes_nothing(aws, run_module, net):
    assert run_module(efs, args(net), check=True)["changed"] is True
    assert aws("efs").describe_file_systems()["FileSystems"] == []


def test_converges_and_is_idempotent(aws, run_module, net):
    result = run_module(efs, args(net))
    client = aws("efs")
    fs = client.describe_file_systems()["FileSystems"]
    assert len(fs) == 1 and fs[0]["Encrypted"] is True and fs[0]["KmsKeyId"] == net["key"]
    targets = client.describe_mount_targets(FileSystemId=fs[0]["FileSystemId"])["MountTargets"]
    assert sorted(t["SubnetId"] for t in targets) == sorted(net["subnets"])
    points = client.describe_access_points(FileSystemId=fs[0]["FileSystemId"])["AccessPoints"]
    assert len(points) == 1 and points[0]["PosixUser"]["Uid"] == 999 and points[0]["RootDirectory"]["Path"] == "/rabbitmq"
    assert result["access_point"]["id"] == points[0]["AccessPointId"]
    policy = json.loads(client.describe_file_system_policy(FileSystemId=fs[0]["FileSystemId"])["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    again = run_module(efs, args(net))
    assert again["changed"] is False, again["changes"]


def test_absent(aws, run_module, net):
    run_module(efs, args(net))
    assert run_module(efs, args(net, state="absent"))["changed"] is True
    assert aws("efs").describe_file_systems()["FileSystems"] == []
    assert run_module(efs, args(net, state="absent"))["changed"] is False
