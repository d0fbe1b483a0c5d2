"""The outside world of readings: the provider chain, its breakers, the providers, the prompt."""
