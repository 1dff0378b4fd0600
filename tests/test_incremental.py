"""Incremental and reproducible builds: what triggers a rebuild and what does not, by content hash."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DOCS, EN_PO, PROJECT, ZH_PO, ZH_UI, copy_document, copy_project, doc_langs, edit_po, output_files, run

DOC = "source/exosome-therapy.md"
ZH_DOC = "source/hand-washing.md"  # written in Traditional Chinese
ALL = len(DOCS)  # a cold build renders every document's leaflets


def build(project: Path, *args: str) -> tuple[int, str]:
    """Builds and returns how many documents' leaflets were rendered, and what the build said."""
    result = run(project, "build", *args)
    assert result.returncode == 0, result.stderr
    return int(re.search(r"leaflets of (\d+) documents rendered", result.stdout)[1]), result.stdout


def snapshot(project: Path) -> dict[str, tuple[int, int]]:
    """Every output file with its inode and mtime: a rewrite changes one of them."""
    return {f"output/{name}": (path.stat().st_ino, path.stat().st_mtime_ns)
            for name, path in output_files(project).items()}


def add_second_document(project: Path) -> None:
    copy_document(project, Path(DOC).stem, "second")


def test_a_noop_build_rewrites_nothing(project):
    assert build(project)[0] == ALL
    before = snapshot(project)
    rendered, said = build(project)
    assert rendered == 0 and "nothing rewritten" in said
    assert snapshot(project) == before


def test_a_noop_build_reads_nothing_but_fingerprints(project, monkeypatch, capsys):
    from healthpub import cli, state

    build(project)
    monkeypatch.chdir(project)
    monkeypatch.setattr(state, "gather", lambda *args: pytest.fail("a no-op build gathered its inputs"))
    assert cli.main(["build"]) == 0
    assert "up to date, nothing rewritten; leaflets of 0 documents rendered" in capsys.readouterr().out
    with pytest.raises(pytest.fail.Exception):  # any option changes the fingerprint
        cli.main(["build", "--draft"])


def test_a_touched_output_is_rebuilt_not_taken_for_up_to_date(project):
    build(project)
    page = project / "output/site/en/exosome-therapy.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<main", b"<MAIN", 1))  # same size: a hand edit or a damaged copy
    (project / "output/site/sitemap.xml").unlink()
    _, said = build(project)
    assert "2 changed" in said
    assert page.read_bytes() == original and (project / "output/site/sitemap.xml").exists()
    assert "nothing rewritten" in build(project)[1]


def test_one_changed_document_renders_only_its_leaflets(project):
    add_second_document(project)
    assert build(project)[0] == ALL + 1
    before = snapshot(project)
    second = project / "source/second.md"
    second.write_text(second.read_text().replace("next_review: 2027-11-27", "next_review: 2027-12-01"))
    rendered, _ = build(project)
    assert rendered == 1
    after = snapshot(project)
    changed = {name for name in after if before.get(name) != after[name]}
    doc = next(d for d in DOCS if d.slug == Path(DOC).stem)  # second.md is a copy of it
    langs = doc_langs(doc)
    editions = [(lang, lang.url) for lang in langs] + [(lang, f"{lang.url}.large") for lang in langs] + [
        (lang, f"{lang.url}.{partner.url}") for lang in langs
        if (partner := PROJECT.partner(lang, doc.lang)) != lang and partner in langs]
    leaflets = {f"output/print/second.{edition}.pdf" for _, edition in editions} | {
        f"output/site/{lang.url}/second.{edition}.{kind}" for lang, edition in editions for kind in ("pdf", "webp")}
    search = {name for name in changed if name.startswith("output/site/pagefind/")}  # its pages' text changed
    pages = {f"output/site/{lang.url}/second.html" for lang in langs}
    assert changed == leaflets | search | pages | {"output/report/index.html"}  # which lists documents by review date


def test_a_translation_edit_rewrites_the_review_pages_of_its_documents_alone(project):
    add_second_document(project)
    assert run(project, "check").returncode == 0
    before = snapshot(project)
    title = next(d for d in DOCS if d.slug == "exosome-therapy").title.text
    edit_po(project / ZH_PO, reviewed(title, "什麼是外泌體療法？"))
    assert run(project, "check").returncode == 0
    after = snapshot(project)
    changed = {name for name in after if before.get(name) != after[name]}
    # The pages of the two documents holding the message (second.md is a copy), and the locale's
    # page, whose findings cite catalog lines that the longer entry moved; not the index, nor the
    # page text's page, nor any other locale's.
    assert changed == {"output/report/zh_TW.html", "output/report/zh_TW/doc-exosome-therapy.html",
                       "output/report/zh_TW/doc-second.html"}
    assert "什麼是外泌體療法？" in (project / "output/report/zh_TW/doc-second.html").read_text(encoding="utf-8")
    # A page damaged by hand is made again, not taken for the one kept.
    page = project / "output/report/zh_TW/doc-exosome-therapy.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<main", b"<MAIN", 1))
    assert run(project, "check").returncode == 0
    assert page.read_bytes() == original


def test_a_check_that_changes_the_report_leaves_the_site_and_leaflets_the_same_files(project):
    build(project)
    before, built = snapshot(project), os.readlink(project / "output/.current")
    title = next(d for d in DOCS if d.slug == "exosome-therapy").title.text
    edit_po(project / ZH_PO, reviewed(title, "什麼是外泌體療法？"))
    assert run(project, "check").returncode == 0
    after = snapshot(project)
    assert {name for name in after if before.get(name) != after[name]} == {
        "output/report/zh_TW.html", "output/report/zh_TW/doc-exosome-therapy.html"}
    # A new build, switched in with the report, showing the site's own files, linked.
    assert "什麼是外泌體療法？" in (project / "output/report/zh_TW/doc-exosome-therapy.html").read_text(encoding="utf-8")
    assert os.readlink(project / "output/.current") != built


def test_a_translation_change_renders_the_documents_using_it(project):
    add_second_document(project)
    build(project)
    edit_po(project / ZH_UI, lambda e: setattr(e, "msgstr", "資料出處") if e.msgid == "Sources" else None)
    assert build(project)[0] == ALL + 1  # every document shows "Sources" in zh_TW, its own language or not


def reviewed(msgid: str, msgstr: str):
    """A translation as a reviewer approves it."""
    def change(entry):
        if entry.msgid == msgid:
            entry.msgstr, entry.flags = msgstr, []
    return change


def test_a_document_translation_change_renders_only_the_documents_of_its_domain(project):
    # zh_TW's catalog of the English documents is no part of the Chinese document's leaflets, and
    # English's catalog of the Chinese documents is no part of the English ones'.
    add_second_document(project)
    build(project)
    before = snapshot(project)
    title = next(d for d in DOCS if d.slug == "exosome-therapy").title.text
    edit_po(project / ZH_PO, reviewed(title, "什麼是外泌體療法？"))
    assert build(project)[0] == 2  # exosome-therapy and its copy
    after = snapshot(project)
    changed = {name for name in after if before.get(name) != after[name]}
    assert "output/print/exosome-therapy.zh-tw.pdf" in changed and "output/print/second.zh-tw.pdf" in changed
    assert [name for name in changed if "hand-washing" in name] == []

    title = next(d for d in DOCS if d.slug == "hand-washing").title.text
    edit_po(project / EN_PO, reviewed(title, "Hand washing: wet, scrub, rinse, cup and dry"))
    assert build(project)[0] == 1
    again = snapshot(project)
    changed = {name for name in again if after.get(name) != again[name]}
    assert "output/print/hand-washing.en.pdf" in changed and "output/print/hand-washing.en.zh-tw.pdf" in changed
    assert [name for name in changed if "exosome-therapy" in name or "second" in name] == []


def test_a_new_character_in_one_document_renders_only_that_document(project):
    # Each document's fonts are cut to its own characters: a character new to the site must not
    # render every other document's leaflets again.
    copy_document(project, Path(DOC).stem, "second", lambda text: text.replace("title: What is", "title: Part two. What is"))
    assert run(project, "extract").returncode == 0 and run(project, "update").returncode == 0
    title = "Part two. What is Exosome Therapy? Is It Effective for Anti-Aging and Beauty? Is It Legal in Taiwan?"

    def translate(text):
        def change(entry):
            if entry.msgid == title:  # as a reviewer approves it: msgmerge's guess was fuzzy
                entry.msgstr, entry.flags, entry.previous_msgid = text, [], None
        return change

    edit_po(project / ZH_PO, translate("第二篇：什麼是外泌體療法？"))
    for code in ("vi", "id", "th"):  # their reviewers approve msgmerge's guess: the first part's title
        edit_po(project / f"locales/{code}/LC_MESSAGES/documents-en.po",
                lambda e: setattr(e, "flags", []) if e.msgid == title else None)
    assert build(project)[0] == ALL + 1
    before = snapshot(project)
    edit_po(project / ZH_PO, translate("第二篇：什麼是外泌體療法？鑫"))  # 鑫: in no other text
    assert build(project)[0] == 1
    after = snapshot(project)
    changed = {name for name in after if before.get(name) != after[name]}
    assert "output/print/second.zh-tw.pdf" in changed
    assert [name for name in changed if "exosome-therapy" in name or "hand-washing" in name] == []


def test_leaflet_css_renders_every_leaflet_and_site_css_none(project):
    build(project)
    css = project / "templates/site.css"
    css.write_text(css.read_text() + "\n/* a change */\n")
    rendered, said = build(project)
    assert rendered == 0 and "nothing rewritten" not in said
    css = project / "templates/leaflet.css"
    css.write_text(css.read_text() + "\n/* a change */\n")
    assert build(project)[0] == ALL


def test_force_renders_everything_again_with_the_same_bytes(project):
    build(project)
    before = snapshot(project)
    rendered, said = build(project, "--force")
    assert rendered == ALL and "nothing rewritten" in said  # same inputs, same bytes
    assert snapshot(project) == before


def test_two_clean_builds_are_byte_identical(project, tmp_path):
    other = copy_project(tmp_path / "other")
    build(project)
    build(other)
    ours = {name: path.read_bytes() for name, path in output_files(project).items()}
    theirs = {name: path.read_bytes() for name, path in output_files(other).items()}
    assert ours.keys() == theirs.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_shards_together_make_the_whole_build(project, tmp_path):
    add_second_document(project)
    whole = copy_project(tmp_path / "whole")
    shutil.copy(project / "source/second.md", whole / "source/second.md")
    build(whole)
    prints = set()
    slugs = sorted(p.stem for p in (project / "source").glob("*.md"))
    for index, shard in enumerate(("1/2", "2/2")):
        assert build(project, "--shard", shard)[0] == len(slugs[index::2])  # every other document
        found = {p.name for p in (project / "output/print").glob("*.pdf")}
        assert {name.split(".")[0] for name in found} == set(slugs[index::2])
        prints |= found
    assert prints == {p.name for p in (whole / "output/print").glob("*.pdf")}


def test_after_each_edit_the_build_equals_a_clean_build_of_the_same_files(project, tmp_path):
    """Whatever is reused (parsed documents, leaflets, unchanged files linked from the build
    before), an edited project builds to exactly what a clean copy of it builds to."""
    add_second_document(project)
    build(project)
    second = project / "source/second.md"
    edits = [
        lambda: second.write_text(second.read_text().replace("last_reviewed: 2026-11-27", "last_reviewed: 2026-11-28")),
        lambda: (project / "templates/leaflet.css").write_text((project / "templates/leaflet.css").read_text()
                                                               + "\nh1 { letter-spacing: 0.01em; }\n"),
        lambda: (project / "site.toml").write_text((project / "site.toml").read_text().replace(
            'publisher = "', 'publisher = "The ', 1)),
        lambda: second.unlink(),
    ]
    for number, edit in enumerate(edits):
        edit()
        assert "nothing rewritten" not in build(project)[1], number  # the edit shows
        clean = tmp_path / f"clean{number}"
        shutil.copytree(project, clean, ignore=shutil.ignore_patterns("output", ".cache"))
        build(clean)
        ours = {name: path.read_bytes() for name, path in output_files(project).items()}
        theirs = {name: path.read_bytes() for name, path in output_files(clean).items()}
        assert ours.keys() == theirs.keys(), number
        assert [name for name in ours if ours[name] != theirs[name]] == [], number


def _sentence(project: Path, n: int) -> None:
    md = project / DOC
    md.write_text(re.sub(r"exaggerated\n  claims(?: \(\d+\))?\.", f"exaggerated\n  claims ({n}).", md.read_text()))


def _translation(project: Path, n: int) -> None:
    def change(entry):
        if entry.msgid.startswith("In recent years, authorities") and entry.msgstr:
            entry.msgstr = re.sub(r"（\d+）$", "", entry.msgstr) + f"（{n}）"
    edit_po(project / ZH_PO, change)


def _glossary(project: Path, n: int) -> None:
    """An accepted alternative (no finding changes), or a new official term (every use is wrong)."""
    path = project / "locales/glossary.csv"
    term = f"外泌體|胞外體{n}" if n % 2 else f"胞外體{n}"
    path.write_text(re.sub(r"(?m)^exosome,[^,]*,", f"exosome,{term},", path.read_text()))


def _template_string(project: Path, n: int) -> None:
    path = project / "templates/page.html"  # a new interface message, which no catalog translates yet
    path.write_text(re.sub(r'_\("Topics[^"]*:"\)', f'_("Topics ({n}):")', path.read_text()))


def _site_toml(project: Path, n: int) -> None:
    path = project / "site.toml"
    path.write_text(re.sub(r'(?m)^publisher = "[^"]*"', f'publisher = "Example Clinic {n}"', path.read_text()))


def _add_document(project: Path, n: int) -> None:
    copy_document(project, Path(DOC).stem, f"copy-{n}")


def _remove_document(project: Path, n: int) -> None:
    copies = sorted((project / "source").glob("copy-*.md"))
    (copies[0] if copies else project / ZH_DOC).unlink(missing_ok=True)


def _extract_and_update(project: Path, n: int) -> None:
    """Extract and update; in a copy without the cache as well, which must write the same files."""
    uncached = project.parent / f"uncached{n}"
    shutil.copytree(project, uncached, ignore=shutil.ignore_patterns("output", ".cache"))
    for root in (project, uncached):
        assert run(root, "extract").returncode == 0 and run(root, "update").returncode == 0
    assert _locales(project) == _locales(uncached)
    shutil.rmtree(uncached)


def _locales(project: Path) -> dict[str, bytes]:
    return {path.relative_to(project).as_posix(): path.read_bytes()
            for path in sorted((project / "locales").rglob("*")) if path.is_file()}


EDITS = [_sentence, _translation, _glossary, _template_string, _site_toml, _add_document, _remove_document,
         _extract_and_update]


@settings(deadline=None, derandomize=True, max_examples=2, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.booleans()), min_size=4, max_size=5))
def test_any_sequence_of_edits_builds_what_a_clean_build_of_the_same_files_builds(steps):
    """Random edits of every kind a site sees, each followed by an incremental build (after a
    preview's pages-only pass, at random), compared byte for byte with a clean build of a copy of
    the same files. The clean copy starts with no cache but the rendered PDFs, which are named by
    a hash of their whole job (the test above builds from nothing), so that it renders only what
    no build has rendered yet."""
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        build(project, "--draft")
        for n, (edit, preview) in enumerate(steps, 1):
            edit(project, n)
            if preview:
                assert run(project, "build", "--draft", "--pages-only").returncode == 0
            build(project, "--draft")
            clean = Path(tmp) / f"clean{n}"
            shutil.copytree(project, clean, ignore=shutil.ignore_patterns("output", ".cache"))
            shutil.copytree(project / ".cache/pdf", clean / ".cache/pdf", copy_function=os.link)
            build(clean, "--draft")
            ours = {name: path.read_bytes() for name, path in output_files(project).items()}
            theirs = {name: path.read_bytes() for name, path in output_files(clean).items()}
            assert ours.keys() == theirs.keys(), (n, edit.__name__)
            assert [name for name in ours if ours[name] != theirs[name]] == [], (n, edit.__name__)
            shutil.rmtree(clean)


def test_update_merges_again_a_catalog_or_a_template_changed_since_the_last_update(project):
    """An update skips a catalog that merged into itself before; any change to it or to its
    template is merged again, as without the cache."""
    assert run(project, "update").returncode == 0
    assert "zh_TW/LC_MESSAGES/documents-en.po: unchanged" in run(project, "update").stdout
    laid_out = (project / ZH_PO).read_bytes()
    # A translator's tool saves it unwrapped: update lays it out as msgcat does again.
    subprocess.run(["msgcat", "--no-wrap", "-o", str(project / ZH_PO), str(project / ZH_PO)], check=True)
    assert (project / ZH_PO).read_bytes() != laid_out
    assert "zh_TW/LC_MESSAGES/documents-en.po: updated" in run(project, "update").stdout
    assert (project / ZH_PO).read_bytes() == laid_out
    # A new sentence: in the template after extract, then in the catalog after update.
    _sentence(project, 9)
    assert run(project, "extract").returncode == 0
    assert "zh_TW/LC_MESSAGES/documents-en.po: updated" in run(project, "update").stdout
    assert "claims (9)." in (project / ZH_PO).read_text()


def test_extract_with_its_cache_writes_the_templates_of_an_extract_without_it(project, tmp_path):
    """The catalog templates kept in .cache/ per domain, and what Babel extracted from templates/,
    are reused only while their files are unchanged: after each edit, extract writes the POTs that
    it writes with no cache."""
    def pots(root: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (root / "locales").glob("*.pot")}

    new_page = project / "templates" / "extra.html"
    edits = [
        lambda: _sentence(project, 5),  # one document: its domain's POT alone changes
        lambda: new_page.write_text('<p>{{ _("Opening hours of the clinic") }}</p>\n'),  # a template file added
        lambda: new_page.write_text('<p>{{ _("Opening hours of the pharmacy") }}</p>\n'),  # and changed
        lambda: new_page.unlink(),  # and removed
    ]
    assert run(project, "extract").returncode == 0
    for number, edit in enumerate(edits):
        before = pots(project)
        edit()
        assert run(project, "extract").returncode == 0
        clean = tmp_path / f"clean{number}"
        shutil.copytree(project, clean, ignore=shutil.ignore_patterns(".cache"))
        assert run(clean, "extract").returncode == 0
        assert pots(project) == pots(clean), f"edit {number}"
        assert pots(project) != before, f"edit {number} changed no template"
    interface = (project / "locales/interface.pot").read_text()
    assert "Opening hours" not in interface
    assert "claims (5)." in (project / "locales/documents-en.pot").read_text()


def test_the_glossary_a_template_and_site_toml_reach_every_output_that_depends_on_them(project):
    build(project)
    before = {name: path.read_bytes() for name, path in output_files(project).items()}
    en_pages = [name for name in before if name.startswith("site/en/") and name.endswith(".html")]
    en_leaflets = [name for name in before if name.startswith("print/") and ".en." in name]

    _site_toml(project, 7)  # the publisher's English name: on every English page and leaflet
    rendered, _ = build(project)
    assert rendered == ALL
    after = {name: path.read_bytes() for name, path in output_files(project).items()}
    assert [name for name in en_pages if b"Example Clinic 7" not in after[name]] == []
    assert [name for name in en_leaflets if after[name] == before[name]] == []

    page_html = (project / "templates/page.html").read_text()
    _template_string(project, 8)  # a page string: every document page shows it; zh-TW has no translation yet
    assert run(project, "build").returncode == 1
    build(project, "--draft")
    pages_ = {name: path.read_text(encoding="utf-8") for name, path in output_files(project).items()
              if name.endswith(".html") and any(name.endswith(f"/{doc.slug}.html") for doc in DOCS)}
    assert pages_ and [name for name, text in pages_.items() if "Topics (8):" not in text] == []
    assert all(has_draft_banner(project, name.removeprefix("site/")) for name in pages_ if "/zh-tw/" in name)
    assert not any(has_draft_banner(project, name.removeprefix("site/")) for name in pages_ if "/en/" in name)

    (project / "templates/page.html").write_text(page_html)  # back; then the glossary: exosome is 胞外體 in Chinese
    build(project)
    _glossary(project, 2)
    result = run(project, "check")
    assert result.returncode == 1
    assert re.search(rf"{ZH_PO}:\d+: error: \[glossary\] .*'exosome' must be translated as '胞外體2'", result.stdout)
    build(project, "--draft")
    assert has_draft_banner(project, f"zh-tw/{Path(DOC).stem}.html")  # its translations name exosomes
    assert not has_draft_banner(project, f"zh-tw/{Path(ZH_DOC).stem}.html")  # written in Chinese: no glossary check
    assert not has_draft_banner(project, f"en/{Path(DOC).stem}.html")


def has_draft_banner(project: Path, page: str) -> bool:
    return 'class="draft"' in (project / "output/site" / page).read_text(encoding="utf-8")


def test_a_draft_marks_only_the_document_whose_message_fails_and_renders_only_its_leaflets(project):
    assert build(project)[0] == ALL
    md = project / DOC
    old = "In recent years, authorities have penalized exosome products with exaggerated\n  claims."
    md.write_text(md.read_text(encoding="utf-8").replace(old, old.replace("In recent years", "Lately")),
                  encoding="utf-8")
    assert run(project, "extract").returncode == 0 and run(project, "update").returncode == 0
    rendered, said = build(project, "--draft")
    assert rendered == 1, said  # the edited document's leaflets, not every leaflet of the locale
    assert has_draft_banner(project, f"zh-tw/{Path(DOC).stem}.html")
    assert not has_draft_banner(project, f"zh-tw/{Path(ZH_DOC).stem}.html")
    assert not has_draft_banner(project, f"en/{Path(DOC).stem}.html")  # its own language needs no translation
    assert has_draft_banner(project, "zh-tw/index.html")  # the locale's lists name the draft


def test_a_failing_interface_message_marks_the_whole_locale(project):
    build(project)
    edit_po(project / ZH_UI, lambda entry: entry.flags.append("fuzzy") if entry.msgid == "Search" else None)
    rendered, said = build(project, "--draft")
    assert rendered == ALL, said
    for doc in DOCS:
        assert has_draft_banner(project, f"zh-tw/{doc.slug}.html")
    assert not has_draft_banner(project, f"en/{Path(DOC).stem}.html")
