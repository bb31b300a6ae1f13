"""The organisation registry: what the shipped file says and how names resolve against it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from probkg.errors import InputError
from probkg.registry.model import (
    KINDS,
    Organisation,
    load_registry,
    normalise_name,
)

RES = Path(__file__).parent / "resources" / "curated"
ORG = "https://w3id.org/probation-kg/id/org/"


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def slugs(orgs: list[Organisation]) -> list[str]:
    return [o.slug for o in orgs]


# ----------------------------------------------------------------------------- shipped content


def test_registry_lists_the_21_crcs_and_seven_nps_divisions(reg):
    crcs = reg.of_kind("CRC")
    assert len(crcs) == 21
    assert len({o.label for o in crcs}) == 21
    assert all(o.label.endswith("Community Rehabilitation Company") for o in crcs)
    divisions = reg.of_kind("NPSDivision")
    assert len(divisions) == 7
    assert {reg[d.unit_of].slug for d in divisions} == {"nps"}
    assert slugs(reg.units_of("nps")) == slugs(divisions)


def test_every_crc_has_an_area_an_owner_and_sources(reg):
    for crc in reg.of_kind("CRC"):
        assert crc.area is not None, crc.slug
        assert crc.areas, crc.slug
        assert crc.owners, crc.slug
        assert crc.sources
        assert all(u.startswith(("http://", "https://")) for u in crc.sources)
        for period in crc.owners:
            assert period.sources, period.iri
            assert reg[period.owner_iri].kind == "Owner"


def test_the_three_working_links_crcs_passed_to_seetec_in_february_2019(reg):
    changes = {reg[c.owned_iri].slug: c for c in reg.owner_changes}
    assert set(changes) == {
        "wales-crc",
        "dorset-devon-and-cornwall-crc",
        "bristol-gloucestershire-somerset-and-wiltshire-crc",
    }
    for change in changes.values():
        assert change.date == "2019-02"
        assert change.from_owner_iri == ORG + "working-links"
        assert change.to_owner_iri == ORG + "seetec"
        assert change.iri.endswith("/owner-change/2019-02")
        assert change.ended.endswith("/working-links/2015-02")
        assert change.started.endswith("/seetec/2019-02")


def test_owner_of_wales_crc_depends_on_the_date(reg):
    assert [p.owner_slug for p in reg.owners_of("wales-crc", on="2018-06-01")] == ["working-links"]
    assert [p.owner_slug for p in reg.owners_of("wales-crc", on=dt.date(2019, 6, 1))] == ["seetec"]
    # half-open periods: the month of the change belongs to the new owner only
    assert [p.owner_slug for p in reg.owners_of(ORG + "wales-crc", on="2019-02")] == ["seetec"]
    assert [p.owner_slug for p in reg.owners_of("wales-crc", on="2019-01-31")] == ["working-links"]
    assert reg.owners_of("wales-crc", on="2014-12-01") == []
    assert [p.owner_slug for p in reg.owners_of("wales-crc")] == ["working-links", "seetec"]


def test_owner_sizes_match_the_sources(reg):
    def held(owner, on="2017-01-01"):
        return {reg[p.owned_iri].slug for p in reg.owned_by(owner, on=on)}

    assert len(held("sodexo-justice-services")) == 6
    assert len(held("purple-futures")) == 5
    assert len(held("working-links")) == 3
    assert held("working-links", on="2019-03-01") == set()
    assert held("mtcnovo") == {"london-crc", "thames-valley-crc"}
    assert len(held("seetec", on="2019-03-01")) == 4


def test_mtcnovo_has_two_parents_with_their_countries(reg):
    parents = {reg[p.parent_iri].slug: reg[p.parent_iri] for p in reg.parents_of("mtcnovo")}
    assert set(parents) == {"mtc", "novo"}
    assert parents["mtc"].label == "Management & Training Corporation"
    assert parents["mtc"].based_in == "united-states"
    assert parents["novo"].based_in == "united-kingdom"


def test_unverified_facts_are_flagged_with_a_note(reg):
    flagged = {(reg[p.owned_iri].slug, p.owner_slug) for p in reg.ownerships if p.unverified}
    assert flagged == {
        ("derbyshire-leicestershire-nottinghamshire-and-rutland-crc", "reducing-reoffending-partnership"),
        ("west-yorkshire-crc", "purple-futures"),
        ("warwickshire-and-west-mercia-crc", "peopleplus"),
    }
    assert all(p.note for p in reg.ownerships if p.unverified)
    assert reg["nps-south-west-and-south-central"].unverified
    assert not reg["london-crc"].unverified


def test_kinds_are_from_the_contract(reg):
    assert {o.kind for o in reg} <= set(KINDS)
    assert reg["hmi-probation"].kind == "Inspectorate"
    assert reg["nps"].kind == "NPS"


# ----------------------------------------------------------------------------- name resolution


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("DDC", "dorset-devon-and-cornwall-crc"),
        ("DDC CRC", "dorset-devon-and-cornwall-crc"),
        ("the London CRC", "london-crc"),
        ("London Community Rehabilitation Company (CRC)", "london-crc"),
        ("Kent, Surrey & Sussex CRC", "kent-surrey-and-sussex-crc"),
        ("KSS CRC", "kent-surrey-and-sussex-crc"),
        ("BGSW CRC", "bristol-gloucestershire-somerset-and-wiltshire-crc"),
        ("DLNR CRC", "derbyshire-leicestershire-nottinghamshire-and-rutland-crc"),
        ("BeNCH CRC", "bedfordshire-northamptonshire-cambridgeshire-and-hertfordshire-crc"),
        ("Durham Tees Valley CRC", "durham-tees-valley-crc"),
        ("NPS Wales", "nps-wales"),
        ("National Probation Service (NPS) in Wales", "nps-wales"),
        ("Midlands division", "nps-midlands"),
        ("National Probation Service (NPS) (London division)", "nps-london"),
        ("Sodexo", "sodexo-justice-services"),
        ("Management and Training Corporation", "mtc"),
        ("MTCnovo", "mtcnovo"),
        ("HMI Probation", "hmi-probation"),
        ("Her Majesty’s Inspectorate of Probation", "hmi-probation"),
        ("wales-crc", "wales-crc"),
        (ORG + "seetec", "seetec"),
    ],
)
def test_find_resolves_names_people_write(reg, name, slug):
    found = reg.find(name)
    assert found is not None, name
    assert found.slug == slug


@pytest.mark.parametrize("name", ["London", "Acme Justice", "", "CRC", "Wales"])
def test_find_returns_none_for_names_that_are_not_organisations(reg, name):
    assert reg.find(name) is None


def test_normalise_name_equates_spelling_variants():
    assert normalise_name("The Kent, Surrey & Sussex Community Rehabilitation Company") == normalise_name(
        "kent surrey and sussex CRC"
    )
    assert normalise_name("National Probation Service (NPS)") == "nps"


def test_candidates_suggest_the_closest_organisations(reg):
    assert reg.candidates("Londn CRC")[0].slug == "london-crc"
    assert reg.candidates("Working Linx")[0].slug == "working-links"
    assert reg.candidates("Seetek", n=1)[0].slug == "seetec"
    assert len(reg.candidates("Londn CRC", n=2)) == 2
    assert reg.candidates("zzzzzzzz") == []


def test_by_place_finds_the_providers_serving_a_place(reg):
    assert slugs(reg.by_place("Gwent")) == ["wales-crc", "nps-wales"]
    assert slugs(reg.by_place("north London")) == ["london-crc", "nps-london"]
    assert slugs(reg.by_place("Oxfordshire")) == ["thames-valley-crc"]
    assert "staffordshire-and-west-midlands-crc" in slugs(reg.by_place("Staffordshire"))
    assert "nps-midlands" in slugs(reg.by_place("Staffordshire"))
    yorkshire = set(slugs(reg.by_place("Yorkshire")))
    assert {
        "west-yorkshire-crc",
        "south-yorkshire-crc",
        "humberside-lincolnshire-and-north-yorkshire-crc",
    } <= yorkshire
    assert reg.by_place("Atlantis") == []


def test_person_tolerates_titles_and_misspellings(reg):
    for name in (
        "Glenys Stacy",
        "Dame Glenys Stacey",
        "HM Chief Inspector of Probation, Dame Glenys Stacey",
        "Chief Inspector Glenys Stacey",
        "Stacey",
    ):
        person = reg.person(name)
        assert person is not None, name
        assert person.slug == "glenys-stacey", name
    assert reg.person("Justin Russell").iri.endswith("/person/justin-russell")
    assert reg.person("Glenys Smith") is None
    assert [p.slug for p in reg.chief_inspector_on("2018-03-08")] == ["glenys-stacey"]
    assert [p.slug for p in reg.chief_inspector_on("2020-04-01")] == ["justin-russell"]


# ----------------------------------------------------------------------------- other files, errors


def test_a_small_registry_file_loads_with_its_own_facts():
    reg = load_registry(RES / "registry-small.yaml")
    assert [o.slug for o in reg.of_kind("CRC")] == ["westshire-crc"]
    assert reg.find("Acme Justice and Rehabilitation").slug == "acme-justice"
    assert [p.owner_slug for p in reg.owners_of("westshire-crc", on="2018-03-31")] == ["acme-justice"]
    period = reg.owners_of("westshire-crc", on="2018-04-01")[0]
    assert period.owner_slug == "borealis"
    assert period.unverified
    assert period.sources == ("https://example.org/news/sale",)
    assert slugs(reg.by_place("Newbridge")) == ["westshire-crc"]
    assert reg.person("Jo Blogs").name == "Jo Bloggs"
    assert load_registry(RES / "registry-small.yaml") is reg  # cached


def test_unknown_owner_slug_is_reported_with_field_path_and_line():
    with pytest.raises(InputError) as err:
        load_registry(RES / "registry-unknown-owner.yaml")
    message = str(err.value)
    assert "registry-unknown-owner.yaml:16:" in message
    assert "organisations[0].owners[0].owner" in message
    assert "acme-justise" in message
    assert "did you mean acme-justice" in message


def test_malformed_registry_is_reported_with_line():
    with pytest.raises(InputError) as err:
        load_registry(RES / "registry-malformed.yaml")
    assert err.value.path.endswith("registry-malformed.yaml")
    assert err.value.line is not None
    assert err.value.line >= 8
    assert "malformed YAML" in str(err.value)


def test_missing_registry_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read registry"):
        load_registry(tmp_path / "nope.yaml")


def test_owner_change_must_agree_with_the_periods(tmp_path):
    text = (
        (RES / "registry-small.yaml")
        .read_text(encoding="utf-8")
        .replace("      - date: 2018-04\n", "      - date: 2018-05\n")
    )
    bad = tmp_path / "registry.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"owner_changes\[0\].*disagree"):
        load_registry(bad)


@pytest.mark.parametrize("place", ["Kent", "Derbyshire", "Devon", "Bristol", "Humberside"])
def test_a_bare_county_is_not_an_alias_of_a_crc(place: str) -> None:
    # Regression: unquoted names with commas in YAML flow lists split into county names.
    assert load_registry().find(place) is None
