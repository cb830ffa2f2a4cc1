"""hopper's Jinja2 templates, compiled ahead of time (see hopper.templating): one generated module
per template, used only while its key matches the template and the installed Jinja2."""
