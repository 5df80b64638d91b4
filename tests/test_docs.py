"""The derivation page (docs/derivation.md) is what a reader of this repository has of the text the
app teaches: every place the code cites it must point at a section that exists, and the page must
say where each equation of the text lives."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "derivation.md"


def _headings() -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#+ (.+)$", DOC.read_text(encoding="utf-8"), re.M)}


def test_every_citation_of_the_derivation_page_names_one_of_its_sections() -> None:
    cited = []
    for path in (ROOT / "playground").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "NOTES.md" not in text, f"{path.name} cites a notes file outside the repository"
        cited += [(path.name, m.group(1)) for m in re.finditer(r'docs/derivation\.md, "([^"]+)"', text)]
    assert len(cited) >= 4, cited
    headings = _headings()
    for name, section in cited:
        assert any(h.startswith(section) or section in h for h in headings), (name, section, headings)


def test_the_page_places_every_equation_of_the_text_and_its_errata() -> None:
    text = DOC.read_text(encoding="utf-8")
    numbers = {int(n) for group in re.findall(r"\((\d+)\)(?:[–-]\((\d+)\))?", text) for n in group if n}
    spans = re.findall(r"\((\d+)\)[–-]\((\d+)\)", text)
    for a, b in spans:
        numbers |= set(range(int(a), int(b) + 1))
    assert set(range(1, 19)) <= numbers, sorted(set(range(1, 19)) - numbers)
    for eq in ("(10)", "(13)", "(16)"):
        assert f"**Eq. {eq}**" in text, eq
