"""Dated articles written for the conversation and date tests (invented, not from any publisher).

Mayor Jan Kowalski of Riverton speaks in three of them: in February, in March, and in one with
no publication date, so "last week", "in February", "latest" and "undated articles were set
aside" each have exactly one right answer.
"""

from __future__ import annotations

from pathlib import Path

BRIDGE = {
    "name": "riverton-bridge",
    "title": "Riverton Council Approves the New Bridge",
    "published": "2024-03-05",
    "url": "https://example.org/riverton/bridge",
    "text": """
The Riverton city council approved the new bridge over the river on Tuesday.

“The bridge will open in two years and it will carry the tram,” Mayor Jan Kowalski told reporters after the vote.

“We found the money for the bridge without raising taxes,” Kowalski added.

“Nobody will pay a toll to cross it,” the mayor said.

Critics said the cost of the bridge was too high.
""",
}

BUDGET = {
    "name": "riverton-budget",
    "title": "Riverton Mayor Presents the City Budget",
    "published": "2024-02-10",
    "text": """
Mayor Jan Kowalski presented the Riverton city budget on Saturday.

“Schools come first in this budget,” Kowalski said.

“The bridge is not in this year's plans, but the study of the bridge is paid for,” the mayor added.
""",
}

LIBRARY = {
    "name": "riverton-library",
    "title": "Riverton Library Reopens",
    "text": """
The Riverton library reopened after two years of repairs.

“A bridge between the old town and the new one, that is what this library is,” Mayor Jan Kowalski said at the ceremony.
""",
}

DATED = [BRIDGE, BUDGET, LIBRARY]


def write_dated(corpus: Path) -> None:
    """Write the three Riverton articles into ``corpus`` as Markdown with front matter."""
    for article in DATED:
        front = [f"title: {article['title']!r}"]
        front += [f"{k}: {article[k]!r}" for k in ("published", "url") if k in article]
        body = "---\n" + "\n".join(front) + "\n---\n\n" + article["text"].strip() + "\n"
        (corpus / f"{article['name']}.md").write_text(body, encoding="utf-8")
