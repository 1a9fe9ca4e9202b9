"""Where penguin-tui keeps its data: ``PENGUIN_HOME`` when set, else the platform's dirs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from penguin_tui.errors import ConfigError


@dataclass(frozen=True)
class DataPaths:
    """The files and folders of one penguin-tui data root."""

    root: Path
    config_dir: Path

    @property
    def database(self) -> Path:
        return self.root / "penguin.db"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def demo_projects(self) -> Path:
        return self.root / "demo"

    @property
    def shadow_repos(self) -> Path:
        """One bare shadow repository per project lives under here, never in the project."""
        return self.root / "shadow"

    @property
    def cache(self) -> Path:
        """What penguin-tui fetched and may fetch again: each model server's list of models."""
        return self.root / "cache"

    @property
    def user_config(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def keys_file(self) -> Path:
        """The keys typed into setup when no system keyring works (0600, never a config)."""
        return self.root / "keys.json"

    @property
    def prompt_history(self) -> Path:
        """The line mode's prompt history (0600, secrets redacted)."""
        return self.root / "prompt-history"

    def protected(self) -> list[Path]:
        """penguin-tui's own files, which the agent must never touch without asking.

        Not the whole root: the demo's projects live under it and are ordinary projects.
        """
        database = self.database
        return [
            database,
            database.with_name(database.name + "-wal"),
            database.with_name(database.name + "-shm"),
            self.logs,
            self.backups,
            self.shadow_repos,
            self.user_config,
            self.keys_file,
            self.prompt_history,
        ]


def data_paths(environ: dict[str, str] | None = None) -> DataPaths:
    """Resolve the data root; ``PENGUIN_HOME`` holds everything (config included) when set."""
    env = os.environ if environ is None else environ
    home = env.get("PENGUIN_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return DataPaths(root=root, config_dir=root)
    import platformdirs

    return DataPaths(
        root=Path(platformdirs.user_data_dir("penguin-tui")),
        config_dir=Path(platformdirs.user_config_dir("penguin-tui")),
    )


def project_directory(directory: str | Path | None) -> Path:
    """The project's folder (default: the current one), resolved; a ConfigError when it is
    missing or not a folder."""
    path = Path(directory or ".").expanduser()
    if not path.exists():
        raise ConfigError(f"the project directory {path} does not exist")
    if not path.is_dir():
        raise ConfigError(f"{path} is not a directory; give the project's folder")
    return path.resolve()
