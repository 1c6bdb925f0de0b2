"""Browser journeys (Playwright driving Debian's Chromium); a package so that its conftest and modules keep their own names."""
