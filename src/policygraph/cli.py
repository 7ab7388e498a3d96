"""The ``policygraph`` command: a thin shell over the library.

Each subcommand is a module in ``policygraph.commands`` with ``NAME``, ``HELP``,
``configure(parser)`` and ``run(args) -> int``; this module finds them, parses the
arguments and turns the library's errors into one-line messages and exit codes:
0 success, 1 data does not conform, 2 bad input or options, 3 internal error.
"""

from __future__ import annotations

import argparse
import os
import pkgutil
import sys
from importlib import import_module

from . import __version__, commands
from .errors import EXIT_INPUT, EXIT_INTERNAL, PolicygraphError


def command_modules() -> list:
    found = [
        import_module(f"{commands.__name__}.{info.name}")
        for info in pkgutil.iter_modules(commands.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(found, key=lambda m: getattr(m, "ORDER", 50))


class Parser(argparse.ArgumentParser):
    """argparse, but bad options exit 2 with a one-line hint rather than the whole usage."""

    def error(self, message: str):
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\nTry '{self.prog} --help'.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="policygraph",
        description="Build, validate, query and serve the policygraph knowledge graph.",
    )
    parser.add_argument("--version", action="version", version=f"policygraph {__version__}")
    parser.add_argument(
        "--project",
        metavar="DIR",
        help="project folder (default: the one around the working directory)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback when something goes wrong"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.configure(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_INPUT
    if args.project:
        os.environ["POLICYGRAPH_PROJECT"] = args.project
    if getattr(args, "quiet", False):
        from . import progress

        progress.quiet()
    try:
        return int(args.run(args) or 0)
    except PolicygraphError as err:
        if args.debug:
            raise
        print(f"policygraph: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("policygraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # a bug: say so in one line, the traceback with --debug
        if args.debug:
            raise
        print(
            f"policygraph: internal error: {type(err).__name__}: {err} (rerun with --debug)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
