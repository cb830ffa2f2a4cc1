"""hopper in CI: the GitHub Action's logic (``action.yml`` at the repository root runs
``python -m hopper.ci.github_action``), kept in the package so it is typed and tested."""
