"""``policygraph validate``: check data against the SHACL shapes, for people and for CI.

Exit codes: 0 the data conforms, 1 it does not (at the ``--fail-on`` severity), 2 the
input or the options are wrong (a missing file, a syntax error at ``file:line:column``).
"""

from __future__ import annotations

import sys
from pathlib import Path

NAME = "validate"
HELP = "validate data against the SHACL shapes (exit 0 conforms, 1 does not, 2 bad input)"
ORDER = 20


def configure(parser) -> None:
    from ..reasoning import REASONERS
    from ..report import FAIL_ON, FORMATS
    from ..validation import ENGINES

    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="Turtle, TriG, JSON-LD (or N-Triples, N-Quads, RDF/XML) files or folders to "
        "validate together with the ontology and shapes (default: the project's data/)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default; grouped by node), json, junit (JUnit XML for CI) or github "
        "(GitHub Actions annotations)",
    )
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="violation",
        help="the least severe result that fails validation (default: violation)",
    )
    parser.add_argument(
        "--engine", choices=ENGINES, default="rudof", help="SHACL engine (default: rudof)"
    )
    parser.add_argument(
        "--reasoner",
        choices=REASONERS,
        default="rules",
        help="entailment before validation: rules (default; SPARQL rules in Oxigraph), owlrl "
        "or reasonable (incomplete: see docs/performance.md)",
    )
    quotes = parser.add_mutually_exclusive_group()
    quotes.add_argument(
        "--check-quotes",
        dest="check_quotes",
        action="store_true",
        default=None,
        help="also check every evidence quote against the source texts "
        "(default: when a sources folder exists)",
    )
    quotes.add_argument(
        "--no-check-quotes", dest="check_quotes", action="store_false", help="skip the quote check"
    )
    parser.add_argument(
        "--sources",
        nargs="+",
        metavar="DIR",
        help="folders of source texts for the quote check (default: DIR/sources beside each "
        "data folder given, then $POLICYGRAPH_SOURCES or ../shared/sources)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report to FILE (atomically) instead of standard output",
    )


def _check_output(path) -> None:
    """A report is text, JSON or XML: never write one over an RDF file (or a folder)."""
    from ..errors import InputError
    from ..project import RDF_SUFFIXES

    if path.suffix in RDF_SUFFIXES:
        raise InputError(f"{path}: a report is not RDF; not writing it over an RDF file name")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name for the report")


def run(args) -> int:
    from ..atomic import write_text
    from ..errors import EXIT_NONCONFORMING, EXIT_OK, InputError
    from ..validation import validate

    if args.output:
        _check_output(Path(args.output))
    from ..validation import source_folders

    if args.check_quotes or args.sources:
        from ..project import find_project

        folders = source_folders(find_project(), args.paths, args.sources)
        if args.check_quotes and not folders:
            raise InputError(
                f"{find_project().sources_dir}: no source texts to check quotes against"
            )
    report = validate(
        data=args.paths or None,
        engine=args.engine,
        reasoner=args.reasoner,
        check_quotes=args.check_quotes,
        sources=args.sources,
    )
    text = report.render(args.format, fail_on=args.fail_on)
    if args.output:
        try:
            write_text(args.output, text)
        except OSError as err:
            raise InputError(f"{args.output}: cannot write the report: {err.strerror}") from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if args.format != "text" or args.output:
        print(f"policygraph validate: {report.summary(args.fail_on)}", file=sys.stderr)
    return EXIT_OK if report.conforms(args.fail_on) else EXIT_NONCONFORMING
