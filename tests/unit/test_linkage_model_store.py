"""Trained models on disk: content-versioned files and the manifest that names them."""

from __future__ import annotations

import copy
import json

from heyrick_dagster.linkage.model_store import MANIFEST, load_models, save_models


def _model(u: float = 0.01) -> dict:
    """A small dict shaped like Splink's saved settings."""
    return {
        "link_type": "link_only",
        "probability_two_random_records_match": 0.001,
        "comparisons": [
            {
                "output_column_name": "name",
                "comparison_levels": [
                    {
                        "sql_condition": "name_full_l = name_full_r",
                        "m_probability": 0.9,
                        "u_probability": u,
                    },
                    {"sql_condition": "ELSE", "m_probability": 0.1, "u_probability": 1 - u},
                ],
            }
        ],
    }


MODELS = {"fhrs->companies_house": _model(), "nmw_naming->fhrs": _model(0.02)}


def _model_files(folder):
    return sorted(p.name for p in folder.glob("*.json") if p.name != MANIFEST)


def test_saved_models_load_back_equal(tmp_path):
    manifest = save_models(MODELS, tmp_path / "models")
    models, loaded_manifest = load_models(tmp_path / "models")
    assert models == MODELS
    assert loaded_manifest == manifest
    assert set(manifest) == set(MODELS)


def test_each_model_file_is_named_by_link_type_and_version(tmp_path):
    manifest = save_models(MODELS, tmp_path)
    entry = manifest["fhrs->companies_house"]
    assert entry["file"] == f"fhrs__companies_house.{entry['version']}.json"
    assert json.loads((tmp_path / entry["file"]).read_text()) == MODELS["fhrs->companies_house"]
    assert manifest["nmw_naming->fhrs"]["version"] != entry["version"]


def test_saving_the_same_models_again_gives_the_same_versions_and_files(tmp_path):
    first = save_models(MODELS, tmp_path)
    files = _model_files(tmp_path)
    second = save_models(copy.deepcopy(MODELS), tmp_path)
    assert {k: (v["file"], v["version"]) for k, v in second.items()} == {
        k: (v["file"], v["version"]) for k, v in first.items()
    }
    assert _model_files(tmp_path) == files


def test_the_version_does_not_depend_on_key_order(tmp_path):
    model = MODELS["fhrs->companies_house"]
    reordered = dict(reversed(list(model.items())))
    first = save_models({"fhrs->companies_house": model}, tmp_path / "a")
    second = save_models({"fhrs->companies_house": reordered}, tmp_path / "b")
    assert first["fhrs->companies_house"]["version"] == second["fhrs->companies_house"]["version"]


def test_a_changed_model_is_a_new_file_and_the_old_one_stays(tmp_path):
    old = save_models(MODELS, tmp_path)["fhrs->companies_house"]
    changed = MODELS | {"fhrs->companies_house": _model(0.03)}
    new = save_models(changed, tmp_path)["fhrs->companies_house"]

    assert new["version"] != old["version"]
    assert (tmp_path / old["file"]).exists()
    assert json.loads((tmp_path / old["file"]).read_text()) == MODELS["fhrs->companies_house"]
    assert len(_model_files(tmp_path)) == len(MODELS) + 1
    models, manifest = load_models(tmp_path)
    assert manifest["fhrs->companies_house"]["file"] == new["file"]
    assert models["fhrs->companies_house"] == _model(0.03)


def test_the_manifest_names_only_the_models_of_the_last_save(tmp_path):
    save_models(MODELS, tmp_path)
    only = {"fhrs->companies_house": MODELS["fhrs->companies_house"]}
    save_models(only, tmp_path)
    models, manifest = load_models(tmp_path)
    assert models == only and set(manifest) == set(only)


def test_the_manifest_records_how_each_model_was_made(tmp_path):
    origins = {"fhrs->companies_house": "trained by EM"}
    manifest = save_models(MODELS, tmp_path, origins)
    assert manifest["fhrs->companies_house"]["origin"] == "trained by EM"
    assert manifest["nmw_naming->fhrs"]["origin"] == ""
    assert load_models(tmp_path)[1] == manifest


def test_nothing_is_loaded_without_a_manifest(tmp_path):
    assert load_models(tmp_path / "never-created") == ({}, {})
    save_models(MODELS, tmp_path)
    (tmp_path / MANIFEST).unlink()
    assert load_models(tmp_path) == ({}, {})


def test_no_temporary_file_is_left_behind(tmp_path):
    save_models(MODELS, tmp_path)
    save_models(MODELS | {"fhrs->companies_house": _model(0.05)}, tmp_path)
    assert not list(tmp_path.glob("*.tmp"))
