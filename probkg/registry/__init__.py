"""The curated organisation registry: providers, owners, ownership over time, areas, the inspectorate.

:mod:`probkg.registry.model` reads ``data/registry.yaml`` (every fact with its source) into immutable
objects and answers the entity-resolution questions loaders ask (``find``, ``candidates``,
``by_place``, ``owners_of``, ``person``).
"""
