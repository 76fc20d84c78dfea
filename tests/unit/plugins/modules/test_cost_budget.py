"""cost_budget: moto answers the budget and its notifications; the calls it lacks (UpdateBudget, subscribers
and tags of a budget) are answered by a recorder that keeps their state as AWS would."""

import pytest

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import PlatformModule
from ansible_collections.cloud_design.platform.plugins.modules import cost_budget

from ...conftest import ModuleFail

TOPIC = "arn:aws:sns:eu-west-1:123456789012:demo-t-alerts"
ACCOUNT = "123456789012"


class Recorder:
    """Forwards to moto; keeps subscribers and tags for the calls moto does not implement."""

    def __init__(self, client, calls):
        self._client, self._calls = client, calls
        self.subscribers, self.tags = {}, {}

    @staticmethod
    def _key(note):
        return cost_budget.note_key(note)

    def create_budget(self, **kwargs):
        for pair in kwargs.get("NotificationsWithSubscribers", []):
            self.subscribers[self._key(pair["Notification"])] = list(pair["Subscribers"])
        self.tags = {t["Key"]: t["Value"] for t in kwargs.get("ResourceTags", [])}
        return self._client.create_budget(**kwargs)

    def create_notification(self, **kwargs):
        self.subscribers[self._key(kwargs["Notification"])] = list(kwargs["Subscribers"])
        return self._client.create_notification(**kwargs)

    def update_budget(self, **kwargs):
        self._calls.append(("update_budget", kwargs))
        return {}

    def describe_subscribers_for_notification(self, **kwargs):
        return {"Subscribers": self.subscribers.get(self._key(kwargs["Notification"]), [])}

    def create_subscriber(self, **kwargs):
        self._calls.append(("create_subscriber", kwargs))
        self.subscribers[self._key(kwargs["Notification"])].append(kwargs["Subscriber"])
        return {}

    def delete_subscriber(self, **kwargs):
        self._calls.append(("delete_subscriber", kwargs))
        self.subscribers[self._key(kwargs["Notification"])].remove(kwargs["Subscriber"])
        return {}

    def list_tags_for_resource(self, **kwargs):
        assert kwargs["ResourceARN"] == "arn:aws:budgets::%s:budget/demo-t-monthly" % ACCOUNT
        return {"ResourceTags": [{"Key": k, "Value": v} for k, v in self.tags.items()]}

    def tag_resource(self, **kwargs):
        self._calls.append(("tag_resource", kwargs))
        self.tags.update({t["Key"]: t["Value"] for t in kwargs["ResourceTags"]})
        return {}

    def untag_resource(self, **kwargs):
        self._calls.append(("untag_resource", kwargs))
        for key in kwargs["ResourceTagKeys"]:
            self.tags.pop(key, None)
        return {}

    def __getattr__(self, name):
        return getattr(self._client, name)


@pytest.fixture
def recorded(monkeypatch):
    calls, state = [], {}
    original = PlatformModule.client

    def client(self, service, *args, **kwargs):
        real = original(self, service, *args, **kwargs)
        if service != "budgets":
            return real
        if "recorder" not in state:
            state["recorder"] = Recorder(real, calls)
        state["recorder"]._client = real  # pylint: disable=protected-access
        return state["recorder"]

    monkeypatch.setattr(PlatformModule, "client", client)
    return calls, state


def args(**extra):
    return dict({"name": "demo-t-monthly", "amount": 200, "cost_filters": {"TagKeyValue": ["user:Project$demo"]},
                 "notifications": [{"type": "ACTUAL", "threshold": 80}, {"type": "FORECASTED", "threshold": 100}],
                 "subscribers": [{"type": "SNS", "address": TOPIC}],
                 "tags": {"Project": "demo", "Environment": "t"}}, **extra)


def budget(aws):
    client = aws("budgets")
    found = client.describe_budget(AccountId=ACCOUNT, BudgetName="demo-t-monthly")["Budget"]
    notes = client.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="demo-t-monthly")["Notifications"]
    return found, sorted(cost_budget.note_key(n) for n in notes)


def no_budget(aws):
    return aws("budgets").describe_budgets(AccountId=ACCOUNT).get("Budgets", []) == []


def test_create_rerun_check(aws, run_module, recorded):
    assert run_module(cost_budget, args(), check=True)["changed"] is True and no_budget(aws)
    made = run_module(cost_budget, args(), diff=True)
    assert made["changes"] == ["create budget demo-t-monthly"]
    found, notes = budget(aws)
    assert found["BudgetLimit"] == {"Amount": "200.0", "Unit": "USD"} and found["TimeUnit"] == "MONTHLY"
    assert found["BudgetType"] == "COST" and found["CostFilters"] == {"TagKeyValue": ["user:Project$demo"]}
    assert notes == ["ACTUAL GREATER_THAN 80.0 PERCENTAGE", "FORECASTED GREATER_THAN 100.0 PERCENTAGE"]
    recorder = recorded[1]["recorder"]
    assert all(subs == [{"SubscriptionType": "SNS", "Address": TOPIC}] for subs in recorder.subscribers.values())
    assert recorder.tags == {"Project": "demo", "Environment": "t"}
    again = run_module(cost_budget, args(), check=True, diff=True)
    assert again["changed"] is False, again["changes"]
    assert again["diff"]["before"] == again["diff"]["after"]
    assert run_module(cost_budget, args())["changed"] is False and recorded[0] == []


def test_notifications_change_on_moto(aws, run_module, recorded):
    run_module(cost_budget, args())
    changed = args(notifications=[{"type": "ACTUAL", "threshold": 100}, {"type": "FORECASTED", "threshold": 100}])
    assert run_module(cost_budget, changed, check=True)["changed"] is True
    assert budget(aws)[1] == ["ACTUAL GREATER_THAN 80.0 PERCENTAGE", "FORECASTED GREATER_THAN 100.0 PERCENTAGE"]
    result = run_module(cost_budget, changed)
    assert result["changes"] == ["delete notification ACTUAL GREATER_THAN 80.0 PERCENTAGE",
                                 "create notification ACTUAL GREATER_THAN 100.0 PERCENTAGE"]
    assert budget(aws)[1] == ["ACTUAL GREATER_THAN 100.0 PERCENTAGE", "FORECASTED GREATER_THAN 100.0 PERCENTAGE"]
    assert run_module(cost_budget, changed)["changed"] is False


def test_amount_subscribers_and_tags_through_the_calls_moto_lacks(aws, run_module, recorded):
    calls, _state = recorded
    run_module(cost_budget, args())
    other = "arn:aws:sns:eu-west-1:123456789012:other"
    result = run_module(cost_budget, args(amount=350, subscribers=[{"type": "SNS", "address": other}],
                                          tags={"Project": "demo", "Owner": "ops"}))
    assert "update budget demo-t-monthly" in result["changes"]
    update = [c for c in calls if c[0] == "update_budget"][0][1]
    assert update["NewBudget"]["BudgetLimit"] == {"Amount": "350.0", "Unit": "USD"}
    assert update["NewBudget"]["CostFilters"] == {"TagKeyValue": ["user:Project$demo"]}
    made = sorted(c[0] for c in calls)
    assert made.count("create_subscriber") == 2 and made.count("delete_subscriber") == 2
    assert ("untag_resource", {"ResourceARN": "arn:aws:budgets::123456789012:budget/demo-t-monthly",
                               "ResourceTagKeys": ["Environment"]}) in calls
    assert recorded[1]["recorder"].tags == {"Project": "demo", "Owner": "ops"}


def test_without_reading_subscribers(aws, run_module, monkeypatch):
    # Endpoints without DescribeSubscribersForNotification/ListTagsForResource: moto alone, never called.
    run_module(cost_budget, args(compare_subscribers=False))
    again = run_module(cost_budget, args(compare_subscribers=False), check=True, diff=True)
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"]


def test_absent(aws, run_module, recorded):
    run_module(cost_budget, args())
    assert run_module(cost_budget, {"name": "demo-t-monthly", "state": "absent"}, check=True)["changed"] is True
    assert not no_budget(aws)
    assert run_module(cost_budget, {"name": "demo-t-monthly", "state": "absent"})["changes"] == ["delete budget demo-t-monthly"]
    assert no_budget(aws)
    assert run_module(cost_budget, {"name": "demo-t-monthly", "state": "absent"})["changed"] is False


@pytest.mark.parametrize("extra, message", [
    ({"amount": 0}, "positive amount"),
    ({"subscribers": []}, "notifications without subscribers"),
    ({"subscribers": [{"type": "SNS", "address": TOPIC}, {"type": "SNS", "address": TOPIC + "2"}]}, "one SNS subscriber"),
    ({"notifications": [{"type": "ACTUAL", "threshold": t} for t in (50, 60, 70, 80, 90, 100)]}, "at most 5"),
    ({"cost_filters": {"TagKeyValue": "user:Project$demo"}}, "list of values"),
])
def test_bad_input(aws, run_module, recorded, extra, message):
    with pytest.raises(ModuleFail) as failed:
        run_module(cost_budget, args(**extra))
    assert message in failed.value.result["msg"]
    assert no_budget(aws)


def test_absent_reads_no_subscribers(aws, run_module):
    # moto alone: a removal must not call DescribeSubscribersForNotification or ListTagsForResource.
    run_module(cost_budget, args(compare_subscribers=False))
    assert run_module(cost_budget, {"name": "demo-t-monthly", "state": "absent"})["changed"] is True
    assert no_budget(aws)
