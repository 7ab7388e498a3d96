"""``policygraph load``: put the release into a SPARQL 1.1 server (Graph Store Protocol)."""

from __future__ import annotations

NAME = "load"
HELP = "upload the release into a named graph of any SPARQL 1.1 Graph Store Protocol endpoint"
ORDER = 55

EPILOG = """\
The release's entailed N-Triples replace the named graph --graph (default
https://w3id.org/policygraph/graph/release): an HTTP PUT into a staging graph, its triples
counted against release.json, then one SPARQL Update MOVE onto --graph, counted again.
A failed upload leaves --graph as it was.

examples:
  policygraph load --endpoint http://127.0.0.1:7878/store                       # Oxigraph
  POLICYGRAPH_ENDPOINT_USER=dba POLICYGRAPH_ENDPOINT_PASSWORD=... \\
  POLICYGRAPH_ENDPOINT_AUTH=digest \\
  policygraph load --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth      # Virtuoso
  policygraph load --endpoint http://127.0.0.1:3030/policygraph/data            # Fuseki

Credentials come from POLICYGRAPH_ENDPOINT_USER and POLICYGRAPH_ENDPOINT_PASSWORD
(POLICYGRAPH_ENDPOINT_AUTH=basic or digest) or POLICYGRAPH_ENDPOINT_TOKEN."""


def configure(parser) -> None:
    import argparse

    from ..upload import DEFAULT_GRAPH, DEFAULT_TIMEOUT

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument(
        "--endpoint", required=True, metavar="URL", help="the Graph Store Protocol endpoint"
    )
    parser.add_argument(
        "--graph",
        default=DEFAULT_GRAPH,
        metavar="IRI",
        help=f"named graph to replace (default {DEFAULT_GRAPH})",
    )
    parser.add_argument(
        "--query-endpoint",
        metavar="URL",
        help="SPARQL query URL for the counts (default: derived for Oxigraph, Virtuoso, "
        "Fuseki, RDF4J/GraphDB)",
    )
    parser.add_argument(
        "--update-endpoint",
        metavar="URL",
        help="SPARQL update URL for the MOVE (default: derived like --query-endpoint)",
    )
    parser.add_argument(
        "--dist", default="dist", metavar="DIR", help="the release folder (default: dist)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on the endpoint after this long (default {DEFAULT_TIMEOUT:g})",
    )


def run(args) -> int:
    from ..upload import load_release

    result = load_release(
        args.endpoint,
        graph=args.graph,
        dist=args.dist,
        query_endpoint=args.query_endpoint,
        update_endpoint=args.update_endpoint,
        timeout=args.timeout,
    )
    print(
        f"loaded {result.file.name} ({result.bytes:,} bytes) into <{result.graph}> at "
        f"{result.endpoint} in {result.seconds:.2f} s: {result.triples:,} triples, as "
        "release.json says"
    )
    return 0
