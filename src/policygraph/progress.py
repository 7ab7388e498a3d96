"""Progress bars for the long stages (loading thousands of files, validating in parts,
writing the dumps and pages), drawn by tqdm on a terminal only.

A bar shows when standard error is a terminal, unless the command was given ``-q``
(:func:`quiet`), ``$CI`` is set, or ``POLICYGRAPH_PROGRESS=0``; ``POLICYGRAPH_PROGRESS=1``
forces it (for trying it out in a pipe). Without a bar, :func:`bar` returns the iterable
itself: a CI log holds the stage lines, not carriage returns.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_QUIET = False
MIN_ITEMS = 2  # one item: nothing to show progress through


def quiet(value: bool = True) -> None:
    """Silence the bars for this process (the CLI calls this for ``-q``)."""
    global _QUIET
    _QUIET = value


def enabled() -> bool:
    setting = os.environ.get("POLICYGRAPH_PROGRESS", "")
    if setting == "1":
        return True
    if setting == "0" or _QUIET or os.environ.get("CI"):
        return False
    return sys.stderr.isatty()


def bar(
    items: Iterable[T], description: str, total: int | None = None, unit: str = "it"
) -> Iterator[T] | Iterable[T]:
    """``items``, with a bar on standard error while they are consumed, when enabled."""
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if not enabled() or (total is not None and total < MIN_ITEMS):
        return items
    from tqdm import tqdm

    return tqdm(
        items,
        desc=f"  {description}",
        total=total,
        unit=unit,
        leave=False,
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.25,
    )
