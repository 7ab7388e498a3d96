"""``policygraph build``: the release in dist/ is complete, described, checksummed, versioned,
deterministic, and every dump reads back as the same graph in two RDF implementations."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from policygraph import convert, layout
from policygraph import namespaces as ns
from policygraph.errors import InputError
from policygraph.graph import PARTS, load
from policygraph.reasoning import entail
from policygraph.release import GRAPH_PARTS, build, read_manifest, stamp_version

from .conftest import ROOT, run_cli

OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nt.gz": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}
RDFLIB_FORMATS = {
    "ttl": "turtle",
    "nt": "nt",
    "nt.gz": "nt",
    "jsonld": "json-ld",
    "rdf": "xml",
    "trig": "trig",
    "nq": "nquads",
}


@pytest.fixture(scope="module")
def dist(project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "dist"
    build(project, out=out, quiet=True)
    return out


@pytest.fixture(scope="module")
def manifest(dist):
    return read_manifest(dist)


@pytest.fixture(scope="module")
def expected(project):
    """The graph the release should hold, computed apart from the build: load, entail, stamp."""
    kg = load(project)
    stamp_version(kg, project.version)
    entail(kg, profile="full")
    return kg


def suffix_of(path: str) -> str:
    return "nt.gz" if path.endswith(".nt.gz") else path.rsplit(".", 1)[-1]


def content(dist: Path, path: str) -> bytes:
    data = (dist / path).read_bytes()
    return gzip.decompress(data) if path.endswith(".gz") else data


def rdf_files(manifest) -> list:
    return [i for i in manifest.files.values() if i.graph in GRAPH_PARTS]


def from_rdflib(graph: rdflib.Graph) -> set[str]:
    """The canonical N-Quads of what rdflib parsed."""
    return canonical_nquads(convert.from_rdflib_triples(graph))


def canonical_nquads(quads) -> set[str]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


# --- what a release holds ---------------------------------------------------------


def test_release_has_the_documented_layout(dist, project):
    v = project.version
    expected_files = [path for path, _, _ in layout.release_files(v)] + [
        "release.json",
        "SHA256SUMS",
        "void.ttl",
        "context.jsonld",
        ".htaccess",
        "docs/index.html",
        "docs/timeline.svg",
        "docs/network.svg",
    ]
    missing = [p for p in expected_files if not (dist / p).is_file()]
    assert not missing, f"missing from dist/: {missing}"
    assert (dist / f"policygraph-{v}-entailed.ttl").stat().st_size > (
        dist / f"policygraph-{v}.ttl"
    ).stat().st_size
    for query in project.query_files():
        assert (dist / "queries" / query.name).read_bytes() == query.read_bytes()


def test_manifest_states_each_file_truly(dist, manifest, project):
    assert manifest.version == project.version
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", manifest.issued)
    for path, info in manifest.files.items():
        data = (dist / path).read_bytes()
        assert info.bytes == len(data), path
        assert info.sha256 == hashlib.sha256(data).hexdigest(), path
    assert manifest.find("dataset", "application/n-quads") == f"policygraph-{project.version}.nq"
    assert manifest.find("entailed", "application/n-triples").endswith("-entailed.nt")


@pytest.mark.parametrize("bad", ["missing", "garbage"])
def test_read_manifest_rejects_what_is_not_a_release(tmp_path, bad):
    if bad == "garbage":
        (tmp_path / "release.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"release\.json"):
        read_manifest(tmp_path)


def test_sha256sums_covers_and_checks_every_file(dist):
    lines = (dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, path = line.split("  ", 1)
        listed[path] = digest
    on_disk = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()} - {
        "SHA256SUMS"
    }
    assert set(listed) == on_disk
    for path, digest in listed.items():
        assert hashlib.sha256((dist / path).read_bytes()).hexdigest() == digest, path
    if shutil.which("sha256sum"):
        done = subprocess.run(
            ["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=dist, capture_output=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


# --- every dump is the same graph, in two implementations --------------------------


@pytest.fixture(scope="module")
def dump_cases(manifest):
    return {info.path: info for info in rdf_files(manifest)}


def test_every_graph_kind_is_released(manifest):
    kinds = {(i.graph, suffix_of(i.path)) for i in rdf_files(manifest)}
    for graph, suffixes in layout.GRAPH_FORMATS.items():
        for suffix in suffixes:
            assert (graph, suffix) in kinds


@pytest.mark.parametrize(
    "graph,suffix", [(g, s) for g, suffixes in layout.GRAPH_FORMATS.items() for s in suffixes]
)
def test_dump_parses_to_the_expected_graph_with_pyoxigraph(
    dist, manifest, expected, project, graph, suffix
):
    path = layout.file_name(graph, suffix, project.version)
    info = manifest.files[path]
    parsed = list(ox.parse(content(dist, path), format=OX_FORMATS[suffix]))
    parts = GRAPH_PARTS[graph]
    if graph == "dataset":
        assert len(parsed) == info.triples == len(expected.store)
        want = canonical_nquads(expected.quads(parts))
        assert canonical_nquads(parsed) == want
        named = {q.graph_name for q in parsed}
        assert named == {PARTS[p] for p in parts if expected.size(p)}
    else:
        merged = {q.triple for q in expected.quads(parts)}
        assert len(parsed) == info.triples == len(merged)
        want = canonical_nquads(ox.Quad(t.subject, t.predicate, t.object) for t in merged)
        assert canonical_nquads(ox.Quad(q.subject, q.predicate, q.object) for q in parsed) == want


@pytest.mark.parametrize(
    "graph,suffix",
    [(g, s) for g, suffixes in layout.GRAPH_FORMATS.items() for s in suffixes if g != "dataset"],
)
def test_dump_parses_to_the_expected_graph_with_rdflib(
    dist, manifest, expected, project, graph, suffix
):
    path = layout.file_name(graph, suffix, project.version)
    parsed = rdflib.Graph()
    parsed.parse(data=content(dist, path), format=RDFLIB_FORMATS[suffix])
    merged = {q.triple for q in expected.quads(GRAPH_PARTS[graph])}
    assert len(parsed) == manifest.files[path].triples == len(merged)
    # rdflib parsed it; RDFC-1.0 (far faster than rdflib's own isomorphism test) compares
    assert from_rdflib(parsed) == canonical_nquads(
        ox.Quad(t.subject, t.predicate, t.object) for t in merged
    )


@pytest.mark.parametrize("suffix", ["trig", "nq"])
def test_named_graphs_read_back_with_rdflib(dist, expected, project, suffix):
    path = layout.file_name("dataset", suffix, project.version)
    parsed = rdflib.Dataset()
    parsed.parse(data=content(dist, path), format=RDFLIB_FORMATS[suffix])
    for part, iri in PARTS.items():
        got = parsed.graph(rdflib.URIRef(iri.value))
        want = [ox.Quad(q.subject, q.predicate, q.object) for q in expected.quads((part,))]
        assert len(got) == len(want), part
        assert from_rdflib(got) == canonical_nquads(want), part


def test_gzip_has_no_time_stamp_and_holds_the_n_triples(dist, project):
    v = project.version
    packed = (dist / f"policygraph-{v}.nt.gz").read_bytes()
    assert packed[4:8] == b"\0\0\0\0", "gzip header carries a modification time"
    assert gzip.decompress(packed) == (dist / f"policygraph-{v}.nt").read_bytes()


def test_jsonld_reads_as_plain_json(dist, project):
    document = json.loads((dist / f"policygraph-{project.version}-entailed.jsonld").read_text())
    context = json.loads((dist / "context.jsonld").read_text())["@context"]
    assert document["@context"] == context
    nodes = {node["id"]: node for node in document["@graph"] if "id" in node}
    japan = nodes["actor:japan"]
    assert "State" in japan["type"]
    assert japan["rdfs:label"]["en"] == "Japan"
    measures = [n for n in nodes.values() if "Measure" in n.get("type", [])]
    assert measures, "no measure in the JSON-LD"
    assert any(isinstance(n.get("target"), str | list) for n in measures)


def test_turtle_dump_is_sorted_by_subject(dist, project):
    text = (dist / f"policygraph-{project.version}.nt").read_text(encoding="utf-8")
    subjects = [line.split(" ", 1)[0] for line in text.splitlines()]
    assert subjects == sorted(subjects)


# --- description --------------------------------------------------------------


@pytest.fixture(scope="module")
def void(dist):
    graph = rdflib.Graph()
    graph.parse(dist / "void.ttl", format="turtle")
    return graph


def test_void_describes_the_dataset(void, project, manifest, expected):
    V, DCAT, DCT = (rdflib.Namespace(x) for x in (ns.VOID, ns.DCAT, ns.DCTERMS))
    dataset = rdflib.URIRef(layout.dataset_iri(project.version))
    assert (dataset, rdflib.RDF.type, V.Dataset) in void
    assert (dataset, rdflib.RDF.type, DCAT.Dataset) in void
    assert void.value(dataset, DCT.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert str(void.value(dataset, DCAT.version)) == project.version
    assert str(void.value(dataset, rdflib.OWL.versionInfo)) == project.version
    assert str(void.value(dataset, DCT.issued)) == manifest.issued
    assert int(void.value(dataset, V.triples)) == len(
        {q.triple for q in expected.quads(("ontology", "data"))}
    )
    vocabularies = set(void.objects(dataset, V.vocabulary))
    assert rdflib.URIRef(ns.PG) in vocabularies and rdflib.URIRef(ns.ORG) in vocabularies
    examples = list(void.objects(dataset, V.exampleResource))
    assert len(examples) >= 3
    subjects = {q.subject.value for q in expected.quads(("data",))}
    assert all(str(e) in subjects for e in examples)
    assert void.value(dataset, V.sparqlEndpoint) is None
    partitions = list(void.objects(dataset, V.classPartition))
    assert any(void.value(p, V["class"]) == rdflib.URIRef(ns.PG + "State") for p in partitions)


def test_void_describes_each_distribution(void, manifest, project):
    DCAT, SPDX, V = (rdflib.Namespace(x) for x in (ns.DCAT, ns.SPDX, ns.VOID))
    dataset = rdflib.URIRef(layout.dataset_iri(project.version))
    distributions = set(void.objects(dataset, DCAT.distribution))
    assert len(distributions) == len(rdf_files(manifest))
    for info in rdf_files(manifest):
        node = rdflib.URIRef(layout.published_iri(info.path, project.version))
        assert node in distributions, info.path
        assert int(void.value(node, DCAT.byteSize)) == info.bytes
        assert int(void.value(node, V.triples)) == info.triples
        media = str(void.value(node, DCAT.mediaType))
        assert media == layout.IANA + info.media_type
        checksum = void.value(node, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = void.value(checksum, SPDX.checksumValue)
        assert str(value) == info.sha256
        assert value.datatype == rdflib.XSD.hexBinary
        assert void.value(node, rdflib.URIRef(ns.DCTERMS + "license")) is not None


def test_void_names_the_sparql_endpoint_when_one_is_configured(expected, project):
    from policygraph.dumps import canonical_dataset
    from policygraph.void import DatasetInfo, describe

    info = DatasetInfo(
        version=project.version,
        issued="2022-05-11",
        title="t",
        description="d",
        sparql_endpoint="https://example.org/sparql",
    )
    turtle = describe(canonical_dataset(expected), info, [])
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    dataset = rdflib.URIRef(layout.dataset_iri(project.version))
    assert graph.value(dataset, rdflib.URIRef(ns.VOID + "sparqlEndpoint")) == rdflib.URIRef(
        "https://example.org/sparql"
    )


# --- version ----------------------------------------------------------------------


def test_release_carries_the_version_everywhere(dist, project, manifest):
    v = project.version
    onto = rdflib.Graph().parse(dist / layout.file_name("ontology", "ttl", v), format="turtle")
    iri = rdflib.URIRef(ns.ONTOLOGY_IRI)
    assert onto.value(iri, rdflib.OWL.versionIRI) == rdflib.URIRef(
        f"https://w3id.org/policygraph/ontology/{v}"
    )
    assert str(onto.value(iri, rdflib.OWL.versionInfo)) == v
    assert all(v in path for path in (i.path for i in rdf_files(manifest)))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{v}] - {manifest.issued}" in changelog


def _copy_project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    for name in ("ontology", "data", "shapes", "queries"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, copy / name)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copy(ROOT / "CHANGELOG.md", copy / "CHANGELOG.md")
    return copy


def test_a_version_without_a_changelog_entry_is_refused(tmp_path):
    copy = _copy_project(tmp_path)
    pyproject = copy / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'^version = ".*"$', 'version = "9.9.9"', pyproject.read_text(), flags=re.M)
    )
    done = run_cli("--project", str(copy), "build", "-q", "--out", str(tmp_path / "dist"))
    assert done.returncode == 2
    assert "CHANGELOG.md" in done.stderr and "9.9.9" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "dist").exists()


# --- determinism, atomicity, the command ---------------------------------------------


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.slow
def test_two_builds_are_byte_identical(dist, tmp_path):
    # another hash seed, and one process instead of forked workers: the same bytes
    again = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "POLICYGRAPH_WORKERS": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "policygraph", "build", "-q", "--out", str(again)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    first, second = tree(dist), tree(again)
    assert sorted(first) == sorted(second)
    different = [p for p in first if first[p] != second[p]]
    assert not different, f"differ between two builds: {different[:10]}"


def test_cli_prints_a_line_per_stage_and_nothing_when_quiet(tmp_path):
    done = run_cli("build", "--out", str(tmp_path / "dist"))
    assert done.returncode == 0, done.stderr
    for stage in ("load", "entail", "validate", "dumps", "describe", "docs"):
        assert re.search(rf"^\s+{stage}\s+\d+\.\d\d s", done.stderr, re.M), stage
    assert "wrote" in done.stderr
    quiet = run_cli("build", "-q", "--out", str(tmp_path / "dist"))
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_parse_error_exits_2_with_file_and_line_and_keeps_dist(tmp_path, dist):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.ttl").write_text(
        "@prefix pg: <https://w3id.org/policygraph/ontology#> .\n\npg:a pg:b pg:c ;\n  pg:d .\n",
        encoding="utf-8",
    )
    out = tmp_path / "dist"
    shutil.copytree(dist, out)
    before = tree(out)
    done = run_cli("build", "--data", str(bad), "--out", str(out))
    assert done.returncode == 2
    assert re.search(r"broken\.ttl:4:\d+: ", done.stderr), done.stderr
    assert "Traceback" not in done.stderr
    assert tree(out) == before


def test_failed_build_creates_neither_dist_nor_staging_folder(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.nt").write_text("<a> <b> .\n", encoding="utf-8")
    done = run_cli("build", "-q", "--data", str(bad), "--out", str(tmp_path / "dist"))
    assert done.returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad"]


def test_release_is_readable_by_a_web_server(dist):
    assert dist.stat().st_mode & 0o005 == 0o005, "dist/ must be world-readable for a web server"


def test_gzip_helper_is_deterministic():
    from policygraph.dumps import gzip_bytes

    data = b"<a:b> <a:c> <a:d> .\n" * 100
    assert gzip_bytes(data) == gzip_bytes(data)
    assert gzip.GzipFile(fileobj=io.BytesIO(gzip_bytes(data))).read() == data


def test_invalid_data_prints_the_report_exits_1_and_keeps_dist(tmp_path, dist):
    invalid = ROOT / "tests" / "shapes" / "title" / "minCount.invalid.ttl"
    out = tmp_path / "dist"
    shutil.copytree(dist, out)
    before = tree(out)
    done = run_cli("build", "--data", str(ROOT / "data"), str(invalid), "--out", str(out))
    assert done.returncode == 1, done.stderr
    assert "second-brief" in done.stdout, "the validation report names the failing node"
    assert "does not conform" in done.stderr and "Traceback" not in done.stderr
    assert "dumps" not in done.stderr, "nothing is written for invalid data"
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"], "no staging folder left"


@pytest.mark.parametrize("forked", [True, False])
def test_worker_jobs_return_their_result_or_fail_with_their_error(forked):
    from policygraph.workers import Job, can_fork

    if forked and not can_fork():
        pytest.skip("this platform does not fork")
    payload = bytes(range(256)) * 4096
    assert Job(lambda: {"file": payload}, forked=forked).result() == {"file": payload}
    failing = Job(lambda: 1 / 0, forked=forked) if forked else None
    if forked:
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            failing.result()
    else:
        with pytest.raises(ZeroDivisionError):
            Job(lambda: 1 / 0, forked=False)


def test_a_change_to_the_shapes_does_not_relabel_the_datas_blank_nodes(project, expected):
    from policygraph.dumps import canonical_dataset, triples_of

    before = triples_of(canonical_dataset(expected), ("ontology", "data", "entailments"))
    changed = load(project)
    stamp_version(changed, project.version)
    entail(changed, profile="full")
    extra = ox.BlankNode()
    changed.add("shapes", [ox.Quad(extra, ox.NamedNode(ns.RDFS + "comment"), ox.Literal("x"))])
    after = triples_of(canonical_dataset(changed), ("ontology", "data", "entailments"))
    assert before == after
