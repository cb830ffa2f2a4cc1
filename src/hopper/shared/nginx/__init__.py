"""nginx configuration, over crossplane: :mod:`.read` parses a configuration into the typed
records of :mod:`.config` (files and includes in :mod:`.files`), :mod:`.build` writes a whole
nginx.conf for a front, :mod:`.carry` picks the source directives that go along unchanged, and
:mod:`.cache` reads a cache rule into the model the same way for every reader."""
