"""http_api against moto: the edge as a whole, one changed attribute, a removed route, check mode, bad input.

moto has no UpdateStage and no UpdateDomainName: those two calls are recorded through a client proxy.
GetAuthorizers, which moto lacks too, comes from the endpoint's corrections (tools/endpoint_server.py,
loaded by the unit tests' conftest).
"""

import copy

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule
from ansible_collections.cloud_design.platform.plugins.module_utils import http_apis as http_api_parts
from ansible_collections.cloud_design.platform.plugins.modules import http_api

from ...conftest import ModuleFail

LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/demo-t-gateway/1/2"
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool"


def edge(**extra):
    spec = {
        "name": "demo-t",
        "vpc_link": {"subnet_ids": ["subnet-1", "subnet-2"], "security_group_ids": ["sg-1"]},
        "integrations": [{"name": "api-gateway", "uri": LISTENER}],
        "jwt_authorizer": {"name": "cognito", "issuer": ISSUER, "audience": ["client-1"]},
        "routes": [{"key": "ANY /api/movies", "integration": "api-gateway"},
                   {"key": "ANY /api/movies/{id}", "integration": "api-gateway"},
                   {"key": "POST /api/billing", "integration": "api-gateway", "authorization": "JWT"}],
        "stage": {"access_log_arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/demo/t/apigateway/access",
                  "throttling_burst_limit": 100, "throttling_rate_limit": 50},
        "domain": {"name": "api.demo.example.test", "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/c"},
        "tags": {"Project": "demo"},
    }
    spec.update(extra)
    return spec


class Recorder:
    """Forwards to the real (moto) client; records the calls moto does not implement."""

    def __init__(self, client, calls):
        self._client, self._calls = client, calls

    def __getattr__(self, name):
        if name in ("update_stage", "update_domain_name"):
            return lambda **kwargs: self._calls.append((name, kwargs)) or {}
        return getattr(self._client, name)


@pytest.fixture
def recorded(monkeypatch):
    calls = []
    original = PlatformModule.client

    def client(self, service, *args, **kwargs):
        real = original(self, service, *args, **kwargs)
        return Recorder(real, calls) if service == "apigatewayv2" else real

    monkeypatch.setattr(PlatformModule, "client", client)
    return calls


def the_api(aws):
    gw = aws("apigatewayv2")
    api = gw.get_apis()["Items"][0]
    routes = {r["RouteKey"]: r for r in gw.get_routes(ApiId=api["ApiId"])["Items"]}
    return gw, api, routes


def test_check_mode_creates_nothing(aws, run_module, recorded):
    result = run_module(http_api, edge(), check=True, diff=True)
    assert result["changed"] is True and "create route POST /api/billing" in result["changes"]
    assert sorted(result["diff"]["after"]["routes"]) == ["ANY /api/movies", "ANY /api/movies/{id}", "POST /api/billing"]
    assert aws("apigatewayv2").get_apis()["Items"] == [] and aws("apigatewayv2").get_vpc_links()["Items"] == []


def test_create_and_rerun(aws, run_module, recorded):
    made = run_module(http_api, edge())
    assert made["changed"] is True
    gw, api, routes = the_api(aws)
    assert api["Tags"] == {"Project": "demo"}
    integrations = gw.get_integrations(ApiId=api["ApiId"])["Items"]
    assert len(integrations) == 1
    link = gw.get_vpc_links()["Items"][0]
    assert (integrations[0]["ConnectionType"], integrations[0]["ConnectionId"], integrations[0]["IntegrationUri"]) == ("VPC_LINK", link["VpcLinkId"], LISTENER)
    assert {k: r["AuthorizationType"] for k, r in routes.items()} == {
        "ANY /api/movies": "NONE", "ANY /api/movies/{id}": "NONE", "POST /api/billing": "JWT"}
    authorizer = gw.get_authorizer(ApiId=api["ApiId"], AuthorizerId=routes["POST /api/billing"]["AuthorizerId"])
    assert authorizer["Name"] == "cognito"
    assert authorizer["JwtConfiguration"] == {"Issuer": ISSUER, "Audience": ["client-1"]}
    stage = gw.get_stage(ApiId=api["ApiId"], StageName="$default")
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 100 and stage["AccessLogSettings"]["Format"] == http_api_parts.DEFAULT_LOG_FORMAT
    domain = gw.get_domain_name(DomainName="api.demo.example.test")
    assert domain["DomainNameConfigurations"][0]["SecurityPolicy"] == "TLS_1_2"
    assert gw.get_api_mappings(DomainName="api.demo.example.test")["Items"][0]["ApiId"] == api["ApiId"]
    assert made["api"]["invoke_url"] == api["ApiEndpoint"] + "/"
    again = run_module(http_api, edge(), diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["diff"]["before"]["routes"] == again["diff"]["after"]["routes"]
    assert recorded == []


def test_one_attribute_and_removed_route(aws, run_module, recorded):
    run_module(http_api, edge())
    spec = edge()
    spec["routes"] = [r for r in spec["routes"] if r["key"] != "ANY /api/movies/{id}"]
    spec["routes"][0]["authorization"] = "JWT"
    result = run_module(http_api, spec, diff=True)
    assert sorted(result["changes"]) == ["remove route ANY /api/movies/{id}", "update route ANY /api/movies: ['AuthorizationType', 'AuthorizerId']"]
    routes = the_api(aws)[2]
    assert sorted(routes) == ["ANY /api/movies", "POST /api/billing"]
    assert routes["ANY /api/movies"]["AuthorizationType"] == "JWT"
    assert run_module(http_api, spec)["changed"] is False
    # Throttling changes through UpdateStage (recorded: moto lacks it).
    spec["stage"] = dict(spec["stage"], throttling_burst_limit=200)
    assert run_module(http_api, spec)["changes"] == ["update stage $default: ['DefaultRouteSettings']"]
    assert recorded[-1][0] == "update_stage" and recorded[-1][1]["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 200
    spec["domain"] = dict(spec["domain"], certificate_arn="arn:aws:acm:eu-west-1:123456789012:certificate/d")
    result = run_module(http_api, dict(spec, stage=edge()["stage"]))
    assert "update custom domain api.demo.example.test" in result["changes"]
    assert recorded[-1] == ("update_domain_name", {"DomainName": "api.demo.example.test", "DomainNameConfigurations": [
        {"CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/d", "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}]})


def test_integration_moves_and_stale_one_goes(aws, run_module, recorded):
    run_module(http_api, edge())
    spec = edge(integrations=[{"name": "api-gateway-tls", "uri": LISTENER.replace("/2", "/3"), "tls_server_name": "api.demo.example.test"}])
    for route in spec["routes"]:
        route["integration"] = "api-gateway-tls"
    result = run_module(http_api, spec)
    assert "remove integration api-gateway" in result["changes"]
    gw, api, routes = the_api(aws)
    items = gw.get_integrations(ApiId=api["ApiId"])["Items"]
    assert len(items) == 1 and items[0]["TlsConfig"] == {"ServerNameToVerify": "api.demo.example.test"}
    assert {r["Target"] for r in routes.values()} == {"integrations/" + items[0]["IntegrationId"]}


def test_bad_input(aws, run_module, recorded):
    with pytest.raises(ModuleFail, match="listed twice"):
        run_module(http_api, edge(routes=edge()["routes"] * 2))
    with pytest.raises(ModuleFail, match="must be '<METHOD> /<path>'"):
        run_module(http_api, edge(routes=[{"key": "GET api", "integration": "api-gateway"}]))
    with pytest.raises(ModuleFail, match="not in integrations"):
        run_module(http_api, edge(routes=[{"key": "GET /x", "integration": "nope"}]))
    with pytest.raises(ModuleFail, match="requires JWT but no jwt_authorizer"):
        run_module(http_api, edge(jwt_authorizer=None))
    with pytest.raises(ModuleFail, match="timeout_ms must be 50 to 30000"):
        run_module(http_api, edge(integrations=[{"name": "api-gateway", "uri": LISTENER, "timeout_ms": 60000}]))
    run_module(http_api, edge())
    spec = copy.deepcopy(edge())
    spec["vpc_link"]["subnet_ids"] = ["subnet-9"]
    with pytest.raises(ModuleFail, match="cannot change them"):
        run_module(http_api, spec)


def test_absent(aws, run_module, recorded):
    run_module(http_api, edge())
    assert run_module(http_api, edge(state="absent"), check=True)["changed"] is True
    assert len(aws("apigatewayv2").get_apis()["Items"]) == 1
    assert run_module(http_api, edge(state="absent"))["changed"] is True
    gw = aws("apigatewayv2")
    assert gw.get_apis()["Items"] == [] and gw.get_vpc_links()["Items"] == [] and gw.get_domain_names()["Items"] == []
    assert run_module(http_api, edge(state="absent"))["changed"] is False


def jwt(gw, api_id, name="cognito"):
    """An authorizer made outside the module (what a killed run or another tool leaves)."""
    return gw.create_authorizer(ApiId=api_id, Name=name, AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"],
                                JwtConfiguration={"Issuer": ISSUER, "Audience": ["client-1"]})["AuthorizerId"]


def open_edge():
    """The edge without the JWT route and authorizer: the API exists, no route uses an authorizer."""
    return edge(jwt_authorizer=None, routes=edge()["routes"][:2])


def test_a_lost_authorizer_create_is_adopted_not_repeated(aws, run_module, lose_answers, recorded):
    """CreateAuthorizer carried out, its answer lost: GetAuthorizers finds it before any second create."""
    lose_answers.update(create_authorizer=1)
    assert run_module(http_api, edge())["changed"] is True
    assert lose_answers["create_authorizer"] == 0
    gw, api, routes = the_api(aws)
    found = gw.get_authorizers(ApiId=api["ApiId"])["Items"]
    assert len(found) == 1 and routes["POST /api/billing"]["AuthorizerId"] == found[0]["AuthorizerId"]
    assert run_module(http_api, edge())["changed"] is False


def test_an_authorizer_no_route_uses_yet_is_adopted(aws, run_module, recorded):
    """A run killed between CreateAuthorizer and the first route: the next run adopts that authorizer by name."""
    run_module(http_api, open_edge())
    gw, api, dummy = the_api(aws)
    left = jwt(gw, api["ApiId"])
    result = run_module(http_api, edge())
    assert result["changed"] is True and "create JWT authorizer cognito" not in result["changes"]
    dummy, dummy, routes = the_api(aws)
    assert [a["AuthorizerId"] for a in gw.get_authorizers(ApiId=api["ApiId"])["Items"]] == [left]
    assert routes["POST /api/billing"]["AuthorizerId"] == left


def test_two_authorizers_of_the_name_stop_the_run_with_both(aws, run_module, recorded):
    run_module(http_api, open_edge())
    gw, api, dummy = the_api(aws)
    ids = sorted([jwt(gw, api["ApiId"]), jwt(gw, api["ApiId"])])
    with pytest.raises(ModuleFail) as failed:
        run_module(http_api, edge())
    message = failed.value.result["msg"]
    assert all(i in message for i in ids) and "delete-authorizer" in message
    assert len(gw.get_authorizers(ApiId=api["ApiId"])["Items"]) == 2
    assert "POST /api/billing" not in the_api(aws)[2]


def test_an_authorizer_of_another_name_is_removed(aws, run_module, recorded):
    run_module(http_api, edge())
    gw, api, dummy = the_api(aws)
    jwt(gw, api["ApiId"], name="old")
    result = run_module(http_api, edge(), check=True)
    assert result["changed"] is True and any(c.startswith("remove authorizer old") for c in result["changes"])
    assert len(gw.get_authorizers(ApiId=api["ApiId"])["Items"]) == 2
    assert run_module(http_api, edge())["changed"] is True
    assert [a["Name"] for a in gw.get_authorizers(ApiId=api["ApiId"])["Items"]] == ["cognito"]


def test_the_endpoint_pages_authorizers_by_max_results(aws):
    """GetAuthorizers of the endpoint's corrections answers maxResults items a page with a nextToken, as AWS does;
    the module's listing (all_pages) reads every page."""
    from ansible_collections.cloud_design.platform.plugins.module_utils.platform import all_pages  # pylint: disable=import-outside-toplevel

    gw = aws("apigatewayv2")
    api = gw.create_api(Name="demo-t-api", ProtocolType="HTTP")["ApiId"]
    made = [gw.create_authorizer(ApiId=api, Name="a%d" % i, AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"],
                                 JwtConfiguration={"Audience": ["x"], "Issuer": "https://issuer.example"})["AuthorizerId"] for i in range(3)]
    first = gw.get_authorizers(ApiId=api, MaxResults="1")
    assert [a["AuthorizerId"] for a in first["Items"]] == made[:1] and first["NextToken"]
    last = gw.get_authorizers(ApiId=api, MaxResults="2", NextToken=first["NextToken"])
    assert [a["AuthorizerId"] for a in last["Items"]] == made[1:] and "NextToken" not in last

    def one_a_page(**kwargs):  # pylint: disable=unused-argument
        return gw.get_authorizers(MaxResults="1", **kwargs)
    assert [a["AuthorizerId"] for a in all_pages(one_a_page, "Items", ApiId=api)] == made


@pytest.mark.parametrize("option, value, message", [
    ("domain", {"name": "api.demo.example.test"}, "domain needs certificate_arn"),
    ("jwt_authorizer", {"name": "cognito", "audience": ["client-1"]}, "missing required arguments: issuer found in jwt_authorizer"),
    ("vpc_link", {"subnets": ["subnet-1"]}, "Unsupported parameters for (basic.py) module: vpc_link.subnets"),
    ("stage", {"throttling_burst": 10}, "Unsupported parameters for (basic.py) module: stage.throttling_burst"),
])
def test_the_nested_options_are_declared_and_checked_before_any_aws_call(run_module, option, value, message):
    """Each dict option has its suboptions declared (a misspelt one is refused); what a converge needs of them is named."""
    with pytest.raises(ModuleFail) as err:
        run_module(http_api, dict(edge(), **{option: value}))
    assert message in str(err.value)


def test_a_removal_names_the_link_and_the_domain_only(aws, run_module, recorded):  # pylint: disable=unused-argument
    run_module(http_api, edge())
    removed = run_module(http_api, {"name": edge()["name"], "vpc_link": {"name": edge()["vpc_link"].get("name") or edge()["name"]},
                                    "domain": {"name": edge()["domain"]["name"]}, "state": "absent"})
    assert removed["changed"] is True


def test_the_snapshot_reads_integrations_authorizers_routes_and_stage_at_once(aws, run_module, recorded, slow_calls):
    run_module(http_api, edge())
    slow_calls.start()
    assert run_module(http_api, edge(), diff=True)["changed"] is False
    assert slow_calls.most >= 4, (slow_calls.most, slow_calls.calls)


def test_a_custom_domain_of_another_environment_is_refused_before_any_change(aws, run_module, recorded):
    """Two environments given the same domain: the second took the first's over (its certificate, its mapping), which
    on AWS moves the first environment's traffic to the second's API."""
    run_module(http_api, edge(tags={"Project": "demo", "Environment": "t"}))
    with pytest.raises(ModuleFail) as err:
        run_module(http_api, edge(name="demo-u", tags={"Project": "demo", "Environment": "u"},
                                  domain={"name": "api.demo.example.test", "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/u"}))
    message = err.value.result["msg"]
    assert "api.demo.example.test" in message and "Environment=t" in message and "own domain" in message, message
    assert [a["Name"] for a in aws("apigatewayv2").get_apis()["Items"]] == ["demo-t"]
    assert recorded == []
    mappings = aws("apigatewayv2").get_api_mappings(DomainName="api.demo.example.test")["Items"]
    assert [m["ApiId"] for m in mappings] == [aws("apigatewayv2").get_apis()["Items"][0]["ApiId"]]
