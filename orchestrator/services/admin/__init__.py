"""Admin commands: providers and keys, the catalog, plans, the routing policy, users, alerts,
the audit trail. Every mutation takes a checked ``Actor`` (``orchestrator.services.actor``)."""
