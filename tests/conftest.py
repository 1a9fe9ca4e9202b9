"""Shared fixtures: an isolated PENGUIN_HOME, a project folder and the scripted model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.bus import EventBus
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.config.paths import DataPaths
from penguin_tui.config.settings import CheckpointSettings
from penguin_tui.store import Store
from penguin_tui.testing import Script, ServerThread, run_in_thread

# Variables that would leak the developer's setup into a test.
_ISOLATED = (
    "PENGUIN_MODEL",
    "PENGUIN_API_BASE",
    "PENGUIN_API_KEY",
    "PENGUIN_TIMEOUT",
    "PENGUIN_THEME",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "OPENROUTER_API_KEY",
    "OPENAI_BASE_URL",
)

FAST_RETRIES = """
[model]
retry_base_delay_s = 0.01
retry_max_delay_s = 0.05
max_retries = 2
timeout_s = 10
"""


@pytest.fixture(autouse=True)
def penguin_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data root, with fast retries configured."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(FAST_RETRIES, encoding="utf-8")
    monkeypatch.setenv("PENGUIN_HOME", str(home))
    for name in _ISOLATED:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    (path / "main.py").write_text("print('hello')\n", encoding="utf-8")
    return path


def script(text: str) -> Script:
    return Script.from_toml_text(text)


SIMPLE_SCRIPT = """
model = "m1"
rate = 0
[[turns]]
reasoning = "Thinking about it."
text = "Hello **there**, this is the scripted reply."
[[turns]]
text = "A second reply."
"""


@pytest.fixture
def server() -> Iterator[ServerThread]:
    """The scripted model with two short turns, on loopback, at full speed."""
    with run_in_thread(script(SIMPLE_SCRIPT)) as thread:
        yield thread


def env_path() -> str:
    return os.environ["PENGUIN_HOME"]


def _snapshots_in_repo() -> None:
    """Keep snapshot SVGs in the top-level snapshots/ folder instead of __snapshots__."""
    try:
        from pytest_textual_snapshot import SVGImageExtension
    except ImportError:  # pragma: no cover - the plugin is a dev dependency
        return

    snapshots = Path(__file__).resolve().parent.parent / "snapshots"

    def dirname(cls: type, *, test_location: object) -> str:
        return str(snapshots)

    SVGImageExtension.dirname = classmethod(dirname)


_snapshots_in_repo()


async def open_checkpoint_service(
    store: Store, root: Path, home: Path, settings: CheckpointSettings | None = None
) -> CheckpointService:
    """The project's checkpoint service, opened as a start does (data under ``home``)."""
    service = CheckpointService(
        store,
        EventBus(sink=store),
        settings or CheckpointSettings(),
        await store.ensure_project(root),
        DataPaths(root=home, config_dir=home),
    )
    await service.open()
    return service
