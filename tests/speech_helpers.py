"""What the attribution tests read off ``analyse_speech``: who said each quotation, and its cue."""

from __future__ import annotations

from index.speech import Speech


def speakers(speech: Speech) -> list[str | None]:
    """Who said each quotation, as the person's name (None when nobody is found)."""
    return [speech.people[q.person].name if q.person >= 0 else None for q in speech.quotations]


def reported_speakers(speech: Speech) -> list[str | None]:
    """Who said each statement of reported speech, as :func:`speakers` tells quotations'."""
    return [speech.people[q.person].name if q.person >= 0 else None for q in speech.reported]


def cues(text: str, speech: Speech) -> list[str | None]:
    """The words that attribute each quotation (None when there are none)."""
    return [text[q.cue_start : q.cue_end] if q.cue_start >= 0 else None for q in speech.quotations]
