"""``policygraph synth``: write a synthetic corpus of N briefs for benchmarks."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

NAME = "synth"
HELP = "write a synthetic corpus of N briefs in the project's model (for benchmarks)"
ORDER = 60


def configure(parser) -> None:
    parser.add_argument("--briefs", type=int, required=True, metavar="N", help="number of briefs")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder to write (replaced)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed (default 1); same seed, same files"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")


def run(args) -> int:
    from ..synth import synthesize

    if args.briefs < 1:
        raise InputError(f"--briefs must be at least 1, not {args.briefs}")
    counts = synthesize(args.briefs, args.out, seed=args.seed)
    if not args.quiet:
        print(
            f"wrote {counts['briefs']:,} briefs to {args.out}: {counts['files']:,} files, "
            f"{counts['triples']:,} triples, {counts['quotes']:,} quotes "
            f"(texts in {args.out / 'sources'})"
        )
    return 0
