"""dost-feedback: shared contract (events, topics, centers), configuration and the CLI.

The components live beside this package: ``feedback_web`` (ingest), ``streams``
(Faust workers), ``models`` (sentiment) and ``monitoring`` (rules, on-call receiver).
"""

__version__ = "0.1.0"
