"""The `offline` provider: the reader writes the whole reading itself, standard library only."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from tarot.llm.base import Prompt, StreamChunk
from tarot.llm.reader.compose import Written, write

_PARAGRAPHS = re.compile(r"(?<=\n\n)")


class OfflineProvider:
    """A provider that never fails or calls out."""

    name = "offline"
    model = "offline-reader-2"

    def __init__(self, *, crisis_text: str | None = None):
        self.crisis_text = crisis_text or None

    def compose(self, prompt: Prompt) -> Written:
        """The reading for a prompt, from the prompt's plan when it carries one."""
        return write(prompt.context, getattr(prompt, "plan", None), crisis_text=self.crisis_text)

    async def stream(self, prompt: Prompt) -> AsyncIterator[StreamChunk]:
        """Yield the interpretation paragraph by paragraph.

        No pause between pieces: writing takes well under a millisecond of CPU, while on a busy
        loop each pause would wait a full turn and slow `?wait=true` down under load.
        """
        for piece in _PARAGRAPHS.split(self.compose(prompt).text):
            if piece:
                yield StreamChunk(text=piece)

    async def aclose(self) -> None:
        """Nothing to release: the reader holds no connections."""


def build(settings: object) -> OfflineProvider:
    """The chain's hook; the reader needs only the configured crisis text."""
    return OfflineProvider(crisis_text=getattr(settings, "crisis_text", None))
