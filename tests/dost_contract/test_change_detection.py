"""The detector parameters: consistent levels, and one set per profile."""

from __future__ import annotations

import pytest

from dost_contract.change_detection import DEV_DETECTORS, SHIPPED_DETECTORS, DetectorSpec, detectors_for_profile


def test_profiles_pick_their_detectors():
    assert detectors_for_profile("prod") == SHIPPED_DETECTORS
    assert detectors_for_profile("dev") == DEV_DETECTORS
    assert all(d.page_points < s.page_points for d, s in zip(DEV_DETECTORS, SHIPPED_DETECTORS))
    with pytest.raises(ValueError, match="unknown profile"):
        detectors_for_profile("staging")


def test_levels_must_be_ordered():
    with pytest.raises(ValueError, match="reset < page"):
        DetectorSpec("x", 0.1, 10, 1, page_points=10, reset_points=20, cap_points=30)
    with pytest.raises(ValueError, match="warning level"):
        DetectorSpec("x", 0.1, 10, 1, page_points=10, reset_points=5, cap_points=30, warning_points=11)
