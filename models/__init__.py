"""Sentiment of citizen comments: the model interface (``models.sentiment``), its backends,
language detection, and the offline build of the default model (``models.build``)."""
