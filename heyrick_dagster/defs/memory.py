"""Hooks that release memory after every step (heyrick_dagster/memory.py says why),
attached to every asset in definitions.py."""

import dagster as dg

from heyrick_dagster import memory


@dg.success_hook(name="release_memory_after_success")
def _after_success(_context: dg.HookContext) -> None:
    memory.release()


@dg.failure_hook(name="release_memory_after_failure")
def _after_failure(_context: dg.HookContext) -> None:
    memory.release()


HOOKS = {_after_success, _after_failure}
