"""How the scenario tests (tests/molecule and tests/e2e) share workers when they run in one pool (tools/test.sh
scenarios, what make test runs, with ``-n N --dist loadscope --no-loadscope-reorder``): each molecule scenario and
each end-to-end file is one unit of work (an end-to-end file's tests share its converged platform, so they stay on
one worker), the longest first, so that the last to start are short and the workers finish together.

xdist's own loadscope makes one unit of a whole file, which would run the ten molecule scenarios one after another;
its loadgroup does not group under pytest 9 (it renames the items through an attribute pytest 9 no longer reads).
"""

MOLECULE = "tests/molecule/test_scenarios.py"

# Longest first, as measured by make test (seconds on 2 cores): each unit's place in the queue. The rest follow in
# collection order.
LONGEST_FIRST = (
    "tests/e2e/test_container_mode.py",  # ~650: a user's install (no Mitogen), converge at -vvv, verify, three environments
    "tests/e2e/test_site.py",  # ~580: converge at -vvv --diff, re-run, verify, check runs, destroy
    "tests/e2e/test_day2.py",  # ~560: converge, each role alone, the README's check and roll-out, rotation
    "tests/e2e/test_faults.py",  # ~215
    "tests/e2e/test_kills.py",  # ~200
    MOLECULE + "::test_scenario[api_gateway]",  # ~145
    MOLECULE + "::test_scenario[rabbitmq]",  # ~110
    MOLECULE + "::test_scenario[service_billing]",  # ~100
    MOLECULE + "::test_scenario[service_inventory]",  # ~90
    "tests/e2e/test_bad_inputs.py",  # ~85
)


def unit_of(nodeid):
    """The unit of work a test belongs to: its molecule scenario, or its file."""
    path = nodeid.split("::", 1)[0]
    return nodeid if path == MOLECULE else path


def pytest_collection_modifyitems(items):
    def rank(item):
        unit = unit_of(item.nodeid)
        return LONGEST_FIRST.index(unit) if unit in LONGEST_FIRST else len(LONGEST_FIRST)

    # A stable sort: the tests of one file keep their order (an end-to-end file's order is the platform's life).
    items.sort(key=rank)


def pytest_xdist_make_scheduler(config, log):
    """--dist loadscope with the units above."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling  # pylint: disable=import-outside-toplevel

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return unit_of(nodeid)

    return UnitScheduling(config, log)
