"""The deployment files under deploy/ load, and say what DEPLOYMENT.md says they say.

No cluster, image build or network: each file is parsed and checked with the validator of the
tool that reads it where that tool is installed here (Dagster's instance and workspace schemas,
dbt's profile renderer), and against the names the documentation of dagster-k8s, the Dagster
Helm chart and dbt-spark gives where it is not. Those name lists are copied from:
- dagster-k8s 0.29 `DagsterK8sJobConfig.config_type_run_launcher` (docs.dagster.io, "Kubernetes
  (dagster-k8s)"): the K8sRunLauncher's config keys, module `dagster_k8s`;
- the chart's pydantic schema, helm/dagster/schema/schema/charts/ in the dagster repository
  (`DagsterHelmValues`, `UserDeployment`, `K8sRunLauncherConfig`, `RunK8sConfig`, `Daemon`,
  `PostgreSQL`, `Scheduler`): the values keys;
- dbt-spark's `SparkCredentials` (docs.getdbt.com, "Apache Spark setup"): the profile fields.
The tests that use the packages' own schemas run when dagster-k8s or dbt-spark is installed.
"""

from __future__ import annotations

import ast
import contextvars
import importlib.util
import re
import shlex
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from dagster._config import process_config, resolve_to_config_type, validate_config
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.scheduler import DagsterDaemonScheduler
from dagster._core.storage.config import pg_config
from dagster._core.workspace.config_schema import ensure_workspace_config
from dagster._serdes import ConfigurableClassData

from heyrick_dagster.settings import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"

K8S_RUN_LAUNCHER_KEYS = {
    "job_image", "image_pull_policy", "image_pull_secrets", "service_account_name",
    "env_config_maps", "env_secrets", "env_vars", "volume_mounts", "volumes", "labels",
    "resources", "scheduler_name", "security_context", "instance_config_map",
    "postgres_password_secret", "dagster_home", "load_incluster_config", "kubeconfig_file",
    "fail_pod_on_run_failure", "run_k8s_config", "job_namespace",
    "only_allow_user_defined_k8s_config_fields", "only_allow_user_defined_env_vars",
}  # fmt: skip
RUN_K8S_CONFIG_KEYS = {
    "container_config", "pod_template_spec_metadata", "pod_spec_config", "job_config",
    "job_metadata", "job_spec_config",
}  # fmt: skip
CHART_TOP_LEVEL_KEYS = {
    "dagsterWebserver", "dagster-user-deployments", "postgresql",
    "generatePostgresqlPasswordSecret", "generateCeleryConfigSecret", "rabbitmq", "redis",
    "flower", "ingress", "imagePullSecrets", "computeLogManager", "scheduler", "runLauncher",
    "pythonLogs", "dagsterDaemon", "busybox", "migrate", "telemetry", "serviceAccount",
    "global", "retention", "concurrency", "additionalInstanceConfig",
}  # fmt: skip
CHART_GLOBAL_KEYS = {
    "postgresqlSecretName", "dagsterHome", "serviceAccountName", "celeryConfigSecretName",
    "dagsterInstanceConfigMap",
}  # fmt: skip
CHART_POSTGRESQL_KEYS = {
    "postgresqlScheme", "image", "enabled", "postgresqlHost", "postgresqlUsername",
    "postgresqlPassword", "postgresqlDatabase", "postgresqlParams", "service",
}  # fmt: skip
CHART_USER_DEPLOYMENT_KEYS = {
    "name", "image", "port", "dagsterApiGrpcArgs", "codeServerArgs",
    "includeConfigInLaunchedRuns", "env", "envConfigMaps", "envSecrets", "annotations",
    "nodeSelector", "affinity", "tolerations", "podSecurityContext", "securityContext",
    "resources", "livenessProbe", "readinessProbe", "startupProbe", "labels", "volumeMounts",
    "volumes", "schedulerName",
}  # fmt: skip
CHART_K8S_RUN_LAUNCHER_KEYS = {
    "image", "imagePullPolicy", "jobNamespace", "loadInclusterConfig", "kubeconfigFile",
    "envConfigMaps", "envSecrets", "envVars", "volumeMounts", "volumes", "labels",
    "failPodOnRunFailure", "resources", "schedulerName", "securityContext", "runK8sConfig",
}  # fmt: skip
CHART_RUN_K8S_CONFIG_KEYS = {
    "containerConfig", "podSpecConfig", "podTemplateSpecMetadata", "jobSpecConfig",
    "jobMetadata",
}  # fmt: skip
CHART_DAEMON_KEYS = {
    "schedulerName", "volumeMounts", "volumes", "enabled", "image", "runCoordinator",
    "heartbeatTolerance", "env", "envConfigMaps", "envSecrets", "deploymentLabels", "labels",
    "nodeSelector", "affinity", "tolerations", "podSecurityContext", "securityContext",
    "resources", "livenessProbe", "readinessProbe", "startupProbe", "annotations",
    "runMonitoring", "runRetries", "sensors", "schedules",
}  # fmt: skip
CHART_QUEUED_RUN_COORDINATOR_KEYS = {
    "maxConcurrentRuns", "tagConcurrencyLimits", "dequeueIntervalSeconds", "dequeueNumWorkers",
    "dequeueUseThreads",
}  # fmt: skip
SPARK_PROFILE_KEYS = {
    "type", "threads", "host", "schema", "method", "database", "driver", "cluster", "endpoint",
    "token", "user", "password", "port", "auth", "kerberos_service_name", "organization",
    "connection_string_suffix", "connect_retries", "connect_timeout", "use_ssl",
    "server_side_parameters", "retry_all",
}  # fmt: skip
SPARK_ENV = {
    "DBT_SPARK_HOST": "spark-thrift.heyrick.svc",
    "DBT_SPARK_USER": "heyrick",
    "DBT_ENV_SECRET_SPARK_PASSWORD": "not-a-real-password",
    "DBT_SPARK_PORT": "10001",
}


def load(path: Path):
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="module")
def instance() -> dict:
    return load(DEPLOY / "dagster.yaml")


@pytest.fixture(scope="module")
def values() -> dict:
    return load(DEPLOY / "helm" / "values.yaml")


@pytest.fixture(scope="module")
def profile() -> dict:
    return load(DEPLOY / "dbt" / "profiles.spark.yml")


def rehydrate(section: dict):
    """The object Dagster builds from a `module`/`class`/`config` block of dagster.yaml."""
    return ConfigurableClassData(
        section["module"], section["class"], yaml.safe_dump(section.get("config", {}))
    ).rehydrate()


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def render_profile(profile: dict, env: dict[str, str]) -> dict:
    """The profile as dbt renders it with `env` as the whole environment (dbt's own renderer,
    in a copied context so that the environment does not leak into other tests)."""
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    def render() -> dict:
        set_invocation_context(env)
        return ProfileRenderer({}).render_data(profile)

    return contextvars.copy_context().run(render)


def names(refs: list[dict]) -> list[str]:
    """The names in a chart list such as envSecrets: [{name: ...}]."""
    return [ref["name"] for ref in refs]


# dagster.yaml ---------------------------------------------------------------------------


def test_instance_yaml_passes_dagsters_own_instance_config_schema():
    config, custom_instance_class = dagster_instance_config(str(DEPLOY))

    assert custom_instance_class is None
    assert set(config["storage"]) == {"postgres"}


def test_instance_schema_check_rejects_a_misspelt_storage_key(instance, tmp_path):
    # The check above is only worth having if a typo fails it.
    broken = yaml.safe_load(yaml.safe_dump(instance))
    db = broken["storage"]["postgres"]["postgres_db"]
    db["host"] = db.pop("hostname")
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(broken))

    with pytest.raises(DagsterInvalidConfigError):
        dagster_instance_config(str(tmp_path))


def test_postgres_credentials_come_from_the_environment(instance, monkeypatch):
    db = instance["storage"]["postgres"]["postgres_db"]
    assert all(set(value) == {"env"} for value in db.values()), db
    # The K8sRunLauncher puts the password from postgres_password_secret into run pods as
    # DAGSTER_PG_PASSWORD.
    assert db["password"] == {"env": "DAGSTER_PG_PASSWORD"}

    env = {"username": "heyrick_dagster", "password": "pw", "hostname": "pg", "db_name": "d"}
    for field, value in env.items():
        monkeypatch.setenv(db[field]["env"], value)
    monkeypatch.setenv(db["port"]["env"], "5433")
    resolved = process_config(resolve_to_config_type(pg_config()), {"postgres_db": db})

    assert resolved.success, resolved.errors
    assert {k: resolved.value["postgres_db"][k] for k in [*env, "port"]} == env | {"port": 5433}


def test_the_run_queue_admits_one_run_at_a_time_and_catches_up_one_missed_tick(instance):
    coordinator = rehydrate(instance["run_coordinator"])
    scheduler = rehydrate(instance["scheduler"])

    assert isinstance(coordinator, QueuedRunCoordinator)
    assert coordinator.get_run_queue_config().max_concurrent_runs == 1
    assert isinstance(scheduler, DagsterDaemonScheduler)
    assert scheduler.max_catchup_runs == 1


def test_a_dead_run_pod_is_failed_not_resumed_so_it_cannot_hold_the_queue(instance):
    monitoring = instance["run_monitoring"]

    assert monitoring["enabled"] is True
    assert monitoring["max_resume_run_attempts"] == 0


def test_runs_use_the_k8s_run_launcher_as_dagster_k8s_documents_it(instance):
    launcher = instance["run_launcher"]
    config = launcher["config"]

    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    assert set(config) <= K8S_RUN_LAUNCHER_KEYS, set(config) - K8S_RUN_LAUNCHER_KEYS
    assert "instance_config_map" in config  # the one key its schema requires
    assert set(config["run_k8s_config"]) <= RUN_K8S_CONFIG_KEYS


def test_run_launcher_config_passes_dagster_k8s_own_schema(instance):
    dagster_k8s = pytest.importorskip("dagster_k8s")

    result = validate_config(
        dagster_k8s.K8sRunLauncher.config_type(), instance["run_launcher"]["config"]
    )

    assert result.success, result.errors


def test_telemetry_is_off_in_both_instance_configurations(instance, values):
    assert instance["telemetry"] == {"enabled": False}
    assert values["telemetry"] == {"enabled": False}


# workspace.yaml -------------------------------------------------------------------------


def test_workspace_loads_the_heyrick_definitions_from_the_images_virtual_environment():
    path = DEPLOY / "workspace.yaml"
    workspace = ensure_workspace_config(load(path), str(path))
    (target,) = workspace["load_from"]
    module = target["python_module"]
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    workdir = dict(dockerfile_instructions())["WORKDIR"]

    assert module["module_name"] == "heyrick_dagster.definitions"
    assert module["location_name"] == pyproject["tool"]["dagster"]["code_location_name"]
    assert module["working_directory"] == workdir
    assert module["executable_path"] == f"{workdir}/.venv/bin/python"
    source = Path(importlib.util.find_spec(module["module_name"]).origin).read_text()
    assigned = {
        target.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert module["attribute"] in assigned


# helm/values.yaml -----------------------------------------------------------------------


def test_helm_values_use_only_keys_the_dagster_chart_defines(values):
    deployments = values["dagster-user-deployments"]["deployments"]
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    coordinator = values["dagsterDaemon"]["runCoordinator"]

    assert set(values) <= CHART_TOP_LEVEL_KEYS, set(values) - CHART_TOP_LEVEL_KEYS
    assert set(values["global"]) <= CHART_GLOBAL_KEYS
    assert set(values["postgresql"]) <= CHART_POSTGRESQL_KEYS
    assert all(set(d) <= CHART_USER_DEPLOYMENT_KEYS for d in deployments)
    assert set(launcher) <= CHART_K8S_RUN_LAUNCHER_KEYS, set(launcher) - CHART_K8S_RUN_LAUNCHER_KEYS
    assert set(launcher["runK8sConfig"]) <= CHART_RUN_K8S_CONFIG_KEYS
    assert set(values["dagsterDaemon"]) <= CHART_DAEMON_KEYS
    assert set(coordinator) == {"enabled", "type", "config"}
    assert set(coordinator["config"]["queuedRunCoordinator"]) <= CHART_QUEUED_RUN_COORDINATOR_KEYS
    assert set(values["scheduler"]["config"]) <= {"daemonScheduler", "customScheduler"}
    assert values["runLauncher"]["type"] == "K8sRunLauncher"


def test_helm_code_location_serves_heyrick_definitions_from_a_uniquely_tagged_image(values):
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    args = deployment["dagsterApiGrpcArgs"]
    options = dict(zip(args[::2], args[1::2], strict=True))

    assert options["--module-name"] == "heyrick_dagster.definitions"
    assert options["--attribute"] == "defs"
    assert deployment["image"]["tag"] not in {"", "latest"}


def test_helm_postgres_is_external_and_its_password_comes_from_an_existing_secret(values):
    assert values["postgresql"]["enabled"] is False
    assert values["generatePostgresqlPasswordSecret"] is False
    assert values["global"]["postgresqlSecretName"]
    assert "postgresqlPassword" not in values["postgresql"]


def test_helm_and_instance_yaml_configure_run_pods_alike(values, instance):
    chart = values["runLauncher"]["config"]["k8sRunLauncher"]
    launcher = instance["run_launcher"]["config"]
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    queue = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    catchup = values["scheduler"]["config"]["daemonScheduler"]["maxCatchupRuns"]

    assert (
        queue["maxConcurrentRuns"] == instance["run_coordinator"]["config"]["max_concurrent_runs"]
    )
    assert catchup == instance["scheduler"]["config"]["max_catchup_runs"]
    assert names(chart["envSecrets"]) == launcher["env_secrets"] == names(deployment["envSecrets"])
    assert names(chart["envConfigMaps"]) == launcher["env_config_maps"]
    assert chart["volumeMounts"][0]["mountPath"] == launcher["volume_mounts"][0]["mount_path"]
    assert (
        chart["volumes"][0]["persistentVolumeClaim"]["claimName"]
        == launcher["volumes"][0]["persistent_volume_claim"]["claim_name"]
    )
    assert chart["resources"] == launcher["run_k8s_config"]["container_config"]["resources"]
    # With includeConfigInLaunchedRuns on, the code server's own (small) resources would
    # replace the run pods' (dagster-k8s merges the code location's context over the launcher's).
    assert deployment["includeConfigInLaunchedRuns"] == {"enabled": False}


def test_run_pods_run_as_the_images_user_and_mount_the_data_dir_heyrick_reads(values):
    chart = values["runLauncher"]["config"]["k8sRunLauncher"]
    security = chart["runK8sConfig"]["podSpecConfig"]["securityContext"]
    user = [args for op, args in dockerfile_instructions() if op == "USER"][-1]
    settings = load(DEPLOY / "k8s" / "heyrick-settings.yaml")["data"]
    claim = load(DEPLOY / "k8s" / "heyrick-data.yaml")

    assert f"{security['runAsUser']}:{security['runAsGroup']}" == user
    assert security["runAsNonRoot"] is True
    assert settings["HEYRICK_DATA_DIR"] == chart["volumeMounts"][0]["mountPath"]
    assert settings["HEYRICK_DUCKDB_PATH"].startswith(settings["HEYRICK_DATA_DIR"] + "/")
    assert claim["metadata"]["name"] == chart["volumes"][0]["persistentVolumeClaim"]["claimName"]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]


def test_the_settings_configmap_names_only_variables_heyrick_reads():
    settings = load(DEPLOY / "k8s" / "heyrick-settings.yaml")["data"]
    source = (REPO_ROOT / "heyrick_dagster" / "settings.py").read_text()

    unknown = [name for name in settings if f'"{name}"' not in source]
    assert not unknown, f"settings.py reads no {unknown}"


# Dockerfile -----------------------------------------------------------------------------


def test_dockerfile_installs_the_locked_dependencies_on_python_311_slim_as_a_non_root_user():
    instructions = dockerfile_instructions()
    runs = [args for op, args in instructions if op == "RUN"]
    user = [args for op, args in instructions if op == "USER"][-1]

    assert instructions[0] == ("FROM", "python:3.11-slim")
    assert any("uv sync --frozen" in run for run in runs)
    assert user.split(":")[0] not in {"root", "0"}
    assert user.replace(":", "").isdigit(), "a numeric USER lets Kubernetes check runAsNonRoot"
    for op, args in instructions:
        if op == "COPY":
            *sources, _ = shlex.split(args)
            missing = [s for s in sources if not (REPO_ROOT / s).exists()]
            assert not missing, f"COPY of files the repository does not have: {missing}"


def test_dockerfile_integration_pins_match_the_dagster_release_in_pyproject():
    # dagster-k8s and dagster-postgres are released with dagster-dbt under one version.
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    release = re.search(r'"dagster-dbt==([\d.]+)"', pyproject).group(1)
    pins = re.findall(r'"(dagster-[a-z0-9]+)==([\d.]+)"', (DEPLOY / "Dockerfile").read_text())

    assert {name for name, _ in pins} == {"dagster-k8s", "dagster-postgres"}
    assert {version for _, version in pins} == {release}


def test_dockerignore_keeps_data_secrets_and_local_state_out_of_the_image():
    ignored = set((DEPLOY / "Dockerfile.dockerignore").read_text().split())

    assert {".env", ".env.*", "data/", "dagster_home/", ".venv/", "*.duckdb"} <= ignored


# dbt/profiles.spark.yml -----------------------------------------------------------------


def test_spark_profile_renders_with_dbt_from_the_environment(profile):
    project = load(REPO_ROOT / "dbt_project" / "dbt_project.yml")
    rendered = render_profile(profile, SPARK_ENV)[project["profile"]]
    thrift = rendered["outputs"]["thrift"]

    assert rendered["target"] == "thrift"
    assert (thrift["type"], thrift["method"]) == ("spark", "thrift")
    assert thrift["host"] == SPARK_ENV["DBT_SPARK_HOST"]
    assert thrift["user"] == SPARK_ENV["DBT_SPARK_USER"]
    assert thrift["password"] == SPARK_ENV["DBT_ENV_SECRET_SPARK_PASSWORD"]
    assert thrift["port"] == 10001
    assert thrift["use_ssl"] is True
    for name, output in rendered["outputs"].items():
        assert set(output) <= SPARK_PROFILE_KEYS, (name, set(output) - SPARK_PROFILE_KEYS)


def test_spark_profile_stops_when_the_thrift_host_is_not_in_the_environment(profile):
    from dbt.exceptions import EnvVarMissingError

    env = {k: v for k, v in SPARK_ENV.items() if k != "DBT_SPARK_HOST"}
    with pytest.raises(EnvVarMissingError, match="DBT_SPARK_HOST"):
        render_profile(profile, env)


def test_spark_password_is_a_dbt_secret_variable_with_no_default(profile):
    from dbt_common.constants import SECRET_ENV_PREFIX

    password = profile["heyrick"]["outputs"]["thrift"]["password"]
    match = re.fullmatch(r"\{\{ env_var\('(\w+)'\) \}\}", password)

    assert match, f"the password must be one env_var() without a default, not {password!r}"
    assert match.group(1).startswith(SECRET_ENV_PREFIX)


def test_spark_profile_passes_dbt_sparks_own_credentials_schema(profile):
    spark = pytest.importorskip("dbt.adapters.spark")

    for output in render_profile(profile, SPARK_ENV)["heyrick"]["outputs"].values():
        credentials = {k: v for k, v in output.items() if k not in {"type", "threads"}}
        # The schema only: constructing the credentials also demands each method's driver.
        spark.SparkCredentials.validate(credentials | {"database": None})


# every file -----------------------------------------------------------------------------


def scalars(node, path=()) -> Iterator[tuple[tuple, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from scalars(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from scalars(value, (*path, str(i)))
    else:
        yield path, node


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(DEPLOY) for p in DEPLOY.rglob("*.y*ml")), ids=str
)
def test_no_deployment_file_holds_a_password_or_token(path):
    literal = [
        "/".join(keys)
        for keys, value in scalars(load(DEPLOY / path))
        if re.search(r"(password|token)$", keys[-1], re.IGNORECASE)
        and value not in (None, "")
        and "env_var(" not in str(value)
    ]
    assert not literal, f"{path}: a secret value belongs in a Secret, not in {literal}"
