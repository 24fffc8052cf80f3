"""The token-bucket arithmetic."""

import pytest

from dost_channels.rate_limits import take_token


@pytest.mark.parametrize("tokens,updated,now,expected", [
    (3.0, 0.0, 0.0, (2.0, 0.0)),
    (0.0, 0.0, 0.0, (0.0, 5.0)),
    (0.0, 0.0, 2.5, (0.5, 2.5)),
    (0.0, 0.0, 5.0, (0.0, 0.0)),
    (0.0, 0.0, 1e6, (2.0, 0.0)),      # refills to the burst only
    (1.0, 10.0, 5.0, (0.0, 0.0)),     # a clock that went back earns nothing
])
def test_take_token(tokens, updated, now, expected):
    assert take_token(tokens, updated, now, interval=5.0, burst=3) == pytest.approx(expected)
