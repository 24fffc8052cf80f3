"""Faust stream workers: validate, de-duplicate and count ratings; export satisfaction."""
