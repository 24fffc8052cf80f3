"""The follow-up case agent: opens cases from unhappy feedback, relays case events, exports case metrics."""
