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


GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-demo-t-edge"


def logging_of(aws):
    return aws("wafv2").get_logging_configuration(ResourceArn=acls(aws)[0]["ARN"])["LoggingConfiguration"]


def test_logging_with_credentials_left_out(aws, run_module):
    """FSBP WAF.11: every web ACL logs; the Authorization header and cookies never reach the log."""
    made = run_module(waf_web_acl, args(log_destination=GROUP))
    assert made["web_acl"]["logging"] == {"destination": GROUP, "redacted_headers": ["authorization", "cookie"]}
    config = logging_of(aws)
    assert config["LogDestinationConfigs"] == [GROUP]
    assert sorted(f["SingleHeader"]["Name"] for f in config["RedactedFields"]) == ["authorization", "cookie"]
    assert run_module(waf_web_acl, args(log_destination=GROUP))["changed"] is False
    assert run_module(waf_web_acl, args())["changed"] is False, "unset leaves the logging as it is"
    changed = run_module(waf_web_acl, args(log_destination=GROUP, redacted_headers=["Authorization", "cookie", "x-api-key"]), diff=True)
    assert changed["changed"] is True and changed["diff"]["before"]["logging"]["redacted_headers"] == ["authorization", "cookie"]
    assert len(logging_of(aws)["RedactedFields"]) == 3
    off = run_module(waf_web_acl, args(log_destination=""), check=True)
    assert off["changed"] is True and off["web_acl"]["logging"] is None and logging_of(aws)
    run_module(waf_web_acl, args(log_destination=""))
    with pytest.raises(Exception, match="WAFNonexistentItemException"):
        logging_of(aws)


def test_logging_to_a_group_waf_refuses_stops_before_any_change(aws, run_module):
    with pytest.raises(ModuleFail, match="starts with aws-waf-logs-, not /demo/t/waf"):
        run_module(waf_web_acl, args(log_destination="arn:aws:logs:eu-west-1:123456789012:log-group:/demo/t/waf"))
    assert acls(aws) == []


def test_removal_takes_the_logging_with_it(aws, run_module):
    run_module(waf_web_acl, args(log_destination=GROUP))
    arn = acls(aws)[0]["ARN"]
    assert run_module(waf_web_acl, args(state="absent"))["changed"] is True
    assert acls(aws) == []
    with pytest.raises(Exception, match="WAFNonexistentItemException"):
        aws("wafv2").get_logging_configuration(ResourceArn=arn)


def test_a_lost_create_answer_makes_one_web_acl(aws, run_module, lose_answers):
    """CreateWebACL carried out, its answer lost: the ACL is adopted by name (the retry would answer
    WAFDuplicateItemException), not a failed run."""
    lose_answers.update(create_web_acl=1)
    made = run_module(waf_web_acl, args())
    assert lose_answers == {"create_web_acl": 0}
    assert made["changed"] is True
    assert [a["ARN"] for a in acls(aws)] == [made["web_acl"]["arn"]]
    assert run_module(waf_web_acl, args())["changed"] is False
