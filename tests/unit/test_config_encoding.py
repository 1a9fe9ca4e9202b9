"""A config file that is not UTF-8, or a setting of the wrong kind, is one plain line (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.config import load_settings
from penguin_tui.errors import ConfigError

Captured = pytest.CaptureFixture[str]

LATIN_1 = '[model]\nname = "caf\xe9"\n'.encode("latin-1")


def test_a_config_file_that_is_not_utf8_is_a_config_error_with_its_place(tmp_path: Path) -> None:
    user = tmp_path / "config.toml"
    user.write_bytes(LATIN_1)
    with pytest.raises(ConfigError) as raised:
        load_settings(user, None, environ={})
    assert raised.value.message == (
        f"config file {user} is not valid UTF-8 (line 2, column 12: byte 0xe9); save it as UTF-8"
    )


def test_run_with_a_project_config_that_is_not_utf8_exits_2_with_one_line(
    capsys: Captured, project: Path
) -> None:
    config = project / ".penguin" / "config.toml"
    config.parent.mkdir()
    config.write_bytes(LATIN_1)
    code = main(["run", "-C", str(project), "--model", "m1", "hi"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"penguin-tui: config file {config} is not valid UTF-8 (line 2, column 12: byte 0xe9); "
        "save it as UTF-8\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'model = "gpt-4o"\n',
            "bad setting model from {file}: it should be a table of settings (got 'gpt-4o')",
        ),
        (
            "[model.prices]\nm1 = 3\n",
            "bad setting model.prices.m1 from {file}: it should be a table of settings (got 3)",
        ),
        ('[model]\nnmae = "m1"\n', "bad setting model.nmae from {file}: there is no such setting"),
        (
            "[model]\ntimeout_s = -3\n",
            "bad setting model.timeout_s from {file}: it should be greater than 0 (got -3)",
        ),
        (
            "[permissions]\nrules = [3]\n",
            "bad setting permissions.rules.0 from {file}: it should be a table of settings (got 3)",
        ),
    ],
    ids=["not-a-table", "price-not-a-table", "unknown", "out-of-range", "rule"],
)
def test_a_bad_setting_is_named_with_its_file_in_plain_words(
    capsys: Captured, project: Path, text: str, message: str
) -> None:
    config = project / ".penguin" / "config.toml"
    config.parent.mkdir()
    config.write_text(text, encoding="utf-8")
    code = main(["run", "-C", str(project), "--model", "m1", "hi"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"penguin-tui: {message.format(file=config)}\n"
