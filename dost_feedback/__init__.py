"""dost-feedback's roof: the ``dost-feedback`` command line and the local stack.

It imports every part of the system and nothing imports it (``CONTRIBUTING.md``):
``dost_contract`` (the floor), ``dost_channels`` and ``dost_simulation`` (shared pieces),
``models`` (sentiment), ``streams`` (Faust workers), ``feedback_web`` (ingest) and
``monitoring`` (rules, dashboards, on-call, replay).
"""

from dost_contract import __version__

__all__ = ["__version__"]
