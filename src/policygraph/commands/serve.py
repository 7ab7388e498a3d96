"""``policygraph serve``: the release as a read-only SPARQL endpoint with a query editor."""

from __future__ import annotations

NAME = "serve"
HELP = "serve the release read-only: SPARQL endpoint, query editor and competency questions"
ORDER = 50

EPILOG = """\
The release in --dist (default dist/) is loaded into a fresh Oxigraph database, served by
'oxigraph serve-read-only' on 127.0.0.1 and a free port, behind a front on --host:--port:

  /            start page: the competency questions, each opening in the query editor
  /ui          the query editor (YASGUI)
  /query       SPARQL 1.1 Protocol endpoint (also /sparql), read-only, with CORS
  /release/... the files of the release

When --dist holds no release for the project's version it is built first (as
'policygraph build' would), unless --no-build. Ctrl-C stops the server and removes the
database. Use --host 0.0.0.0 only to publish the endpoint on every interface."""


def configure(parser) -> None:
    import argparse

    from ..serve import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--dist", default="dist", metavar="DIR", help="the release folder (default: dist)"
    )
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="fail instead of building the release when --dist holds none for this version",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop evaluating a query after this long (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="do not log each request on stderr"
    )


def run(args) -> int:
    from ..serve import serve

    return serve(
        dist=args.dist,
        host=args.host,
        port=args.port,
        build=not args.no_build,
        timeout=args.timeout,
        quiet=args.quiet,
    )
