import os

from heyrick_dagster.dbt_targets import prune_invocations


def _folder(target, name, mtime):
    path = target / name
    path.mkdir()
    (path / "manifest.json").write_text("{}")
    os.utime(path, (mtime, mtime))
    return path


def test_only_the_newest_invocations_of_the_op_stay(tmp_path):
    folders = [_folder(tmp_path, f"heyrick_dbt_marts-run{i}-abc", 1_000 + i) for i in range(7)]

    removed = prune_invocations(tmp_path, "heyrick_dbt_marts", keep=3)

    assert sorted(removed) == sorted(folders[:4])
    assert sorted(p for p in tmp_path.iterdir()) == sorted(folders[4:])


def test_other_ops_folders_and_files_are_left_alone(tmp_path):
    staging = [_folder(tmp_path, f"heyrick_dbt_staging-run{i}-abc", 1_000 + i) for i in range(4)]
    marts = _folder(tmp_path, "heyrick_dbt_marts-run9-abc", 2_000)
    (tmp_path / "dbt.log").write_text("log")
    (tmp_path / "manifest.json").write_text("{}")

    prune_invocations(tmp_path, "heyrick_dbt_marts", keep=0)

    assert not marts.exists()
    assert all(p.exists() for p in staging)
    assert (tmp_path / "dbt.log").exists() and (tmp_path / "manifest.json").exists()
