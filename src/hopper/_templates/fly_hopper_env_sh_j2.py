# type: ignore
# ruff: noqa
# templates/fly/hopper-env.sh.j2 compiled by Jinja2 (hopper.templating.compiled_sources;
# HOPPER_UPDATE_GOLDEN=1 pytest tests/perf/test_templates_compiled.py rewrites it).
# Used only while KEY equals hopper.templating.template_key() of the template.
KEY = '4b1dd15c5f9a9937521b9b5f2fe1c77efd31d14105296f500f213d049dc14393'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'fly/hopper-env.sh.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_app = resolve('app')
    l_0_sources = resolve('sources')
    l_0_direct_url = resolve('direct_url')
    l_0_aliases = resolve('aliases')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    pass
    yield '#!/bin/sh\n# Written by hopper for Fly app '
    yield str((undefined(name='app') if l_0_app is missing else l_0_app))
    yield ': the app reads names that Fly does not set. This\n# entrypoint derives them from what Fly sets ('
    yield str(t_1(context.eval_ctx, (undefined(name='sources') if l_0_sources is missing else l_0_sources), ', '))
    yield '), then runs the command.\n# A name that is already set (a secret, [env]) is left alone. URL parts are passed through as\n# they appear in the URL (percent-encoding is not decoded).\nset -eu\n\n# hopper_url_part PART URL: scheme, user, password, host, port or database of a URL.\nhopper_url_part() {\n  rest=${2#*://}\n  case $rest in\n    *@*) creds=${rest%@*}; hostpart=${rest##*@} ;;\n    *) creds=; hostpart=$rest ;;\n  esac\n  hostport=${hostpart%%/*}\n  case $hostpart in\n    */*) path=${hostpart#*/} ;;\n    *) path= ;;\n  esac\n  path=${path%%\\?*}\n  case $hostport in\n    \\[*\\]:*) host=${hostport%:*}; port=${hostport##*:} ;;\n    \\[*\\]) host=$hostport; port= ;;\n    *:*) host=${hostport%:*}; port=${hostport##*:} ;;\n    *) host=$hostport; port= ;;\n  esac\n  case $1 in\n    scheme) printf \'%s\' "${2%%://*}" ;;\n    user) printf \'%s\' "${creds%%:*}" ;;\n    password) case $creds in *:*) printf \'%s\' "${creds#*:}" ;; esac ;;\n    host) printf \'%s\' "$host" ;;\n    port) printf \'%s\' "${port:-5432}" ;;\n    database) printf \'%s\' "$path" ;;\n  esac\n}\n\n'
    if (undefined(name='direct_url') if l_0_direct_url is missing else l_0_direct_url):
        pass
        yield '# In the release Machine (Fly sets RELEASE_COMMAND=1) migrations use Managed Postgres\' direct\n# connection, not the pooled one (PgBouncer): host direct.<cluster> instead of pgbouncer.<cluster>.\nif [ "${RELEASE_COMMAND:-}" = 1 ] && [ -n "${'
        yield str((undefined(name='direct_url') if l_0_direct_url is missing else l_0_direct_url))
        yield ':-}" ]; then\n  '
        yield str((undefined(name='direct_url') if l_0_direct_url is missing else l_0_direct_url))
        yield '=${DIRECT_DATABASE_URL:-$(printf \'%s\' "${'
        yield str((undefined(name='direct_url') if l_0_direct_url is missing else l_0_direct_url))
        yield '}" | sed \'s/@pgbouncer[.]/@direct./\')}\n  export '
        yield str((undefined(name='direct_url') if l_0_direct_url is missing else l_0_direct_url))
        yield '\nfi\n\n'
    for l_1_alias in (undefined(name='aliases') if l_0_aliases is missing else l_0_aliases):
        _loop_vars = {}
        pass
        yield 'if [ -z "${'
        yield str(environment.getattr(l_1_alias, 'variable'))
        yield '+x}" ] && [ -n "${'
        yield str(environment.getattr(l_1_alias, 'source'))
        yield ':-}" ]; then\n'
        if (environment.getattr(l_1_alias, 'part') in ('uri', 'endpoint', 'access_key', 'secret_key', 'bucket', 'region')):
            pass
            yield '  '
            yield str(environment.getattr(l_1_alias, 'variable'))
            yield '=${'
            yield str(environment.getattr(l_1_alias, 'source'))
            yield '}\n'
        elif (environment.getattr(l_1_alias, 'part') == 'endpoint_host'):
            pass
            yield '  '
            yield str(environment.getattr(l_1_alias, 'variable'))
            yield '=$(hopper_url_part host "${'
            yield str(environment.getattr(l_1_alias, 'source'))
            yield '}")\n'
        else:
            pass
            yield '  '
            yield str(environment.getattr(l_1_alias, 'variable'))
            yield '=$(hopper_url_part '
            yield str(environment.getattr(l_1_alias, 'part'))
            yield ' "${'
            yield str(environment.getattr(l_1_alias, 'source'))
            yield '}")\n'
        yield '  export '
        yield str(environment.getattr(l_1_alias, 'variable'))
        yield '\nfi\n'
    l_1_alias = missing
    yield '\nexec "$@"\n'

blocks = {}
debug_info = '2=22&3=24&37=26&40=29&41=31&42=35&46=37&47=41&48=45&49=48&50=52&51=55&53=62&55=69'
