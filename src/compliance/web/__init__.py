"""``compliance serve``: the programme on the bureau's intranet (SPEC §6a).

Starlette + Jinja2 on uvicorn, over the same library and store as the CLI. Nothing is
fetched from outside: the stylesheet is served by the app, the charts are the reports'
own matplotlib SVG, and there is no front-end build step.
"""
