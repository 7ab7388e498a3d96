"""policygraph: a knowledge graph of EU–Japan security cooperation, built from policy briefs.

The library is what the ``policygraph`` command calls; a notebook uses the same
functions::

    import policygraph
    kg = policygraph.load()            # ontology + data + shapes of the project here
    policygraph.entail(kg)             # OWL 2 RL entailments
    rows = policygraph.query(kg, "measures-by-actor")

Names are imported lazily so that ``import policygraph`` stays cheap for the CLI.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policygraph")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

_EXPORTS = {
    "Project": "project",
    "find_project": "project",
    "KnowledgeGraph": "graph",
    "load": "graph",
    "entail": "reasoning",
    "statistics": "stats",
    "build": "release",
    "read_manifest": "release",
    "Release": "release",
    "PolicygraphError": "errors",
    "InputError": "errors",
    "ParseError": "errors",
    "query": "queries",
    "catalogue": "queries",
    "QueryResult": "queries",
    "CompetencyQuestion": "queries",
    "start_oxigraph": "servers",
    "validate": "validation",
    "ValidationReport": "report",
    "serve_release": "serve",
    "load_release": "upload",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'policygraph' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
