"""What the `pageviews` console script (and `python -m pageviews`) runs: the command line, handed the use
cases the composition root builds for it (inbound adapters never import the container themselves)."""

from __future__ import annotations

from collections.abc import Sequence

from pageviews.adapters.inbound import cli
from pageviews.containers import Container, command_services


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, services=lambda: command_services(Container()))
