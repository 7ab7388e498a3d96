"""``policygraph query``: list and run the competency questions, or any SPARQL query.

By default the query runs on the embedded store (ontology + data + OWL 2 RL entailments);
``--endpoint URL`` sends it to a SPARQL 1.1 endpoint instead.
"""

from __future__ import annotations

NAME = "query"
HELP = "run a competency question or any SPARQL query, on the embedded store or an endpoint"
ORDER = 40

EPILOG = """\
examples:
  policygraph query --list
  policygraph query measures-by-actor
  policygraph query measures-by-actor --param 'actor=<https://w3id.org/policygraph/id/actor/japan>'
  policygraph query my-question.rq --format csv
  policygraph query --sparql 'SELECT ?s WHERE { ?s a pg:Summit }' --format json
  policygraph query measures-by-actor --endpoint http://127.0.0.1:7878/query
  policygraph query timeline --engine rdflib

--param binds a variable the query returns: <...> binds an IRI, anything else a string
literal; values are RDF terms, never query text. Endpoint credentials come from
POLICYGRAPH_ENDPOINT_USER and POLICYGRAPH_ENDPOINT_PASSWORD (POLICYGRAPH_ENDPOINT_AUTH=basic
or digest) or POLICYGRAPH_ENDPOINT_TOKEN."""


def configure(parser) -> None:
    import argparse

    from ..queries import FORMATS

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument(
        "target",
        nargs="?",
        metavar="NAME|FILE.rq",
        help="a competency question's name (see --list) or a file holding a SPARQL query",
    )
    parser.add_argument("--list", action="store_true", help="list the competency questions")
    parser.add_argument("--sparql", metavar="TEXT", help="run this SPARQL query text")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="table (default for SELECT/ASK), csv, tsv, json (SPARQL 1.1 JSON results) "
        "or ttl (default for CONSTRUCT/DESCRIBE)",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind a variable: NAME=<iri> for an IRI, NAME=text for a string (repeatable)",
    )
    parser.add_argument("--endpoint", metavar="URL", help="query this SPARQL 1.1 endpoint")
    parser.add_argument(
        "--engine",
        metavar="NAME",
        help="SPARQL engine for the embedded store: oxigraph (default) or rdflib "
        "(same answers, slower: docs/architecture.md)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="give up on the endpoint after this long (default 30)",
    )
    parser.add_argument(
        "--data",
        nargs="+",
        metavar="PATH",
        help="data files or folders for the embedded store (default: the project's data/)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the result to FILE (atomically)"
    )


def run(args) -> int:
    from .. import atomic
    from ..errors import InputError
    from ..project import find_project
    from ..queries import (
        ENGINES,
        Query,
        bind,
        catalogue,
        check_engine,
        describe,
        embedded,
        resolve,
        run_embedded,
    )

    chosen = [bool(args.list), args.target is not None, args.sparql is not None]
    if sum(chosen) != 1:
        raise InputError("give one of NAME, FILE.rq, --sparql TEXT or --list")
    if args.timeout <= 0:
        raise InputError("--timeout must be more than 0 seconds")
    engine = args.engine or ENGINES[0]
    check_engine(engine)
    if args.engine and args.endpoint:
        raise InputError("--engine chooses the embedded store's engine; an endpoint has its own")
    project = find_project()
    if args.list:
        text = describe(catalogue(project), args.format or "table")
    else:
        params = bind(args.param)
        q = Query(args.sparql) if args.sparql is not None else resolve(args.target, project)
        if args.endpoint:
            from ..endpoint import run_remote

            result = run_remote(args.endpoint, q, params, args.timeout)
        else:
            result = run_embedded(embedded(project, data=args.data), q, params, engine)
        fmt = args.format or ("ttl" if result.kind == "graph" else "table")
        text = result.render(fmt)
    if args.output:
        atomic.write_text(args.output, text)
    else:
        print(text, end="")
    return 0
