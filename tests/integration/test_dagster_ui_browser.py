"""The Dagster UI in a real browser: `dagster dev` on the repository's workspace, its asset graph
loaded in headless Chromium, and every asset and check of tests/asset_graph.txt found there.

The server gets a private DAGSTER_HOME (a copy of dagster_home/dagster.yaml), a private
HEYRICK_DATA_DIR and a free port. It is started in a session of its own and stopped by killing
that process group: the webserver, the daemon, the code servers and any run the daemon launched
are all in it (started with a plain `&`, dagster dev ignores SIGTERM; API-NOTES.md).

The UI is a JavaScript app: Chromium runs it for a virtual-time budget (it waits for the app's
GraphQL requests) before dumping the DOM or taking the screenshot. The screenshots and DOM dumps
are kept under data/artefacts/dagster_ui/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from heyrick_dagster.settings import REPO_ROOT

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DAGSTER = Path(sys.executable).with_name("dagster")
GRAPH_FILE = Path(__file__).parent.parent / "asset_graph.txt"
ARTEFACTS = REPO_ROOT / "data" / "artefacts" / "dagster_ui"
LAYERS = {"sources", "staging", "linkage", "marts", "analysis", "reports"}
# dagster dev answers after ~25-55 s on an idle machine (it parses the dbt project first); a
# busy CI machine is given much longer before the test gives up.
START_TIMEOUT_S = 300
# Chromium runs the app until its requests settle or this much virtual time has passed.
VIRTUAL_TIME_MS = 20_000

ASSET_NODES = """{ assetNodes { assetKey { path } groupName kinds opVersion description
  assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } }"""


def _committed_graph() -> tuple[set[str], dict[str, set[str]]]:
    assets, checks = set(), defaultdict(set)
    for line in GRAPH_FILE.read_text().splitlines():
        kind, _, key = line.partition(" ")
        if kind == "asset":
            assets.add(key)
        elif kind == "check":
            asset, _, name = key.partition(":")
            checks[asset].add(name)
    return assets, checks


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.load(response)
    assert "errors" not in body, body["errors"]
    return body["data"]


def _wait_until_loaded(base: str, proc: subprocess.Popen, log: Path) -> None:
    """/server_info answers once the webserver is up; the asset nodes once the code location
    has loaded (the daemon and code server start alongside)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dagster dev exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{base}/server_info", timeout=5).close()
            if _graphql(base, "{ assetNodes { id } }")["assetNodes"]:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    pytest.fail(f"dagster dev not ready within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the whole process group, then SIGKILL whatever is left after 30 s."""
    for sig, grace_s in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        if not _group_alive(proc.pid):
            break
        os.killpg(proc.pid, sig)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            proc.poll()  # reap the leader, else its zombie keeps the group "alive"
            if not _group_alive(proc.pid):
                break
            time.sleep(0.5)
    proc.wait(timeout=10)


@pytest.fixture
def chromium() -> str:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: `make browser` installs Debian's package")
    return CHROMIUM


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory):
    """The base URL of a `dagster dev` serving the repository's workspace."""
    tmp = tmp_path_factory.mktemp("dagster-ui")
    home = tmp / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEYRICK_")}
    env |= {
        "DAGSTER_HOME": str(home),
        "HEYRICK_DATA_DIR": str(tmp / "data"),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    base = f"http://127.0.0.1:{_free_port()}"
    log = tmp / "dagster_dev.log"
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(DAGSTER), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1"]
            + ["-p", base.rsplit(":", 1)[1]],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_loaded(base, proc, log)
            print(f"dagster dev ready after {time.monotonic() - started:.0f} s")
            # What clicking "Skip" does: the "Join the Dagster community" dialog would cover
            # the graph in the screenshots.
            _graphql(base, "mutation { setNuxSeen }")
            yield base
        finally:
            _stop(proc)
    assert not _group_alive(proc.pid)


def _chromium(binary: str, url: str, tmp: Path, *args: str, window: str = "1600,1000") -> str:
    started = time.monotonic()
    done = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu"]
        + [f"--user-data-dir={tmp / 'chromium'}", f"--virtual-time-budget={VIRTUAL_TIME_MS}"]
        + [f"--window-size={window}", *args, url],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    print(f"chromium {url}: {time.monotonic() - started:.1f} s")
    return done.stdout


def _dom(binary: str, url: str, tmp: Path, name: str, window: str = "1600,1000") -> str:
    """The page's DOM once the app has rendered, kept as an artefact."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    dom = _chromium(binary, url, tmp, "--dump-dom", window=window)
    (ARTEFACTS / f"{name}.html").write_text(dom)
    return dom


def _screenshot(binary: str, url: str, tmp: Path, name: str) -> None:
    """A screenshot for a person to look at, kept as an artefact."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    _chromium(binary, url, tmp, f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_graphql_serves_every_committed_asset_in_its_layer_with_its_checks(dagster_ui):
    assets, checks = _committed_graph()
    nodes = {
        "/".join(n["assetKey"]["path"]): n for n in _graphql(dagster_ui, ASSET_NODES)["assetNodes"]
    }
    assert set(nodes) == assets
    served_checks = {
        key: {c["name"] for c in node["assetChecksOrError"]["checks"]}
        for key, node in nodes.items()
        if node["assetChecksOrError"]["checks"]
    }
    assert served_checks == dict(checks)
    for key, node in nodes.items():
        assert node["groupName"] in LAYERS, key
        assert node["kinds"] and node["opVersion"] and node["description"], key


def test_the_asset_graph_page_renders_every_layer(dagster_ui, chromium, tmp_path):
    dom = _dom(chromium, f"{dagster_ui}/asset-groups", tmp_path, "asset_graph")
    assert 'id="root"' in dom and "Global asset lineage" in dom
    groups = {n["groupName"] for n in _graphql(dagster_ui, ASSET_NODES)["assetNodes"]}
    assert sorted(g for g in groups if f">{g}<" not in dom) == []
    _screenshot(chromium, f"{dagster_ui}/asset-groups", tmp_path, "asset_graph")
    # One layer opened: its assets with their kinds and checks.
    _screenshot(
        chromium, f"{dagster_ui}/locations/heyrick/asset-groups/sources", tmp_path, "sources"
    )


def test_the_asset_list_names_every_committed_asset(dagster_ui, chromium, tmp_path):
    assets, _ = _committed_graph()
    # The list renders only the rows in the window: make it tall enough for all of them.
    window = f"1600,{max(2000, 100 * len(assets))}"
    dom = _dom(chromium, f"{dagster_ui}/assets?view=flat", tmp_path, "asset_list", window=window)
    assert sorted(a for a in assets if a.replace("/", " / ") not in dom) == []


def test_a_raw_tables_checks_page_shows_its_quality_gates_and_freshness_check(
    dagster_ui, chromium, tmp_path
):
    _, checks = _committed_graph()
    asset = "raw/fhrs__establishments"
    dom = _dom(chromium, f"{dagster_ui}/assets/{asset}?view=checks", tmp_path, "fhrs_checks")
    assert "freshness_check" in checks[asset]
    assert sorted(name for name in checks[asset] if name not in dom) == []
