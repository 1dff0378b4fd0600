"""The command line: `pipeline.py {extract,update,init,check,build,serve,export-xliff,import-xliff}`.

Exit codes: 0 success; 1 a check failed or publishing was refused (the findings are printed);
2 bad input or usage (one line: file:line: what is wrong).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import sys
from pathlib import Path

# The stages are imported by the commands that run them, when they run: a build with nothing to do
# answers from its stamp before they would have loaded, and a check loads nothing of the leaflets'.
from . import output
from .config import Project, load_project
from .errors import InputError
from .locales import parse_lang


def main(argv: list[str] | None = None) -> int:
    # A command makes many objects that live to its end (every document, catalog entry, finding) and
    # few reference cycles: the collector's full passes, walking all of them, took 0.12 s of each
    # check or build at 200 documents. They are made ten times rarer.
    gc.set_threshold(700, 10, 100)
    parser = argparse.ArgumentParser(prog="pipeline.py", description=(
        "Publish health information in several languages: source/ → locales/ → output/site and output/print."))
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("extract", help="write locales/*.pot from source/ and templates/: a template per domain")
    cmd = commands.add_parser("update", help="merge the templates into every locale's catalogs (msgmerge)")
    cmd.add_argument("--no-obsolete", action="store_true", help="drop entries no source uses any more")
    _today_option(cmd)
    cmd = commands.add_parser("init", help="start a catalog for a new locale")
    cmd.add_argument("locale", help="gettext locale name, such as zh_TW or ja")
    _today_option(cmd)
    cmd = commands.add_parser("check", help="review every document and catalog; exit 1 if a published one fails")
    cmd.add_argument("--format", choices=("text", "json"), default="text")
    _today_option(cmd)
    cmd = commands.add_parser("build", help="render pages and leaflets into output/, if every published locale passes")
    cmd.add_argument("--draft", action="store_true", help="publish even unreviewed catalogs, marked as drafts")
    cmd.add_argument("--force", action="store_true", help="ignore the cache: render every leaflet again")
    cmd.add_argument("--pages-only", action="store_true",
                     help="the pages alone, no leaflets and no search index (the preview's first pass after a change)")
    cmd.add_argument("--shard", type=_shard, default=(1, 1), metavar="I/N",
                     help="render the leaflets of every N-th document from the I-th (for CI matrices)")
    cmd.add_argument("--scheduler", metavar="tcp://HOST:8786",
                     help="render the leaflets on the workers of this Dask scheduler, not on this machine")
    _today_option(cmd)
    cmd = commands.add_parser("pseudo", help="build every message pseudo-translated into output/pseudo/, "
                                         "listing leaflets that would outgrow their page budget")
    _today_option(cmd)
    cmd = commands.add_parser("serve", help="preview the site, drafts included, on 127.0.0.1; rebuilt and reloaded "
                                            "when a file changes")
    cmd.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one)")
    _today_option(cmd)
    cmd = commands.add_parser("export-xliff", help="write a locale's catalogs as XLIFF 1.2 for a translation agency")
    cmd.add_argument("locale", help="gettext locale name, such as zh_TW")
    cmd.add_argument("--domain", help="only this catalog, such as interface or documents-en (default: every one)")
    cmd.add_argument("-o", "--output", type=Path, metavar="FILE",
                     help="where to write it, with --domain (default xliff/DOMAIN.LOCALE.xlf)")
    cmd = commands.add_parser("import-xliff", help="merge an agency's XLIFF into a catalog; what changed turns fuzzy")
    cmd.add_argument("file", type=Path, help="the XLIFF file the agency returned")
    cmd.add_argument("locale", help="gettext locale name, such as zh_TW")
    args = parser.parse_args(argv)
    try:
        project = load_project(Path("."))
        if args.command == "serve":  # it takes the lock for each of its builds
            return cmd_serve(project, args)
        with output.lock(project.cache_dir, args.command):
            return COMMANDS[args.command](project, args)
    except InputError as err:
        if args.debug:
            raise
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a full disk, a folder that may not be written: what, and where
        if args.debug:
            raise
        what = (err.strerror or str(err)).lower()
        print(f"error: {err.filename or 'cannot write'}: {what}; what was published before and the cache are "
              "as they were", file=sys.stderr)
        return 2


def cmd_extract(project: Project, args) -> int:
    from . import catalogs, extract
    from .cache import Table
    from .state import load_documents

    documents = load_documents(project, project.documents())
    with Table(project.cache_dir / "extracted.pickle") as made:
        templates = extract.build_templates(project, documents, made)
    with Table(project.cache_dir / "templates.pickle") as written:
        for domain, template in templates.items():
            changed = catalogs.write_template(template, project.pot_path(domain), written)
            print(f"{project.pot_path(domain)}: {'written' if changed else 'unchanged'}")
    for domain in set(project.domains()) - set(templates):  # a language no document is written in now
        project.pot_path(domain).unlink()
        print(f"{project.pot_path(domain)}: removed: it is no longer extracted")
    return 0


def cmd_update(project: Project, args) -> int:
    from . import catalogs
    from .cache import Table

    with Table(project.cache_dir / "merges.pickle") as merges:
        for lang in project.catalog_langs():
            for path, changed in catalogs.update(project, lang, args.today, merges, keep_obsolete=not args.no_obsolete):
                print(f"{path}: {'updated' if changed else 'unchanged'}")
    return 0


def cmd_init(project: Project, args) -> int:
    from . import catalogs

    lang = parse_lang(args.locale, "command line")
    for path in catalogs.init(project, lang, args.today):
        print(f"{path}: created")
    print(f"add {lang.code} to {project.linguas_path} to publish it once it passes the check")
    return 0


def cmd_check(project: Project, args) -> int:
    from . import report
    from .state import gather

    state = gather(project, args.today)
    report.publish(project, state)
    if args.format == "json":
        print(json.dumps({"publishable": state.publishable(),
                          "documents": [r.as_dict() for r in state.reviews],
                          "locales": [r.as_dict() for r in state.reports]}, ensure_ascii=False, indent=2))
    else:
        _print_reviews(state.reviews)
        _print_reports(state.reports)
    return 0 if state.publishable() else 1


def cmd_build(project: Project, args) -> int:
    from . import stamp

    inputs = stamp.fingerprint(project, args.draft, args.shard, args.today, args.pages_only)
    if not args.force and (count := stamp.current(project, inputs)) is not None:
        print(f"{project.output_dir}: {count} files, up to date, nothing rewritten; leaflets of 0 documents rendered")
        return 0
    from . import publish, report
    from .state import gather

    if not args.pages_only and not args.scheduler:
        publish.forkserver()  # it imports WeasyPrint, on another core, while the state is gathered
    state = gather(project, args.today)
    blocking = not state.publishable()
    if blocking and not args.draft:
        _print_reviews(state.overdue(), stream=sys.stderr)
        _print_reports(state.blocking(), stream=sys.stderr)
        report.publish(project, state)
        print(f"refused: nothing was published; fix the errors above or build with --draft "
              f"(review report: {project.output_dir / 'report'}/index.html)", file=sys.stderr)
        return 1
    progress = _progress if sys.stderr.isatty() else None  # a bar on a terminal, quiet in CI
    result = publish.build(project, state, draft=args.draft, force=args.force, progress=progress, shard=args.shard,
                           with_leaflets=not args.pages_only, scheduler=args.scheduler,
                           inputs=inputs)
    status = f"{len(result.written)} changed" if result.written else "up to date, nothing rewritten"
    print(f"{project.output_dir}: {len(result.files)} files, {status}; leaflets of {result.rendered} documents rendered"
          + (" (DRAFT)" if blocking and args.draft else ""))
    return 0


def _today_option(cmd) -> None:
    # Review dates are judged against today; tests and rehearsals name another day.
    cmd.add_argument("--today", type=_date, default=os.environ.get("HEALTHPUB_TODAY") or dt.date.today().isoformat(),
                     metavar="YYYY-MM-DD",
                     help="judge review dates, and date new catalogs, as on this day (default: $HEALTHPUB_TODAY, or today)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date such as 2026-11-29, not {text!r}") from None


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise argparse.ArgumentTypeError(f"expected I/N with 1 <= I <= N, such as 2/4, not {text!r}")
    return int(index), int(count)


def _progress(done: int, total: int) -> None:
    bar = "#" * (30 * done // total)
    print(f"\rrendering leaflets [{bar:<30}] {done}/{total}", end="\n" if done == total else "", file=sys.stderr)


def cmd_pseudo(project: Project, args) -> int:
    from . import pseudo
    from .state import gather

    result = pseudo.build(project, gather(project, args.today))
    folder = project.output_dir / "pseudo"
    print(f"{folder}: {len(result.files)} files in {pseudo.PSEUDO.bcp47}, pseudo-translated; "
          f"leaflets of {result.rendered} documents rendered")
    if result.over_budget:
        count = len(result.over_budget)
        print(f"{count} leaflet{'s' * (count != 1)} would exceed {'its' if count == 1 else 'their'} page budget:")
        for problem in result.over_budget:
            print(f"  {problem}")
    else:
        print("every leaflet keeps to its page budget")
    return 0


def cmd_serve(project: Project, args) -> int:
    from . import serve

    # Each rebuild is `pipeline.py build --draft [--pages-only]`, exactly as a user would run it.
    today = ["--today", args.today.isoformat()]
    return serve.serve(project, args.port,
                       build=lambda pages_only: main(["build", "--draft", *today] + ["--pages-only"] * pages_only))


def cmd_export_xliff(project: Project, args) -> int:
    from . import xliff

    lang = parse_lang(args.locale, "command line")
    domains = project.domains_for(lang, project.domains())
    if args.domain:
        if args.domain not in domains:
            raise InputError("--domain", None, f"{lang.code} has no catalog {args.domain!r}",
                             "its catalogs are " + ", ".join(domains))
        domains = [args.domain]
    elif args.output and len(domains) > 1:
        raise InputError("--output", None, f"{lang.code} has {len(domains)} catalogs", "name one with --domain")
    for domain in domains:
        out = args.output or xliff.default_path(project, lang, domain)
        units, fuzzy, untranslated = xliff.export(project, lang, domain, out)
        approved = units - fuzzy - untranslated
        print(f"{out}: {units} units ({project.written_in(domain).bcp47} → {lang.bcp47}): {approved} approved, "
              f"{fuzzy} fuzzy, {untranslated} untranslated")
    return 0


def cmd_import_xliff(project: Project, args) -> int:
    from . import xliff
    from .checks import shorten

    lang = parse_lang(args.locale, "command line")
    po_path, result = xliff.import_(project, lang, args.file)
    print(f"{po_path}: {len(result.updated)} updated and marked fuzzy, {result.unchanged} unchanged, "
          f"{len(result.unknown)} unknown" + (f", {result.kept} empty in {args.file} (kept)" if result.kept else ""))
    for line, msgctxt, msgid in result.updated:
        context = "" if msgctxt is None else f" (context {msgctxt!r})"
        print(f"  {po_path}:{line}: {shorten(msgid)!r}{context}: fuzzy until a reviewer approves it")
    if result.unknown:
        count = len(result.unknown)
        print(f"{args.file}: {count} unit{'s' * (count != 1)} not in the catalog, ignored:")
        for line, unit_id, text in result.unknown[:5]:
            print(f"  {args.file}:{line}: id {unit_id!r}: {shorten(text)!r}")
        if len(result.unknown) > 5:
            print(f"  … and {len(result.unknown) - 5} more")
    return 0


def _print_reviews(reviews: list, stream=sys.stdout) -> None:
    for review in reviews:
        figures = review.figures
        grade = f"; reading grade {figures.grade}" if figures.grade is not None else ""
        print(f"{review.doc.path} ({review.doc.lang.bcp47}): next review {review.doc.next_review.isoformat()}; "
              f"{len(figures.lengths)} sentences, {figures.long} over {figures.limit} {figures.unit}{grade}",
              file=stream)
        for finding in review.findings:
            print(f"  {finding}", file=stream)


def _print_reports(reports: list, stream=sys.stdout) -> None:
    for report in reports:
        status = "published" if report.published else "not published"
        required = "translated" if report.required_ok else "NOT translated"
        print(f"{report.lang.code} ({status}): {report.translated} translated, {report.fuzzy} fuzzy, "
              f"{report.untranslated} untranslated of {report.total}; disclaimer and key facts {required}; "
              f"{len(report.errors)} errors, {len(report.findings) - len(report.errors)} warnings", file=stream)
        for finding in report.findings:
            print(f"  {finding}", file=stream)


COMMANDS = {"extract": cmd_extract, "update": cmd_update, "init": cmd_init, "check": cmd_check, "build": cmd_build,
            "pseudo": cmd_pseudo, "serve": cmd_serve, "export-xliff": cmd_export_xliff, "import-xliff": cmd_import_xliff}
