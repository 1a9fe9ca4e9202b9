"""``penguin-tui setup``: the setup flow (penguin_tui.setup) in line mode, for SSH sessions
and small or dumb terminals — prompt-toolkit prompts with completion, validation and a
masked key — and, with ``--yes``, for scripts: the flags, no question asked."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from penguin_tui.config.paths import data_paths
from penguin_tui.errors import ConfigError, PenguinError
from penguin_tui.setup.connection import ConnectionResult, ModelChoice, check_connection
from penguin_tui.setup.detect import LocalServer, detect_local_servers
from penguin_tui.setup.flow import (
    DEFAULT_MODE,
    MODES,
    SetupChoices,
    apply,
    config_api_base,
    key_needed,
    validate,
)
from penguin_tui.setup.providers import (
    PROVIDERS,
    Provider,
    ProviderOption,
    provider_named,
    provider_options,
)

# The exit codes of docs/cli.md (cli.exit_codes, which this layer may not import).
OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130


def fail(message: str, code: int) -> int:
    """Print ``penguin-tui: MESSAGE`` on stderr and return the exit code."""
    print(f"penguin-tui: {message}", file=sys.stderr, flush=True)
    return code


def setup_command(options: argparse.Namespace) -> int:
    """Run setup: non-interactive with ``--yes``, else step by step; one line on failure."""
    try:
        if options.yes:
            return _non_interactive(options)
        return _interactive(options)
    except ConfigError as error:
        return fail(error.message, USAGE)
    except PenguinError as error:
        return fail(error.message, FAILED)
    except (KeyboardInterrupt, EOFError):
        return fail("setup cancelled; nothing was written", INTERRUPTED)


def _env_key(provider: Provider, key_env: str | None) -> str | None:
    """The key a run would find in the environment: ``key_env``'s, else the provider's."""
    if key_env is not None:
        key = os.environ.get(key_env)
        if not key:
            raise ConfigError(f"--key-env {key_env}: that variable is not set")
        return key
    return os.environ.get(provider.key_variable) if provider.key_variable else None


def _non_interactive(options: argparse.Namespace) -> int:
    if not options.provider or not options.model:
        raise ConfigError("setup --yes needs --provider NAME and --model M")
    choices = SetupChoices(
        provider=options.provider,
        model=options.model,
        api_base=options.api_base,
        key_env=options.key_env,
        mode=options.mode or DEFAULT_MODE,
    )
    provider = validate(choices)
    api_base = config_api_base(provider, choices.api_base)
    key = _env_key(provider, choices.key_env)
    if key is None and key_needed(provider, api_base):
        variable = provider.key_variable or "a variable"
        raise ConfigError(
            f"{provider.display_name} needs a key: set {variable} or pass --key-env VAR"
        )
    result = check_connection(provider, api_base, key)
    wanted = provider.listed_id(choices.model)
    if not any(wanted in (model.id, model.name) for model in result.models):
        listed = ", ".join(model.id for model in result.models[:5])
        more = "…" if len(result.models) > 5 else ""
        raise ConfigError(
            f"model {choices.model!r} is not among the models {result.api_base} lists "
            f"({listed}{more})"
        )
    done = apply(choices, data_paths())
    for line in done.summary():
        print(line)
    return OK


def _ask(
    message: str, words: Sequence[str], *, default: str = "", valid: Sequence[str] = ()
) -> str:
    """One prompt: completion on ``words``; when ``valid`` is given, only those answers."""
    from prompt_toolkit import prompt
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.validation import Validator

    allowed = set(valid)
    validator = (
        Validator.from_callable(
            lambda text: text.strip() in allowed or (not text.strip() and bool(default)),
            error_message="choose one of the listed answers (Tab completes)",
            move_cursor_to_end=True,
        )
        if allowed
        else None
    )
    answer = prompt(
        message,
        completer=WordCompleter(list(words), sentence=True),
        complete_while_typing=True,
        validator=validator,
        validate_while_typing=False,
        default="",
    )
    return answer.strip() or default


def _ask_secret(message: str) -> str:
    """A masked prompt: the key's characters are never shown."""
    from prompt_toolkit import prompt

    return prompt(message, is_password=True).strip()


def _pick_provider(found: Sequence[LocalServer], given: str | None) -> ProviderOption:
    options = provider_options(found)
    if given:
        provider = provider_named(given)
        return next(
            (o for o in options if o.provider == provider), ProviderOption(provider, None, "")
        )
    print("Providers:")
    for number, option in enumerate(options, 1):
        print(f"  {number}. {option.label}")
    numbers = [str(n) for n in range(1, len(options) + 1)]
    names = [p.name for p in PROVIDERS]
    answer = _ask("Provider [1]: ", names, default="1", valid=[*numbers, *names])
    if answer in numbers:
        return options[int(answer) - 1]
    return next(o for o in options if o.provider.name == answer and o.api_base is None)


def _connect(
    option: ProviderOption, given_base: str | None
) -> tuple[str | None, str | None, ConnectionResult]:
    """Ask the API base (when needed) and the key until the connection test passes."""
    provider = option.provider
    api_base = given_base or option.api_base
    while True:
        if provider.needs_api_base and not api_base:
            default = provider.default_api_base or ""
            api_base = _ask(f"API base [{default}]: ", [default], default=default)
        base = config_api_base(provider, api_base)
        key = _ask_key(provider, base)
        print("Testing the connection…")
        try:
            result = check_connection(provider, base, key or _env_key(provider, None))
        except PenguinError as error:
            print(f"Connection failed: {error.message}")
            if provider.needs_api_base and option.api_base is None and not given_base:
                api_base = None  # asked again
            continue
        print(f"Connected: {result.api_base} lists {len(result.models)} model(s).")
        return base, key, result


def _ask_key(provider: Provider, api_base: str | None) -> str | None:
    if not provider.needs_key:
        return None
    variable = provider.key_variable
    if variable and os.environ.get(variable):
        hint = f"Enter keeps using ${variable}"
    elif key_needed(provider, api_base):
        hint = "it is kept in the system keyring, else a file only you can read"
    else:
        hint = "Enter for none"
    while True:
        key = _ask_secret(f"API key ({hint}): ")
        if key or not key_needed(provider, api_base) or (variable and os.environ.get(variable)):
            return key or None
        print("A key is needed for this provider.")


def _pick_model(models: Sequence[ModelChoice], given: str | None) -> ModelChoice:
    if given:
        match = [m for m in models if given in (m.id, m.name)]
        if match:
            return match[0]
    print("Models:")
    for number, model in enumerate(models, 1):
        print(f"  {number}. {model.describe()}")
    numbers = [str(n) for n in range(1, len(models) + 1)]
    ids = [m.id for m in models]
    answer = _ask("Model [1]: ", ids, default="1", valid=[*numbers, *ids])
    return models[int(answer) - 1] if answer in numbers else models[ids.index(answer)]


def _pick_mode(given: str | None) -> str:
    if given:
        return given
    print("Permission modes: ask (asks before edits and commands), read-only, auto-edit, full")
    return _ask(f"Permission mode [{DEFAULT_MODE}]: ", MODES, default=DEFAULT_MODE, valid=MODES)


def _interactive(options: argparse.Namespace) -> int:
    print("penguin-tui setup: a provider, its key, a model and the permission mode.")
    found = [] if options.provider else detect_local_servers()
    option = _pick_provider(found, options.provider)
    api_base, key, result = _connect(option, options.api_base)
    model = _pick_model(result.models, options.model)
    mode = _pick_mode(options.mode)
    choices = SetupChoices(
        provider=option.provider.name,
        model=model.name,
        api_base=api_base,
        key=key,
        key_env=options.key_env,
        mode=mode,
    )
    done = apply(choices, data_paths())
    for line in done.summary():
        print(line)
    print('Ready: try  penguin-tui run "hello"  or open the workbench with  penguin-tui')
    return OK
