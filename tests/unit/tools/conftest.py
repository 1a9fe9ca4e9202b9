"""Fixtures for the tool tests: a project folder and a tool context for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.engine.tools.base import ToolContext


@pytest.fixture(autouse=True)
def no_repository_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git must not find a repository above tmp_path: "not a git tree" then really means it."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path.resolve()


@pytest.fixture
def ctx(root: Path) -> ToolContext:
    return ToolContext.for_project(root)
