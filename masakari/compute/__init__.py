"""Talking to Nova: the one adapter both the API and the engine use."""
