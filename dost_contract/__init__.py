"""The floor of dost-feedback: the names every other package relies on, importing nothing of ours.

- ``events``, ``visits``, ``topics``: what travels on Kafka (``../shared/CONTRACT.md``);
- ``centers``, ``opening_hours``: the center registry;
- ``phones``: how a phone number is normalised, hashed and encrypted;
- ``metric_names``: every ``dost_*`` series name;
- ``settings``: the one ``DOST_*`` configuration object and its dev/prod profiles.
"""

__version__ = "0.1.0"
