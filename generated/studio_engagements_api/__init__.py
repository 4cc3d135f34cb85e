"""A client library for accessing Twilio Studio v1 Engagements"""
# From openapi/templates/: this package holds the models (models/), their shared types and each
# operation's path and parameters (_parameters.py), nothing else. Requests are made by
# studio_engagements, which reads these through their public names.
