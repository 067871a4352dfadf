"""Every step releases the memory it freed before the next starts (defs/memory.py)."""

import gc
import weakref

import dagster as dg
from dagster._core.definitions.dependency import NodeHandle

from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.defs import memory


class _Held:
    """Something a step left in a reference cycle."""


def test_a_step_s_reference_cycles_are_collected_when_it_ends(tmp_path):
    left: list[weakref.ref] = []

    @dg.asset
    def leaves_a_cycle() -> None:
        held = _Held()
        held.itself = held
        left.append(weakref.ref(held))

    gc.disable()  # so that only the hook can collect the cycle
    try:
        result = dg.materialize(
            [leaves_a_cycle.with_hooks(memory.HOOKS)], instance=dg.DagsterInstance.ephemeral()
        )
        assert result.success
        assert left and left[0]() is None, "the cycle outlived the step"
    finally:
        gc.enable()


def test_every_asset_step_of_the_pipeline_releases_memory_when_it_ends():
    defs = build_definitions()
    job = defs.resolve_implicit_global_asset_job_def()
    steps = {a.node_def.name for a in defs.assets}
    hooked = {
        name: {h.name for h in job.get_all_hooks_for_handle(NodeHandle(name, None))}
        for name in steps
    }
    assert "raw_psc" in hooked and "reports__quality_reports" in hooked
    assert all(names >= {h.name for h in memory.HOOKS} for names in hooked.values()), hooked
