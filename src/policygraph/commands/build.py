"""``policygraph build``: validate the sources and write a linked-data release to dist/."""

from __future__ import annotations

import os
import sys

NAME = "build"
HELP = "validate the graph and write a publishable linked-data release (dumps, VoID, pages)"
ORDER = 10


def configure(parser) -> None:
    parser.add_argument(
        "--data",
        nargs="+",
        metavar="PATH",
        help="data files or folders (default: the project's data/)",
    )
    parser.add_argument(
        "--out", default="dist", metavar="DIR", help="release folder to (re)place (default: dist)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors and the report"
    )
    parser.add_argument(
        "--engine",
        metavar="NAME",
        help="SHACL engine for the validation (default: the validator's own default)",
    )
    parser.add_argument(
        "--reasoner",
        metavar="NAME",
        default="rules",
        help="entailment: rules (default; SPARQL rules in Oxigraph), owlrl or reasonable "
        "(incomplete: see docs/performance.md)",
    )
    parser.add_argument(
        "--sparql-endpoint",
        metavar="URL",
        default=os.environ.get("POLICYGRAPH_SPARQL_ENDPOINT"),
        help="SPARQL endpoint to announce in void.ttl ($POLICYGRAPH_SPARQL_ENDPOINT)",
    )
    parser.add_argument(
        "--site-url",
        metavar="URL",
        default=os.environ.get("POLICYGRAPH_SITE_URL"),
        help="where releases are served, for .htaccess ($POLICYGRAPH_SITE_URL; "
        "default https://example.org/policygraph)",
    )


def run(args) -> int:
    from ..errors import NotConformingError
    from ..release import build

    try:
        build(
            data=args.data,
            out=args.out,
            quiet=args.quiet,
            sparql_endpoint=args.sparql_endpoint,
            site_url=args.site_url,
            engine=args.engine,
            reasoner=args.reasoner,
        )
    except NotConformingError as err:
        if err.report is not None:
            sys.stdout.write(err.report.render("text").rstrip("\n") + "\n")
        print(f"policygraph: {err}", file=sys.stderr)
        return err.exit_code
    return 0
