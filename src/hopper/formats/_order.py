"""The order users see the formats in (CLI choices, matrix columns): each format's
``Platform.rank``, written down so that listing the formats imports none of them (see
``hopper.formats._ordered``). ``tests/core/test_format_order.py`` keeps it equal to the ranks."""

ORDER: tuple[str, ...] = ("compose", "clevercloud", "fly", "render")
