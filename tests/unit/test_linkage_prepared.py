"""The shared preparation of calibrate, report and the benchmarks: staging records,
features and models made as the pipeline makes them."""

from __future__ import annotations

from heyrick_dagster.linkage import cascade
from heyrick_dagster.linkage.features import FEATURE_SCHEMA
from heyrick_dagster.linkage.prepared import prepare
from tests.support.linkage_frames import premises_and_companies


def _frames():
    town = premises_and_companies()
    return {"fhrs": town.premises, "companies_house": town.companies}


def test_prepare_without_training_builds_features_and_no_models():
    prepared = prepare(_frames(), train=False)
    assert set(prepared.features) == {"fhrs", "companies_house"}
    assert prepared.features["fhrs"].schema == FEATURE_SCHEMA
    assert prepared.models == {} and prepared.origins == {}


def test_prepare_runs_each_stage_through_the_step_and_trains_as_the_pipeline_does():
    heard = []

    def step(name, func):
        heard.append(name)
        return func()

    frames = _frames()
    prepared = prepare(frames, step=step)
    assert heard == ["features", "train (u and prior)"]
    expected_models, expected_origins = cascade.train_models(cascade.features_by_source(frames))
    assert prepared.models == expected_models and prepared.origins == expected_origins


def test_present_lists_the_record_ids_given_to_the_linker():
    frames = _frames()
    present = prepare(frames, train=False).present()
    assert present["fhrs"].to_list() == frames["fhrs"]["record_id"].to_list()
