"""waf_web_acl against moto: managed groups and rate rule, one change, check mode, removal."""

import pytest

from ansible_collections.cloud_design.platform.plugins.modules import waf_web_acl

from ...conftest import ModuleFail


def args(**extra):
    return dict({"name": "demo-t-edge", "rate_limit": 1000, "tags": {"Project": "demo"}}, **extra)


def acls(aws):
    return aws("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]


def rules(aws):
    acl = acls(aws)[0]
    return aws("wafv2").get_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"])["WebACL"]["Rules"]


def test_check_create_rerun(aws, run_module):
    assert run_module(waf_web_acl, args(), check=True)["changed"] is True and acls(aws) == []
    made = run_module(waf_web_acl, args())
    assert made["changed"] is True and made["web_acl"]["rules"] == [
        "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", "rate-limit"]
    got = rules(aws)
    assert got[0]["Statement"]["ManagedRuleGroupStatement"] == {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}
    assert got[3]["Statement"]["RateBasedStatement"]["Limit"] == 1000 and got[3]["Action"] == {"Block": {}}
    assert run_module(waf_web_acl, args())["changed"] is False


def test_rate_change_and_tags(aws, run_module):
    run_module(waf_web_acl, args())
    result = run_module(waf_web_acl, args(rate_limit=500), diff=True)
    assert result["changed"] is True and result["diff"]["before"]["rate_limit"] == 1000 and result["diff"]["after"]["rate_limit"] == 500
    assert rules(aws)[3]["Statement"]["RateBasedStatement"]["Limit"] == 500
    assert run_module(waf_web_acl, args(rate_limit=500, tags={"Project": "demo", "Owner": "x"}))["changed"] is True
    arn = acls(aws)[0]["ARN"]
    tags = aws("wafv2").list_tags_for_resource(ResourceARN=arn)["TagInfoForResource"]["TagList"]
    assert {t["Key"]: t["Value"] for t in tags} == {"Project": "demo", "Owner": "x"}


def test_bad_input_and_absent(aws, run_module):
    with pytest.raises(ModuleFail, match="rate_limit must be"):
        run_module(waf_web_acl, args(rate_limit=5))
    run_module(waf_web_acl, args())
    assert run_module(waf_web_acl, args(state="absent"))["changed"] is True
    assert acls(aws) == []
    assert run_module(waf_web_acl, args(state="absent"))["changed"] is False
