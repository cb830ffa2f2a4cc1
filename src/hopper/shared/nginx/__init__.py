"""nginx configuration, over crossplane: :mod:`.read` parses a configuration into typed records,
:mod:`.build` writes a whole nginx.conf for a front, :mod:`.carry` picks the source directives
that go along unchanged."""
