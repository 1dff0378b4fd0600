"""Editions for every reader and content that stays current: large print, leaflet codes and
revision stamps, review dates enforced against a fixed today, plain-language warnings."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from pypdf import PdfReader

from conftest import DOCS, PROJECT, ZH_PO, doc_langs, edit_po, pdf_pages, run, squash, translate
from test_leaflets import qr_codes, text_runs

LARGE = [pytest.param(doc, lang, id=f"{doc.slug}-{lang.code}") for doc in DOCS for lang in doc_langs(doc)]
STAMP = re.compile(r"(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\s*·\s*)?\d{4}-\d\d-\d\d-[0-9a-f]{7}")


@pytest.mark.parametrize("doc, lang", LARGE)
def test_every_leaflet_has_a_large_print_edition_at_16_pt_or_more(built, doc, lang):
    path = built / "output/print" / f"{doc.slug}.{lang.url}.large.pdf"
    reader = PdfReader(path)
    assert 1 <= len(reader.pages) <= doc.large_print_budget
    assert all((round(float(p.mediabox.width)), round(float(p.mediabox.height))) == (595, 842) for p in reader.pages)
    assert reader.trailer["/Root"]["/Lang"] == lang.bcp47 and "/StructTreeRoot" in reader.trailer["/Root"]
    chars = Counter()
    for _, size, _, _, text in text_runs(path):
        chars[size] += len(text.strip())
    body = chars.most_common(1)[0][0]
    assert body >= 16, f"body text is {body} pt"
    headings = [size for size in chars if size > body]
    assert headings and max(headings) >= 1.5 * body  # headings larger still
    pages = [squash(text) for text in pdf_pages(path)]
    disclaimer = squash(translate(built, lang, doc, doc.disclaimer.text))
    assert all(disclaimer in page for page in pages)  # the running footer, as on the regular leaflet
    for fact in doc.key_facts:
        assert squash(translate(built, lang, doc, fact.segment.text)) in "".join(pages)
    assert qr_codes(path) == [f"{PROJECT.site_url}{lang.url}/{doc.slug}.html"]
    page = (built / "output/site" / lang.url / f"{doc.slug}.html").read_text(encoding="utf-8")
    assert f'href="{path.name}"' in page and (built / "output/site" / lang.url / path.name).exists()


def stamps(path) -> list[str]:
    """The revision stamp on each page, white space aside (text extraction keeps or drops it)."""
    return [re.sub(r"\s", "", m) for text in pdf_pages(path) for m in STAMP.findall(text)]


@pytest.mark.parametrize("doc", [pytest.param(doc, id=doc.slug) for doc in DOCS])
def test_every_page_of_every_leaflet_prints_the_code_and_its_revision(built, doc):
    assert doc.code
    for path in sorted((built / "output/print").glob(f"{doc.slug}.*.pdf")):
        reader = PdfReader(path)
        found = stamps(path)
        assert len(found) == len(reader.pages), (path.name, found)
        assert all(s.startswith(f"{doc.code}·{doc.last_reviewed.isoformat()}-") for s in found)
        assert re.sub(r"\s", "", reader.metadata["/revision"]) == found[0]
    for lang in doc_langs(doc):  # the large print has its leaflet's text, so its stamp
        regular = stamps(built / "output/print" / f"{doc.slug}.{lang.url}.pdf")
        assert set(regular) == set(stamps(built / "output/print" / f"{doc.slug}.{lang.url}.large.pdf"))
        assert len(set(regular)) == 1


def test_editing_one_sentence_changes_that_leaflets_stamp_only(project):
    assert run(project, "build").returncode == 0
    before = {p.name: stamps(p) for p in (project / "output/print").glob("*.pdf")}
    assert run(project, "build", "--force").returncode == 0
    assert {p.name: stamps(p) for p in (project / "output/print").glob("*.pdf")} == before  # same text, same stamp

    # The author rewords an English sentence; the reviewers keep the translations as they were.
    old = "In recent years, authorities have penalized exosome products with exaggerated\n  claims."
    md = project / "source/exosome-therapy.md"
    md.write_text(md.read_text(encoding="utf-8").replace(old, old.replace("In recent years", "Recently")),
                  encoding="utf-8")
    assert run(project, "extract").returncode == 0 and run(project, "update").returncode == 0
    for catalog in sorted(project.glob("locales/*/LC_MESSAGES/documents-en.po")):
        edit_po(catalog, lambda e: e.flags.remove("fuzzy") if "fuzzy" in e.flags else None)
    assert run(project, "build").returncode == 0
    after = {p.name: stamps(p) for p in (project / "output/print").glob("*.pdf")}
    changed = sorted(name for name in before if after[name] != before[name])
    assert changed == ["exosome-therapy.en.large.pdf", "exosome-therapy.en.pdf", "exosome-therapy.zh-tw.en.pdf"]


@pytest.mark.parametrize("code, message", [
    ("HE 42", "code must look like HE-0042, not 'HE 42'"),
    ("IC-0007", "code IC-0007 is already the code of source/exosome-therapy.md:8"),
])
def test_a_bad_or_shared_code_is_refused_with_its_line(project, code, message):
    md = project / "source/exosome-therapy.md"
    md.write_text(md.read_text(encoding="utf-8").replace("code: HE-0042", f"code: {code}"), encoding="utf-8")
    result = run(project, "check")
    assert result.returncode == 2
    # The second document to claim a code is the one refused.
    where = "source/exosome-therapy.md:8" if " " in code else "source/hand-washing.md:7"
    assert result.stderr.strip().startswith(f"error: {where}: {message}"), result.stderr


def next_review_line(project, slug: str) -> int:
    lines = (project / f"source/{slug}.md").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith("next_review:"))


def test_an_overdue_review_blocks_check_and_build_but_not_a_draft(project):
    line = next_review_line(project, "exosome-therapy")
    overdue = f"source/exosome-therapy.md:{line}: error: [review-overdue]"
    check = run(project, "check", "--today", "2027-11-28")
    assert check.returncode == 1
    assert overdue in check.stdout and "was due for review on 2027-11-27, 1 day ago" in check.stdout
    build = run(project, "build", "--today", "2027-11-28")
    assert build.returncode == 1 and overdue in build.stderr and "refused" in build.stderr
    assert not (project / "output/site").exists()
    draft = run(project, "build", "--draft", "--today", "2027-11-28")
    assert draft.returncode == 0, draft.stderr
    assert 'class="draft"' in (project / "output/site/en/exosome-therapy.html").read_text(encoding="utf-8")
    assert 'class="draft"' not in (project / "output/site/en/hand-washing.html").read_text(encoding="utf-8")
    report = (project / "output/report/index.html").read_text(encoding="utf-8")
    assert report.index("source/exosome-therapy.md") < report.index("source/hand-washing.md", report.index("by next"))
    assert "(overdue)" in report


def test_a_review_due_within_30_days_is_a_warning_naming_the_document(project):
    line = next_review_line(project, "hand-washing")
    check = run(project, "check", "--today", "2027-11-19")  # 10 days before its next review
    assert check.returncode == 0, check.stdout
    assert (f"source/hand-washing.md:{line}: warning: [review-due]" in check.stdout
            and "hand-washing is due for review on 2027-11-29, in 10 days" in check.stdout)
    assert run(project, "build", "--today", "2027-11-19").returncode == 0
    env = run(project, "check", env={"HEALTHPUB_TODAY": "2027-11-19"})  # the same day, from the environment
    assert "in 10 days" in env.stdout
    bad = run(project, "check", "--today", "next week")
    assert bad.returncode == 2 and "expected a date such as 2026-11-29, not 'next week'" in bad.stderr


def test_a_long_sentence_is_pointed_out_at_its_source_line_and_does_not_block(project):
    md = project / "source/hand-washing.md"
    text = md.read_text(encoding="utf-8")
    long_sentence = " ".join(["Wash"] + ["your hands well"] * 23) + "."  # 70 words
    text = text.replace("## 為什麼洗手這麼重要？\n", f"## 為什麼洗手這麼重要？\n\n{long_sentence}\n")
    md.write_text(text, encoding="utf-8")
    line = text.splitlines().index(long_sentence) + 1
    en = project / "source/exosome-therapy.md"
    en.write_text(en.read_text(encoding="utf-8").replace("## Neutral consumer perspective\n",
                                                         f"## Neutral consumer perspective\n\n{long_sentence}\n"),
                  encoding="utf-8")
    en_line = en.read_text(encoding="utf-8").splitlines().index(long_sentence) + 1
    assert run(project, "extract").returncode == 0 and run(project, "update").returncode == 0
    check = run(project, "check", "--today", "2026-11-29")
    assert f"source/exosome-therapy.md:{en_line}: warning: [long-sentence]" in check.stdout
    assert "a sentence of 70 words (over 25)" in check.stdout
    # In a Chinese document, the unit is the Chinese character (Latin words count as one each).
    assert f"source/hand-washing.md:{line}: warning: [long-sentence]" in check.stdout
    assert "a sentence of 70 characters (over 45)" in check.stdout


def test_the_sample_documents_long_sentences_are_warnings(project):
    check = run(project, "check", "--today", "2026-11-29")
    assert check.returncode == 0, check.stdout
    warnings = re.findall(r"source/exosome-therapy\.md:(\d+): warning: \[long-sentence\]", check.stdout)
    assert len(warnings) >= 10
    # The longest, the FAQ answer on Taiwan's two tracks, is at its own line of the file.
    lines = (project / "source/exosome-therapy.md").read_text(encoding="utf-8").splitlines()
    assert any(lines[int(n) - 1].startswith("There are two tracks:") for n in warnings)
    assert "reading grade" in check.stdout


def test_a_document_split_over_processes_makes_the_pdfs_of_one_process(project):
    """A document's leaflets render in parts that share no layout (leaflets.split), on several
    workers at once; joined, they are byte for byte what one process makes of the whole job."""
    import datetime

    from healthpub import leaflets, pdf, publish
    from healthpub.config import load_project
    from healthpub.state import gather

    loaded = load_project(project)
    state = gather(loaded, datetime.date(2026, 11, 29))
    doc = state.documents[0]
    n = len(state.doc_langs(doc))
    job = publish._Site(loaded, state, set()).job(doc)
    parts = leaflets.split(job)
    # Every layout in one part only; an edition in the part of its layouts; each large print alone.
    assert sorted(html for part in parts for html in part.htmls) == list(range(2 * n))
    assert sorted(e for part in parts for e in part.editions) == list(range(len(job.editions)))
    assert all(set(job.editions[e][1]) <= set(part.htmls) for part in parts for e in part.editions)
    assert [part.htmls for part in parts if part.htmls[0] >= n] == [(i,) for i in range(n, 2 * n)]
    whole = pdf.write_pdfs(job)
    assert leaflets.join(job, parts, [pdf.write_pdfs(part.job) for part in parts]) == whole
