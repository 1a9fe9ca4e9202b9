"""What the client leaves of litellm's kept chunks once a reply has finished: the usage that
litellm rebuilds at the end of the stream comes out the same, from a handful of chunks."""

from __future__ import annotations

from typing import Any

import pytest

from penguin_tui.llm.client import forget_streamed_chunks, provider_sent_usage
from penguin_tui.llm.loader import load_litellm

REPLY_TOKENS = 3000


@pytest.fixture(scope="module")
def litellm() -> Any:
    return load_litellm()


def text_chunk(text: str | None, finish_reason: str | None = None) -> Any:
    from litellm.types.utils import Delta, ModelResponseStream, StreamingChoices

    choice = StreamingChoices(index=0, delta=Delta(content=text), finish_reason=finish_reason)
    return ModelResponseStream(model="m1", choices=[choice])


def usage_chunk(**counts: Any) -> Any:
    from litellm.types.utils import ModelResponseStream, Usage

    chunk = ModelResponseStream(model="m1", choices=[])
    chunk.usage = Usage(**counts)
    return chunk


class KeptChunks:
    """litellm's stream as the client sees it: the list of chunks it keeps."""

    def __init__(self, chunks: list[Any]) -> None:
        self.chunks = chunks


def streamed_reply(first_usage: Any = None) -> list[Any]:
    """The chunks litellm keeps up to the finish reason (the usage comes after it)."""
    first = text_chunk("Hello ")
    if first_usage is not None:
        first.usage = first_usage
    words = [text_chunk("word ") for _ in range(REPLY_TOKENS)]
    return [first, *words, text_chunk(None, "stop")]


def usage_at_the_end(litellm: Any, chunks: list[Any]) -> Any:
    """What litellm hands over as the call's usage once the stream ended."""
    return litellm.stream_chunk_builder(chunks=chunks).usage


def test_the_usage_from_the_provider_is_the_same_after_the_chunks_are_forgotten(
    litellm: Any,
) -> None:
    reported = usage_chunk(
        prompt_tokens=812,
        completion_tokens=REPLY_TOKENS + 1,
        total_tokens=813 + REPLY_TOKENS,
        prompt_tokens_details={"cached_tokens": 512},
        completion_tokens_details={"reasoning_tokens": 40},
    )
    whole = [*streamed_reply(), reported]
    stream = KeptChunks(streamed_reply())
    kept = stream.chunks
    forget_streamed_chunks(stream)
    assert stream.chunks is kept  # changed in place: litellm holds this very list
    assert len(stream.chunks) == 1  # the finish reason's chunk
    stream.chunks.append(reported)  # litellm keeps the usage chunk when it comes
    assert usage_at_the_end(litellm, stream.chunks) == usage_at_the_end(litellm, whole)


def test_a_provider_that_splits_its_usage_keeps_both_parts(litellm: Any) -> None:
    """Some providers send the input tokens with the first chunk and the output with the last."""
    from litellm.types.utils import Usage

    opening = Usage(
        prompt_tokens=900,
        completion_tokens=1,
        total_tokens=901,
        prompt_tokens_details={"cached_tokens": 600},
    )
    closing = usage_chunk(completion_tokens=REPLY_TOKENS + 1)
    whole = [*streamed_reply(opening), closing]
    stream = KeptChunks(streamed_reply(opening))
    forget_streamed_chunks(stream)
    assert len(stream.chunks) == 2
    stream.chunks.append(closing)
    usage = usage_at_the_end(litellm, stream.chunks)
    assert usage == usage_at_the_end(litellm, whole)
    assert (usage.prompt_tokens, usage.prompt_tokens_details.cached_tokens) == (900, 600)


def test_a_stream_without_usage_still_says_so() -> None:
    """Without the provider's usage, litellm's made-up figures are still recognised."""
    stream = KeptChunks(streamed_reply())
    forget_streamed_chunks(stream)
    assert not provider_sent_usage(stream)


def test_a_stream_without_a_chunk_list_is_left_alone() -> None:
    stream = object()
    forget_streamed_chunks(stream)
    assert provider_sent_usage(stream)
