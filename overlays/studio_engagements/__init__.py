"""A typed client for Twilio Studio's List Engagements endpoint."""

from ._version import __version__

__all__ = ["__version__"]
