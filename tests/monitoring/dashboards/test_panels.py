"""The pure panel builders: layout and template-variable substitution."""

from __future__ import annotations

import pytest

from monitoring.dashboards.panels import layout, panel, substitute_variables


def test_layout_flows_rows_and_refuses_overflow():
    a, b, c = (panel("stat", t, "", []) for t in "abc")
    placed = layout([[(a, 12, 4), (b, 12, 6)], [(c, 24, 3)]])
    assert [(p["id"], p["gridPos"]) for p in placed] == [
        (1, {"h": 4, "w": 12, "x": 0, "y": 0}), (2, {"h": 6, "w": 12, "x": 12, "y": 0}),
        (3, {"h": 3, "w": 24, "x": 0, "y": 6})]
    with pytest.raises(ValueError, match="wider"):
        layout([[(a, 20, 4), (b, 5, 4)]])


def test_substitute_variables():
    values = {"center_id": "baku-1", "__rate_interval": "1m"}
    assert substitute_variables('rate(x{c="$center_id"}[$__rate_interval])', values) == 'rate(x{c="baku-1"}[1m])'
    assert substitute_variables('x{c="${center_id}",d="${center_id:raw}",e="[[center_id]]"}', values) == (
        'x{c="baku-1",d="baku-1",e="baku-1"}')
    with pytest.raises(KeyError, match=r"\$missing"):
        substitute_variables("x[$missing]", values)
