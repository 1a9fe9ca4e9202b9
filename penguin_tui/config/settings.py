"""Settings models and their layered loading: defaults, user file, project file, env, flags."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from penguin_tui.errors import ConfigError

PROJECT_CONFIG = Path(".penguin") / "config.toml"


class ModelPrice(BaseModel):
    """A user-supplied price for a model litellm does not know, in dollars per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)
    cache_read_per_mtok: float | None = Field(default=None, ge=0)
    cache_write_per_mtok: float | None = Field(default=None, ge=0)


class ModelRoles(BaseModel):
    """Other models for side jobs: ``compaction`` writes the summaries of /compact and of
    automatic compaction; ``title`` (opt-in) writes a short title for each new session."""

    model_config = ConfigDict(extra="forbid")

    compaction: str | None = None
    title: str | None = None


class ModelSettings(BaseModel):
    """Which model to call, where, and how patiently."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    api_base: str | None = None
    # The environment variable the key is read from at run time (its name, never the key).
    key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    fallback_models: list[str] = Field(default_factory=list)
    timeout_s: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    retry_base_delay_s: float = Field(default=1.0, ge=0)
    retry_max_delay_s: float = Field(default=30.0, ge=0)
    prices: dict[str, ModelPrice] = Field(default_factory=dict)
    context_windows: dict[str, int] = Field(default_factory=dict)
    roles: ModelRoles = Field(default_factory=ModelRoles)


class AgentSettings(BaseModel):
    """Limits of one agent turn; reaching one ends the turn with a message, not a crash."""

    model_config = ConfigDict(extra="forbid")

    max_steps: int = Field(default=25, ge=1, le=500)
    max_turn_tokens: int | None = Field(default=None, ge=1)
    max_turn_cost_usd: float | None = Field(default=None, gt=0)
    max_turn_seconds: float | None = Field(default=None, gt=0)
    shell_timeout_s: float = Field(default=120.0, gt=0, le=600)
    # Compact the conversation before a turn once it fills this share of the context window.
    compact_at: float = Field(default=0.8, gt=0, le=1)


class BudgetSettings(BaseModel):
    """Dollar budgets beyond a turn's: a session's, a project's (since it was set, or since
    ``penguin-tui budget reset``), and a local calendar day's across every project."""

    model_config = ConfigDict(extra="forbid")

    turn_usd: float | None = Field(default=None, gt=0)
    session_usd: float | None = Field(default=None, gt=0)
    project_usd: float | None = Field(default=None, gt=0)
    daily_usd: float | None = Field(default=None, gt=0)
    # A model with no known price counts as free instead of being refused by a dollar budget.
    allow_unpriced: bool = False


class TaskLimits(BaseModel):
    """The budget of one task in run mode (each attempt at it gets the whole budget)."""

    model_config = ConfigDict(extra="forbid")

    max_cost_usd: float | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, ge=1)
    max_steps: int | None = Field(default=None, ge=1)
    max_seconds: float | None = Field(default=None, gt=0)


class TaskSettings(BaseModel):
    """Run mode: each task's budget (and per-task overrides, by id), the run's budget, how
    often a failing check goes back to the agent, and whether a dollar budget may hold a
    model with no known price."""

    model_config = ConfigDict(extra="forbid")

    max_cost_usd: float | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, ge=1)
    max_steps: int | None = Field(default=100, ge=1)
    max_seconds: float | None = Field(default=None, gt=0)
    run_max_cost_usd: float | None = Field(default=None, gt=0)
    run_max_tokens: int | None = Field(default=None, ge=1)
    run_max_seconds: float | None = Field(default=None, gt=0)
    check_rounds: int = Field(default=3, ge=0, le=50)
    check_timeout_s: float = Field(default=300.0, gt=0, le=600)
    allow_unpriced: bool = False
    overrides: dict[str, TaskLimits] = Field(default_factory=dict)


class CheckpointSettings(BaseModel):
    """Code snapshots and their retention: the shadow repository, kept outside the project."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    # Files larger than this are skipped (and listed) instead of snapshotted.
    max_file_mb: float = Field(default=5.0, gt=0)
    # Snapshotting a home directory or / must be asked for explicitly.
    allow_home_or_root: bool = False
    # Automatic checkpoints: all kept for this many hours, then one per day for this many
    # days, then dropped. Manual and safety checkpoints are always kept.
    keep_all_auto_hours: float = Field(default=48.0, ge=0)
    keep_daily_auto_days: float = Field(default=30.0, ge=0)
    # Warn when the shadow repository grows past this size.
    quota_mb: float = Field(default=2048.0, gt=0)


class UISettings(BaseModel):
    """How the workbench looks and which keys do what."""

    model_config = ConfigDict(extra="forbid")

    theme: str = "penguin-dark"
    keys: dict[str, str] = Field(default_factory=dict)


class Settings(BaseModel):
    """Everything configurable, after all layers are merged."""

    model_config = ConfigDict(extra="forbid")

    # The user file's layout version (penguin_tui.config.migrations upgrades an older one).
    schema_version: int | None = Field(default=None, ge=0)
    model: ModelSettings = Field(default_factory=ModelSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    ui: UISettings = Field(default_factory=UISettings)
    checkpoints: CheckpointSettings = Field(default_factory=CheckpointSettings)
    tasks: TaskSettings = Field(default_factory=TaskSettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    # Validated by the engine, per layer: a project may tighten permissions, never grant them.
    permissions: dict[str, Any] = Field(default_factory=dict)
    secret_env_vars: list[str] = Field(default_factory=list)

    @property
    def secret_variables(self) -> list[str]:
        """The variables kept from every program penguin-tui starts and redacted wherever
        their values appear: ``secret_env_vars`` and the one the model's key is read from
        (``[model] key_env``), whatever its name."""
        key_env = self.model.key_env
        if key_env is None or key_env in self.secret_env_vars:
            return list(self.secret_env_vars)
        return [*self.secret_env_vars, key_env]


def read_layer(path: Path) -> dict[str, Any]:
    """One config file as a dict ({} when it does not exist)."""
    return _read_toml(path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"config file {path} is not valid UTF-8 ({_position(data, error.start)}: byte "
            f"0x{data[error.start]:02x}); save it as UTF-8"
        ) from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from error


def _position(data: bytes, offset: int) -> str:
    """``line L, column C`` of the byte at ``offset`` (both from 1; the column in bytes)."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def describe_setting_error(error: ValidationError, source: str, prefix: str = "") -> str:
    """The first problem of ``error`` in plain words: which setting, where it was set (``from
    <file>``, ``from the environment``…) and what is wrong — no pydantic class name."""
    first = error.errors()[0]
    parts = [prefix] if prefix else []
    parts += [str(part) for part in first["loc"]]
    name = ".".join(parts) or "(the whole file)"
    return f"bad setting {name} from {source}: {_plain_problem(first)}"


# pydantic's error types whose message names one of its classes.
_PLAIN_PROBLEMS = {
    "model_type": "it should be a table of settings",
    "model_attributes_type": "it should be a table of settings",
    "dict_type": "it should be a table",
    "list_type": "it should be a list",
}


def _plain_problem(problem: Mapping[str, Any]) -> str:
    kind = str(problem["type"])
    if kind == "extra_forbidden":
        return "there is no such setting"
    if kind == "missing":
        return "it is required"
    plain = _PLAIN_PROBLEMS.get(kind)
    if plain is None:
        message, should = str(problem["msg"]).removeprefix("Value error, "), "Input should be "
        plain = "it should be " + message[len(should) :] if message.startswith(should) else message
    given = problem.get("input")
    return plain if isinstance(given, dict | list) else f"{plain} (got {given!r})"


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_layer(environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    model: dict[str, Any] = {}
    if environ.get("PENGUIN_MODEL"):
        model["name"] = environ["PENGUIN_MODEL"]
    if environ.get("PENGUIN_API_BASE"):
        model["api_base"] = environ["PENGUIN_API_BASE"]
    if environ.get("PENGUIN_TIMEOUT"):
        model["timeout_s"] = environ["PENGUIN_TIMEOUT"]
    layer: dict[str, Any] = {"model": model} if model else {}
    if environ.get("PENGUIN_THEME"):
        layer["ui"] = {"theme": environ["PENGUIN_THEME"]}
    return layer


@dataclass(frozen=True)
class Layer:
    """One layer of settings: its kind (``user``, ``project``, ``environment``, ``flag``),
    where it came from (a file's path, ``the environment``, ``the command line``), and the
    settings it sets."""

    kind: str
    source: str
    values: dict[str, Any]


def settings_layers(
    user_config: Path | None,
    project_dir: Path | None,
    *,
    model: str | None = None,
    api_base: str | None = None,
    environ: dict[str, str] | None = None,
    notices: list[str] | None = None,
) -> list[Layer]:
    """The layers, lowest first: user file (upgraded when older), project file, environment,
    flags. Notices (an upgraded user file, an older project file) go to ``notices``, or to
    stderr when it is None."""
    from penguin_tui.config import migrations

    env = os.environ if environ is None else environ
    said: list[str] = []
    layers: list[Layer] = []
    if user_config is not None:
        tables = _read_toml(user_config)
        if tables:
            upgrade = migrations.upgrade_user_file(user_config, tables)
            tables = upgrade.tables
            said += [upgrade.notice] if upgrade.notice else []
        layers.append(Layer("user", str(user_config), tables))
    if project_dir is not None:
        project_file = project_dir / PROJECT_CONFIG
        tables = _read_toml(project_file)
        if tables:
            upgrade = migrations.read_project_file(project_file, tables)
            tables = upgrade.tables
            said += [upgrade.notice] if upgrade.notice else []
        layers.append(Layer("project", str(project_file), tables))
    layers.append(Layer("environment", "the environment", _env_layer(env)))
    flags: dict[str, Any] = {}
    if model:
        flags["name"] = model
    if api_base:
        flags["api_base"] = api_base
    layers.append(Layer("flag", "the command line", {"model": flags} if flags else {}))
    if notices is not None:
        notices.extend(said)
    for notice in said if notices is None else []:
        print(f"penguin-tui: {notice}", file=sys.stderr, flush=True)
    return layers


def merge_layers(layers: list[Layer]) -> Settings:
    """The layers merged, later ones winning (secret names add up); a ConfigError naming the
    first layer that makes the settings wrong."""
    merged: dict[str, Any] = {}
    for layer in layers:
        earlier = merged.get("secret_env_vars")
        merged = _merge(merged, layer.values)
        later = merged.get("secret_env_vars")
        # Secret names add up: a project can name more, never take back the user's.
        if isinstance(earlier, list) and isinstance(later, list):
            merged["secret_env_vars"] = [*earlier, *(n for n in later if n not in earlier)]
        try:
            Settings.model_validate(merged)
        except ValidationError as error:
            raise ConfigError(describe_setting_error(error, layer.source)) from error
    return Settings.model_validate(merged)


def load_settings(
    user_config: Path | None,
    project_dir: Path | None,
    *,
    model: str | None = None,
    api_base: str | None = None,
    environ: dict[str, str] | None = None,
    notices: list[str] | None = None,
) -> Settings:
    """Merge the layers, later ones winning: user file, project file, environment, flags.

    An older user file is upgraded first (see ``config.migrations``); its notice, and an older
    project file's, go to ``notices`` (stderr when it is None)."""
    return merge_layers(
        settings_layers(
            user_config,
            project_dir,
            model=model,
            api_base=api_base,
            environ=environ,
            notices=notices,
        )
    )
