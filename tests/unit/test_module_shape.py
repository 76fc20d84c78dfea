"""One module skeleton: every module is a PlatformModule that ends through exit_converged (module_utils/platform.py)."""

import ast
import glob
import os

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = sorted(glob.glob(os.path.join(TOP, "plugins", "modules", "*.py")))


def calls(tree):
    return {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}


def test_every_module_exits_through_the_shared_skeleton():
    assert len(MODULES) > 30
    wrong = []
    for path in MODULES:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        made = calls(tree)
        name = os.path.basename(path)
        # the skeleton makes the result and reports AWS errors; a module exits no other way
        if "exit_converged" not in made:
            wrong.append("%s: no exit_converged" % name)
        wrong += ["%s: calls %s itself" % (name, call) for call in ("exit_json", "fail_json_aws") if call in made]
        # its check mode and common options come from the skeleton
        spec = [node for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg == "supports_check_mode"]
        if spec:
            wrong.append("%s: sets supports_check_mode itself" % name)
    assert wrong == []


def test_no_module_is_over_500_lines():
    """A module is its documentation, its options and main(); its work lives in module_utils, a file or a package
    per concern (module_utils/_ecs_workload: spec, IAM roles, autoscaling, the AWS side)."""
    long = {}
    for path in MODULES:
        with open(path, encoding="utf-8") as handle:
            count = len(handle.read().splitlines())
        if count > 500:
            long[os.path.basename(path)] = count
    assert long == {}
