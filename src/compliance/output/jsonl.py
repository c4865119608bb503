"""``jsonl``: one finding per line (all states), as in the ``findings`` list of the JSON document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compliance.inputs.text import for_json
from compliance.output.base import Writer
from compliance.output.json import encode_findings

if TYPE_CHECKING:
    from compliance.pipeline.run import Outcome


class JsonlWriter(Writer):
    """One finding per line (all states), as in the ``findings`` list of the JSON document."""

    name, title = "jsonl", "JSON Lines（每行一个结果）"

    @staticmethod
    def render(outcome: Outcome) -> str:
        return for_json("".join(text + "\n" for text in encode_findings(outcome.findings)))

    def add(self, outcome: Outcome) -> None:
        self.stream.write(outcome.rendered if outcome.rendered is not None else self.render(outcome))
