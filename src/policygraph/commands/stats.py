"""``policygraph stats``: load ontology and data, entail, and print what the graph holds."""

from __future__ import annotations

import json

NAME = "stats"
HELP = "print what the graph holds: triples per part, nodes per class, claims per status"
ORDER = 70


def configure(parser) -> None:
    parser.add_argument(
        "--data",
        nargs="+",
        metavar="PATH",
        help="data files or folders (default: the project's data/)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args) -> int:
    from ..graph import load
    from ..reasoning import entail
    from ..stats import statistics

    kg = load(data=args.data)
    entail(kg)
    stats = statistics(kg)
    if args.json:
        print(json.dumps(stats.__dict__, indent=2, ensure_ascii=False))
        return 0
    print("triples")
    for part, n in stats.triples.items():
        print(f"  {part:<12} {n:>8,}")
    print(f"evidenced statements {stats.evidenced:,} with {stats.quotes:,} quotes")
    if stats.statuses:
        print("statements by epistemic status")
        for status, n in stats.statuses.items():
            print(f"  {status:<20} {n:>5}")
    if stats.classes:
        print("nodes by class")
        for name, n in stats.classes.items():
            print(f"  {name:<28} {n:>5}")
    return 0
