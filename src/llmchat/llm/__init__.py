"""LLM providers and models: the provider-type registry, the model factory, and the admin settings service."""
