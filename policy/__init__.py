"""Policy core: load, validate and compute health-poverty-alleviation policy data.

Imported by the build (`build.py`) and the forms app. Knows nothing about web pages or PDFs.
"""
