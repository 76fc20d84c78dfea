# The strategy this checkout's ansible.cfg names: Mitogen's linear strategy when ansible_mitogen is installed
# (make venv installs it), Ansible's own linear strategy otherwise. Not part of the collection.
"""Mitogen's linear strategy, with the collections' directories listed once per run.

Mitogen's planner lists every installed collection's directory for each module it runs
(``ansible_mitogen.planner._load_collections``): with the ~100 collections of the ``ansible``
package that imports each collection's package and reads its ``meta/runtime.yml``, about 0.13 s
per module run (20 s of a no-op converge of the platform, measured with py-spy). The list does not
change during a run: it is made here once, in the controller before any worker forks, and each
module run reuses it. What the modules run and where is unchanged.
"""

from __future__ import annotations

try:
    import ansible_mitogen.loaders
    import ansible_mitogen.planner
    import ansible_mitogen.strategy
except ImportError:  # without Mitogen: Ansible's own linear strategy
    from ansible.plugins.strategy.linear import StrategyModule  # noqa: F401  pylint: disable=unused-import
else:
    import ansible.collections.list

    _COLLECTION_DIRS = []

    def _load_collections(invocation):
        """What Mitogen's _load_collections adds to each invocation, from the list made once."""
        invocation._extra_sys_paths.update(_COLLECTION_DIRS)  # pylint: disable=protected-access

    class StrategyModule(ansible_mitogen.strategy.StrategyMixin, ansible_mitogen.loaders.strategy_loader.get("linear", class_only=True)):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if not _COLLECTION_DIRS:
                _COLLECTION_DIRS.extend(path.decode("utf-8") for path in ansible.collections.list.list_collection_dirs())
            ansible_mitogen.planner._load_collections = _load_collections  # pylint: disable=protected-access
