"""Deterministic prose Markdown of an exact token count, and the scripted-model file for it.

Paragraphs of plain sentences with a heading every few paragraphs and a little inline
emphasis and code: what a chat reply usually looks like, not a Markdown torture test.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from penguin_tui.testing.tokens import split_tokens

MODEL = "penguin-bench"
PROMPT = "explain the design"
# A short first exchange, so that one-time costs (litellm's HTTP client, tiktoken's tables)
# are paid before the measured reply, as they are in a session that is already running.
WARMUP_PROMPT = "warmup"
WARMUP_REPLY = "Ready."

_SOURCE = (
    "the editor keeps a small buffer of changes and writes them out when the user pauses "
    "which means that every branch of the history can be replayed from its parent without "
    "touching the disk again so a checkpoint costs little more than a pointer and a hash "
    "while the reader sees each reply arrive word by word in the chat pane as the model "
    "streams it over a plain connection to the local server"
)
_WORDS = tuple(_SOURCE.split(" "))
_TOPICS = ("Overview", "Checkpoints", "Branches", "Streaming", "Costs", "Recovery", "Tools")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
    if rng.random() < 0.3:
        index = rng.randrange(len(words))
        words[index] = f"**{words[index]}**"
    if rng.random() < 0.2:
        index = rng.randrange(len(words))
        words[index] = f"`{words[index]}()`"
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def prose(tokens: int, seed: int = 7) -> str:
    """Markdown prose of exactly ``tokens`` tokens as the scripted model counts them."""
    rng = random.Random(seed)
    blocks: list[str] = []
    count = 0
    section = 0
    while count < tokens:
        if len(blocks) % 5 == 0:
            blocks.append(f"## {_TOPICS[section % len(_TOPICS)]} {section + 1}")
            section += 1
        blocks.append(_paragraph(rng))
        count = len(split_tokens("\n\n".join(blocks)))
    pieces = split_tokens("\n\n".join(blocks) + "\n")[:tokens]
    return "".join(pieces)


def write_script(path: Path, text: str, rate: float) -> Path:
    """A script that replies ``text`` at ``rate`` tokens per second (one token per chunk), and
    a short reply to the warm-up prompt."""
    # A JSON string literal is a valid TOML basic string.
    path.write_text(
        f'model = "{MODEL}"\nrate = {rate}\nchunk_tokens = 1\nloop = true\n\n'
        f"[[turns]]\nmatch = {json.dumps(WARMUP_PROMPT)}\ntext = {json.dumps(WARMUP_REPLY)}\n\n"
        f"[[turns]]\ntext = {json.dumps(text)}\n",
        encoding="utf-8",
    )
    return path
