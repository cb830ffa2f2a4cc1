"""Helpers several formats share: configuration and project files that mean the same thing on
every platform, read and written once.

* :mod:`.nginx` -- nginx configuration over crossplane: read (typed records), build (a whole
  nginx.conf for a front), carry (the source's directives hopper does not model);
* :mod:`.dockerfile` -- Dockerfiles over BuildKit's parser (stages, ``FROM``, ``EXPOSE``...);
* :mod:`.nodeproject` and :mod:`.packagemanager` -- a Node project's package.json, workspaces,
  lockfiles and the install and run commands of its package manager;
* :mod:`.placement` -- the target region: ``--region``, the source's, or the nearest in the
  source's jurisdiction (``mappings/regions.toml``), in each format's own words and codes.

They know no platform: a format folder (``formats/<name>/``) calls them with its own paths and
maps the results into the model. YAML loading with locations is :mod:`hopper._yaml`.
"""
