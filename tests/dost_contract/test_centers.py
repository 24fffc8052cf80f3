import pytest

from dost_contract.centers import RegistryError, load_registry
from dost_contract.settings import Settings

SEED = {
    "baku-1", "baku-2", "baku-3", "baku-4", "baku-5", "baku-6",
    "karabakh-barda", "karabakh-shusha", "smart-agali",
}


def test_default_registry_holds_the_seed_network():
    registry = load_registry(Settings())
    assert set(registry.ids()) == SEED
    assert all(center.target == 0.985 for center in registry.centers)
    assert registry.get("karabakh-shusha").parent == "karabakh-barda"
    assert registry.get("smart-agali").kind == "smart_point"


def test_planned_network_adds_17_regional_centers_and_55_branches():
    registry = load_registry(Settings(), include_planned=True)
    planned = [c for c in registry.centers if c.planned]
    assert sum(c.kind == "regional" for c in planned) == 17
    assert sum(c.kind == "branch" for c in planned) == 55
    names = {c.name.en for c in planned}
    for city in ("Nakhchivan", "Guba", "Sabirabad", "Sumgayit", "Ganja", "Masalli"):
        assert f"{city} Regional DOST Center" in names


def test_configured_default_target_applies_where_a_center_sets_none(tmp_path):
    path = tmp_path / "centers.yaml"
    path.write_text(
        "centers:\n"
        "  - {center_id: a-1, name: {az: A, en: A}, region: r, kind: city}\n"
        "  - {center_id: b-1, name: {az: B, en: B}, region: r, kind: city, target: 0.95}\n"
    )
    registry = load_registry(Settings(centers_file=path, default_target=0.97))
    assert registry.targets() == {"a-1": 0.97, "b-1": 0.95}


@pytest.mark.parametrize(
    "content,message",
    [
        ("centers: [", "not valid YAML"),
        ("something: else", "top-level 'centers:'"),
        ("centers:\n  - {center_id: a-1, name: {az: A, en: A}, region: r, kind: castle}", "kind"),
        (
            "centers:\n  - {center_id: a-1, name: {az: A, en: A}, region: r, kind: city}\n"
            "  - {center_id: a-1, name: {az: A, en: A}, region: r, kind: city}",
            "duplicate center_id",
        ),
        ("centers:\n  - {center_id: a-1, name: {az: A, en: A}, region: r, kind: branch, parent: zz}", "parent"),
        ("centers:\n  - {center_id: A B, name: {az: A, en: A}, region: r, kind: city}", "center_id"),
        ("centers:\n  - {center_id: a-1, name: {az: A, en: A}, region: r, kind: city, target: 1.5}", "target"),
    ],
)
def test_malformed_registries_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "centers.yaml"
    path.write_text(content)
    with pytest.raises(RegistryError, match=message):
        load_registry(Settings(centers_file=path))


def test_missing_registry_names_the_env_var(tmp_path):
    with pytest.raises(RegistryError, match="DOST_CENTERS_FILE"):
        load_registry(Settings(centers_file=tmp_path / "nope.yaml"))
