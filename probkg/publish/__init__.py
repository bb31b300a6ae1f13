"""Publish the store as a citable dataset: versioned dumps, a VoID + DCAT description, licences, provenance
and the ontology's documentation.

``publish(store, directory)`` writes::

    DIR/<version>/probkg-<version>.nq.gz     every data graph, N-Quads, gzip-compressed
    DIR/<version>/probkg-<version>.jsonld    the same graphs as JSON-LD
    DIR/<version>/void.ttl                  VoID + DCAT: the dataset, one subset per named graph with its
                                            triple count (equal to ``probkg stats``), distributions with
                                            byte sizes and SHA-256, licences and provenance
    DIR/<version>/ontology/index.html       the ontology documented by pyLODE
    DIR/<version>/ontology/ontology.ttl     the ontology and concept schemes it documents
    DIR/latest                              the version last published (a one-line text file)

Licences: the inspectorate's facts are public-sector information under the Open Government Licence v3.0;
the ontology (graph ``https://w3id.org/probation-kg/def``) is CC BY 4.0. The store's catalogue graph is
bookkeeping and is left out of the dumps and counts, as in ``probkg export`` and ``probkg stats``.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from probkg.errors import InputError
from probkg.formats import BY_NAME
from probkg.ontology.namespaces import DEF_IRI, ID, PROB_IRI, bind_prefixes

if TYPE_CHECKING:
    from probkg.graph.base import Store

__all__ = ["CC_BY_4", "DATASET", "OGL_3", "Published", "publish"]

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
OGL_3 = URIRef("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
"""Open Government Licence v3.0: the inspectorate's facts."""
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
"""Creative Commons Attribution 4.0: the ontology."""
DATASET = ID["dataset/probkg"]
_ONTOLOGY_GRAPH = DEF_IRI
ID_SHA256 = URIRef(PROB_IRI + "sha256")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")


@dataclass
class Published:
    """What :func:`publish` wrote."""

    version: str
    directory: Path
    files: dict[str, Path] = field(default_factory=dict)
    triples: int = 0
    graphs: dict[str, int] = field(default_factory=dict)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _ontology_html(target: Path) -> None:
    from pylode import OntPub  # type: ignore[import-untyped,unused-ignore]

    from probkg.ontology import ontology_graph

    target.mkdir(parents=True, exist_ok=True)
    graph = ontology_graph()
    graph.serialize(target / "ontology.ttl", format="turtle")
    (target / "index.html").write_text(OntPub(ontology=graph).make_html(), encoding="utf-8")


def publish(store: Store, directory: str | os.PathLike[str], *, version: str | None = None) -> Published:
    """Write the dataset release ``version`` (default: probkg's version and today's date) under ``directory``.

    An existing release of the same version is refused (:class:`InputError`), so a published version
    never changes.
    """
    from probkg._version import __version__
    from probkg.graph.base import CATALOG_GRAPH

    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    version = version or f"{__version__}-{now:%Y%m%d}"
    if not _VERSION.match(version):
        raise InputError(f"--version: {version!r} is not a version (letters, digits, '.', '_' and '-')")
    root = Path(directory)
    out = root / version
    if out.exists():
        raise InputError(f"{out}: version {version} is already published; choose another --version")
    # the counts of ``probkg stats``: every named graph but the store's catalogue
    graphs = {g: n for g, n in sorted(store.graph_sizes().items()) if g != str(CATALOG_GRAPH)}
    out.mkdir(parents=True)
    result = Published(version=version, directory=out, triples=sum(graphs.values()), graphs=graphs)

    nq = out / f"probkg-{version}.nq.gz"
    with gzip.open(nq, "wb") as fh:
        store.dump(fh, "nq")  # type: ignore[arg-type]
    jsonld = out / f"probkg-{version}.jsonld"
    with jsonld.open("wb") as fh:
        store.dump(fh, "jsonld")
    _ontology_html(out / "ontology")
    result.files.update(nquads=nq, jsonld=jsonld, ontology_html=out / "ontology" / "index.html")

    g = bind_prefixes(Graph())
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    g.bind("spdx", SPDX)
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    g.add(
        (d, DCTERMS.title, Literal("probkg: the HM Inspectorate of Probation inspection record", lang="en"))
    )
    g.add(
        (
            d,
            DCTERMS.description,
            Literal(
                "Probation providers in England and Wales 2014-2021, who owned them, how the inspectorate "
                "rated them and what its inspections found, each fact citing its source.",
                lang="en",
            ),
        )
    )
    g.add((d, DCTERMS.hasVersion, Literal(version)))
    g.add((d, DCTERMS.issued, Literal(now.date().isoformat(), datatype=XSD.date)))
    g.add((d, DCTERMS.license, OGL_3))
    g.add((d, DCTERMS.publisher, ID["agent/probkg"]))
    g.add((d, DCTERMS.source, URIRef("https://www.justiceinspectorates.gov.uk/hmiprobation/")))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    g.add((d, VOID.vocabulary, URIRef(_ONTOLOGY_GRAPH + "#")))
    g.add((d, VOID.triples, Literal(result.triples, datatype=XSD.integer)))
    g.add((ID["agent/probkg"], RDF.type, PROV.SoftwareAgent))
    g.add((ID["agent/probkg"], RDFS.label, Literal(f"probkg {__version__}")))
    for name, count in result.graphs.items():
        sub = URIRef(name)
        g.add((d, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(count, datatype=XSD.integer)))
        g.add((sub, DCTERMS.license, CC_BY_4 if name == _ONTOLOGY_GRAPH else OGL_3))
    # provenance: the publishing run and the sources of every loaded graph
    run = BNode()
    g.add((d, PROV.wasGeneratedBy, run))
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, PROV.wasAssociatedWith, ID["agent/probkg"]))
    g.add((run, PROV.endedAtTime, Literal(now.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)))
    for name, info in sorted(store.catalog().items()):
        if name in result.graphs:
            if info.source:
                g.add((URIRef(name), DCTERMS.source, Literal(info.source)))
            if info.sha256:
                g.add((URIRef(name), ID_SHA256, Literal(info.sha256)))
            if info.loaded_at:
                g.add((URIRef(name), PROV.generatedAtTime, Literal(info.loaded_at, datatype=XSD.dateTime)))
    for key, path, media, licence in (
        ("nquads", nq, BY_NAME["nq"].media_type, OGL_3),
        ("jsonld", jsonld, BY_NAME["jsonld"].media_type, OGL_3),
        ("ontology", out / "ontology" / "index.html", "text/html", CC_BY_4),
    ):
        dist = ID[f"dataset/probkg/{version}/{key}"]
        g.add((d, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, URIRef(path.relative_to(out).as_posix())))
        g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        g.add((dist, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, licence))
        checksum = BNode()
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(_sha256(path))))
        if key == "nquads":
            g.add(
                (
                    dist,
                    DCAT.compressFormat,
                    URIRef("https://www.iana.org/assignments/media-types/application/gzip"),
                )
            )
    g.add((URIRef(_ONTOLOGY_GRAPH), FOAF.page, URIRef("ontology/index.html")))
    void = out / "void.ttl"
    g.serialize(void, format="turtle", base=None)
    result.files["void"] = void
    (root / "latest").write_text(version + "\n", encoding="utf-8")
    return result
