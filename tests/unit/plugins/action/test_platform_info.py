"""platform_info's action: a run's reads are given out again while nothing changed, and only then."""

from unittest import mock

import ansible.constants as C
import pytest

from ansible_collections.cloud_design.platform.plugins.action.platform_info import ActionModule
from ansible_collections.cloud_design.platform.plugins.callback.run_reads import CallbackModule
from ansible_collections.cloud_design.platform.plugins.plugin_utils import run_reads

ARGS = {"platform_name": "demo", "platform_env": "dev", "region": "eu-west-1"}


def answer(include):
    """What the module answers for ``include``: each family's value names the family."""
    out = {"changed": False, "names": {"prefix": "demo-dev"}}
    for family in include:
        out["edge" if family == "balancers" else family] = {"read": family}
    return out


@pytest.fixture
def run(tmp_path, monkeypatch):
    """A run with the callback enabled under the linear strategy; yields the module runs made (their include)."""
    monkeypatch.setattr(run_reads, "STATE", dict(run_reads.STATE))
    monkeypatch.setattr(C, "DEFAULT_LOCAL_TMP", str(tmp_path))  # the run's own local temporary directory
    callback = CallbackModule()
    callback.v2_playbook_on_start(None)
    callback.v2_playbook_on_play_start(mock.Mock(strategy="linear"))
    made = []
    callback.made = made

    def execute(self, module_args=None, task_vars=None):
        include = (module_args or self._task.args)["include"]
        made.append(list(include))
        return answer(include)

    monkeypatch.setattr(ActionModule, "_execute_module", execute)
    monkeypatch.setattr(ActionModule, "_compute_environment_string", lambda self, out=None: "")
    return callback


def action_for(include, **args):
    """The action of one task (each task has its own)."""
    task = mock.Mock(args=dict(ARGS, include=include, **args), async_val=0, check_mode=False, diff=False)
    return ActionModule(task, mock.Mock(), mock.Mock(), loader=None, templar=None, shared_loader_obj=None)


def discover(include, **args):
    """One task, run once."""
    return action_for(include, **args).run(task_vars={"inventory_hostname": "local"})


def result_of(changed=False, failed=False):
    result = mock.Mock()
    result.is_changed.return_value = changed
    result.is_failed.return_value = failed
    result.is_unreachable.return_value = False
    return result


def test_a_family_read_once_is_given_out_again(run):
    made = run.made
    first = discover(["account", "network", "kms"])
    second = discover(["account", "network", "kms", "storage", "secrets"])
    third = discover(["kms", "account"])
    assert made == [["account", "network", "kms"], ["storage", "secrets"]]
    assert second["network"] == first["network"] == {"read": "network"}
    assert second["storage"] == {"read": "storage"} and second["names"] == {"prefix": "demo-dev"}
    assert set(third) >= {"kms", "account", "names"} and "network" not in third and third["changed"] is False


def test_a_change_or_a_failure_makes_the_next_discovery_read(run):
    callback, made = run, run.made
    discover(["account", "kms"])
    callback.v2_runner_on_ok(result_of(changed=False))
    callback.v2_runner_on_skipped(result_of())
    discover(["account", "kms"])
    callback.v2_runner_on_ok(result_of(changed=True))
    discover(["account", "kms"])
    callback.v2_runner_on_failed(result_of(failed=True), ignore_errors=True)
    discover(["kms"])
    assert made == [["account", "kms"], ["account", "kms"], ["kms"]]


def test_retries_read_again(run):
    """A task retried with until waits for AWS to change: each retry reads."""
    made = run.made
    discover(["kms"])
    action = action_for(["kms"])
    action.run(task_vars={"inventory_hostname": "local"})
    action.run(task_vars={"inventory_hostname": "local"})
    assert made == [["kms"], ["kms"]]


@pytest.mark.parametrize("other", [
    {"platform_env": "prod"},
    {"region": "us-east-1"},
    {"aws_access_key": "another"},
])
def test_another_platform_or_connection_reads_its_own(run, other):
    made = run.made
    discover(["kms"])
    discover(["kms"], **other)
    assert made == [["kms"], ["kms"]]


def test_the_edge_is_kept_by_domain_and_the_audit_never(run):
    made = run.made
    discover(["account", "edge"], domain_name="a.example.test")
    discover(["account", "edge"], domain_name="b.example.test")
    discover(["account", "edge"], domain_name="a.example.test")
    # The full edge, of either domain, holds the load balancers and target groups: they are not read again.
    assert discover(["account", "balancers"])["edge"] == {"read": "edge"}
    discover(["account", "network", "edge", "observability", "audit"], domain_name="a.example.test")
    assert made == [["account", "edge"], ["edge"], ["account", "network", "edge", "observability", "audit"]]


def test_the_namespace_is_looked_for_in_the_kept_network(run, monkeypatch):
    """The module finds the Cloud Map namespace within the platform's VPC: with the network kept, it is handed the VPC
    the run found instead of reading the network again."""
    made, asked = run.made, []
    execute = ActionModule._execute_module

    def with_vpc(self, module_args=None, task_vars=None):
        asked.append((module_args or self._task.args).get("vpc_id"))
        out = execute(self, module_args=module_args, task_vars=task_vars)
        if "network" in out:
            out["network"] = {"vpc": {"id": "vpc-1"}}
        return out

    monkeypatch.setattr(ActionModule, "_execute_module", with_vpc)
    discover(["account", "network"])
    discover(["account", "network", "ecs"])
    discover(["account", "ecs"])
    assert made == [["account", "network"], ["ecs"]] and asked == [None, "vpc-1"]


def test_a_failed_read_is_not_kept(run, monkeypatch):
    made = run.made
    monkeypatch.setattr(ActionModule, "_execute_module",
                        lambda self, module_args=None, task_vars=None: made.append(1) or {"failed": True, "msg": "denied"})
    result = discover(["kms"])
    again = discover(["kms"])
    assert result["failed"] and again["failed"] and made == [1, 1]


@pytest.mark.parametrize("strategy", ["free", "host_pinned", "ansible.builtin.free"])
def test_nothing_is_kept_under_another_strategy(run, strategy):
    callback, made = run, run.made
    callback.v2_playbook_on_play_start(mock.Mock(strategy=strategy))
    discover(["kms"])
    discover(["kms"])
    assert made == [["kms"], ["kms"]]


def test_nothing_is_kept_without_the_callback(monkeypatch):
    monkeypatch.setattr(run_reads, "STATE", {"directory": None, "writes": 0, "strategy_ok": False})
    made = []
    monkeypatch.setattr(ActionModule, "_execute_module",
                        lambda self, module_args=None, task_vars=None: made.append(1) or answer(self._task.args["include"]))
    monkeypatch.setattr(ActionModule, "_compute_environment_string", lambda self, out=None: "")
    discover(["kms"])
    discover(["kms"])
    assert made == [1, 1]


def test_a_second_playbook_of_the_run_reads_again(run):
    """ansible-playbook destroy.yml site.yml: what the first playbook read before its changes is not the second's."""
    callback, made = run, run.made
    discover(["network"])
    callback.v2_runner_on_ok(result_of(changed=True))
    callback.v2_playbook_on_start(None)
    callback.v2_playbook_on_play_start(mock.Mock(strategy="linear"))
    discover(["network"])
    assert made == [["network"], ["network"]]
