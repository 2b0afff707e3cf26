"""Imports of closed-platform exports and of the declared-figures CSV.

Every expected value is read from the fixture itself (csv module, openpyxl) rather than
written twice, except where the fixture was built around a known moment (X post ids
made from given times, daylight-saving days).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from barometre.errors import SourceError
from barometre.models import AccountState, SocialSource
from barometre.social.imports import (
    ImportBatch,
    accepted_formats,
    detect_format,
    read_declared,
    read_export,
)
from barometre.social.imports.values import (
    CellError,
    day_first_of,
    parse_number,
    read_count,
    read_count_range,
    read_when,
)
from barometre.social.imports.x import SNOWFLAKE_EPOCH_MS, snowflake_time

FIXTURES = Path(__file__).parent / "fixtures" / "social_imports"
PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 12, 1)


def rows_of(name: str, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def number(text: str) -> int:
    """A count as the fixture writes it (English or French grouping)."""
    return int(re.sub(r"[,\s\u00a0\u202f]", "", text))


def post(batch: ImportBatch, post_id: str):  # type: ignore[no-untyped-def]
    return next(p for p in batch.posts if p.post_id == post_id)


def physical_line(path: Path, needle: str) -> int:
    """The 1-based line of the file where ``needle`` first appears."""
    for number_, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if needle in line:
            return number_
    raise AssertionError(needle)


# --- Meta -------------------------------------------------------------------------------


def test_facebook_export_english_interface() -> None:
    path = FIXTURES / "meta_facebook_posts_en.csv"
    expected = rows_of(path.name)
    batch = read_export(path, "facebook")
    assert batch.format == "meta-business-suite-publications"
    assert batch.source is SocialSource.IMPORT
    assert batch.platform == "facebook"
    assert len(batch.posts) == len(expected) == 6
    assert batch.warnings == ()
    for row in expected:
        found = post(batch, row["Post ID"])
        assert found.account_id == row["Page ID"]
        assert found.url == row["Permalink"]
        assert found.likes == number(row["Reactions"])
        assert found.reposts == number(row["Shares"])
        assert found.replies == (number(row["Comments"]) if row["Comments"] else None)
        caption = max(row["Title"], row["Description"], key=len)
        assert found.text == caption
    third = post(batch, expected[2]["Post ID"])
    assert third.likes == int(expected[2]["Reactions"])
    assert third.views == number(expected[2]["Views"])  # "12,560": English thousands
    assert post(batch, expected[5]["Post ID"]).views is None  # N/A
    formats = {row["Post ID"]: post(batch, row["Post ID"]).format for row in expected}
    assert [formats[r["Post ID"]] for r in expected] == [
        "image", "video", "video", "link", "text", "image",
    ]  # fmt: skip
    assert post(batch, expected[0]["Post ID"]).links == (
        "https://www.ville-exemple.fr/conseil-municipal",
    )
    boosted = {r["Post ID"] for r in expected if r["Funded content status"] == "Boosted"}
    assert batch.sponsored_post_ids == boosted and len(boosted) == 1
    shares = {r["Post ID"] for r in expected if r["Is share"] == "1"}
    assert {p.post_id for p in batch.posts if p.is_repost} == shares
    (profile,) = batch.profiles
    assert profile.account_id == expected[0]["Page ID"]
    assert profile.handle == "villedexemple"  # read in the permalinks
    assert profile.display_name == expected[0]["Page name"]
    assert profile.state is AccountState.OK and profile.source is SocialSource.IMPORT
    assert profile.fetched_at == max(p.published_at for p in batch.posts)
    assert profile.last_post_at == profile.fetched_at
    assert [p.published_at for p in batch.posts] == sorted(
        (p.published_at for p in batch.posts), reverse=True
    )


def test_facebook_local_times_are_paris_across_daylight_saving() -> None:
    batch = read_export(FIXTURES / "meta_facebook_posts_en.csv", "facebook")
    before = post(batch, "1827720132094663")  # 03/28/2026 18:12, winter time
    after = post(batch, "1827720132094664")  # 03/29/2026 09:05, summer time since 02:00
    assert before.published_at.utcoffset() == timedelta(hours=1)
    assert before.published_at.astimezone(UTC) == datetime(2026, 3, 28, 17, 12, tzinfo=UTC)
    assert after.published_at.utcoffset() == timedelta(hours=2)
    assert after.published_at.astimezone(UTC) == datetime(2026, 3, 29, 7, 5, tzinfo=UTC)


def test_facebook_export_french_interface_windows_1252() -> None:
    path = FIXTURES / "meta_facebook_posts_fr.csv"
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is Windows-1252
    expected = rows_of(path.name, encoding="cp1252", delimiter=";")
    batch = read_export(path, "facebook")
    assert batch.format == "meta-business-suite-publications"
    assert len(batch.posts) == len(expected) == 3
    for row in expected:
        found = post(batch, row["Identifiant de la publication"])
        assert found.likes == number(row["Réactions"])
        assert found.views == number(row["Vues"])  # "12 345" with a no-break space
        assert found.text == row["Titre"]  # "Œuvres…", "— programme…": cp1252 decoded
        day, month, year = row["Heure de publication"].split()[0].split("/")
        assert found.published_at.date() == date(int(year), int(month), int(day))
    assert [post(batch, r["Identifiant de la publication"]).format for r in expected] == [
        "image",
        "video",
        "link",
    ]


def test_instagram_export() -> None:
    path = FIXTURES / "meta_instagram_posts_en.csv"
    expected = rows_of(path.name)
    batch = read_export(path, "instagram", account_handle="@VilleDExemple")
    (profile,) = batch.profiles
    assert profile.account_id == expected[0]["Account ID"]  # the platform's id, not the handle
    assert profile.handle == expected[0]["Account username"]
    assert profile.url == "https://www.instagram.com/villedexemple/"
    for row in expected:
        found = post(batch, row["Post ID"])
        assert found.likes == int(row["Likes"])
        assert found.replies == int(row["Comments"])
        assert found.views == int(row["Views"])
    kinds = {"IG image": "image", "IG carousel": "image", "IG reel": "video"}
    assert all(post(batch, r["Post ID"]).format == kinds[r["Post type"]] for r in expected)


def test_instagram_export_of_another_account_is_refused() -> None:
    with pytest.raises(SourceError) as error:
        read_export(
            FIXTURES / "meta_instagram_posts_en.csv", "instagram", account_handle="autre_compte"
        )
    assert "villedexemple" in str(error.value) and "autre_compte" in str(error.value)


def daily_rows(name: str) -> tuple[str, list[tuple[str, int]]]:
    lines = (FIXTURES / name).read_bytes().decode("utf-16").splitlines()
    assert lines[0] == "sep=,"
    title = lines[1].strip('"')
    values = [tuple(c.strip('"') for c in line.split(",")) for line in lines[3:]]
    return title, [(d, int(v)) for d, v in values]


def test_meta_daily_follower_totals_utf16() -> None:
    name = "meta_facebook_daily_followers.csv"
    assert (FIXTURES / name).read_bytes()[:2] == b"\xff\xfe"
    _, expected = daily_rows(name)
    batch = read_export(FIXTURES / name, "facebook", account_handle="villedexemple")
    assert batch.format == "meta-business-suite-daily"
    assert [(f.observed_on.isoformat(), f.followers) for f in batch.followers] == [
        (d[:10], v) for d, v in expected
    ]
    assert all(
        f.source is SocialSource.IMPORT and f.account_id == "villedexemple" for f in batch.followers
    )
    (profile,) = batch.profiles
    assert profile.followers == expected[-1][1]
    assert profile.fetched_at.date().isoformat() == expected[-1][0][:10]


def test_meta_daily_new_follows_are_not_follower_counts() -> None:
    name = "meta_facebook_daily_follows.csv"
    title, expected = daily_rows(name)
    batch = read_export(FIXTURES / name, "facebook", account_handle="villedexemple")
    assert batch.followers == () and batch.profiles == ()
    (warning,) = batch.warnings
    assert title in warning and f"({sum(v for _, v in expected)} sur la période)" in warning


def test_meta_daily_series_needs_the_account() -> None:
    with pytest.raises(SourceError, match="--handle"):
        read_export(FIXTURES / "meta_facebook_daily_followers.csv", "facebook")


# --- X ----------------------------------------------------------------------------------

# The fixture's post ids were made from these moments (X's snowflake layout).
X_TIMES = [
    datetime(2026, 9, 12, 6, 30, tzinfo=UTC),
    datetime(2026, 9, 12, 16, 5, tzinfo=UTC),
    datetime(2026, 9, 13, 22, 40, tzinfo=UTC),
]


def test_x_content_export_recovers_times_from_post_ids() -> None:
    path = FIXTURES / "x_analytics_content.csv"
    expected = rows_of(path.name)
    batch = read_export(path, "x")
    assert batch.format == "x-analytics-posts"
    assert len(batch.posts) == len(expected) == 4
    for row, moment in zip(expected, X_TIMES, strict=False):
        found = post(batch, row["Post id"])
        assert found.published_at == moment
        stated = datetime.strptime(row["Date"], "%a, %b %d, %Y").date()
        assert found.published_at.astimezone(PARIS).date() == stated
        assert found.views == int(row["Impressions"])
        assert found.likes == int(row["Likes"])
        assert found.reposts == int(row["Reposts"])
        assert found.replies == int(row["Replies"])
        assert found.url == row["Post Link"]
    # id 12345 is not a snowflake: dated at midnight in Paris, and the batch says so
    undated = post(batch, expected[3]["Post id"])
    assert undated.published_at == datetime(2026, 9, 15, tzinfo=PARIS)
    (warning,) = batch.warnings
    assert "sans heure" in warning and "lignes 5" in warning
    reply = post(batch, expected[1]["Post id"])
    assert reply.reply_to == "habitant_centre" and reply.is_reply
    assert not post(batch, expected[0]["Post id"]).is_reply
    assert post(batch, expected[0]["Post id"]).links == ("https://t.co/AbCdEf1234",)
    assert {p.account_id for p in batch.posts} == {"villedexemple"}  # from the links


def test_x_legacy_export_keeps_utc_offsets_and_promoted_tweets() -> None:
    path = FIXTURES / "x_tweet_activity_metrics_legacy.csv"
    expected = rows_of(path.name)
    batch = read_export(path, "x")
    assert batch.format == "x-analytics-tweets-legacy"
    for row in expected:
        found = post(batch, row["Tweet id"])
        written = datetime.strptime(row["time"], "%Y-%m-%d %H:%M %z")
        assert found.published_at == written and found.published_at.utcoffset() == timedelta(0)
        assert found.likes == int(row["likes"])
        assert found.reposts == int(row["retweets"])
        assert found.views == int(row["impressions"])
    promoted = {r["Tweet id"] for r in expected if r["promoted impressions"] not in ("-", "0")}
    assert batch.sponsored_post_ids == promoted and len(promoted) == 1
    assert [p.post_id for p in batch.posts if p.is_repost] == [
        r["Tweet id"] for r in expected if r["Tweet text"].startswith("RT @")
    ]


def test_snowflake_layout() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    post_id = str((int(moment.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22 | 4095)
    assert snowflake_time(post_id) == moment
    assert snowflake_time("12345") is None and snowflake_time("abc") is None


# --- LinkedIn ---------------------------------------------------------------------------


def sheet_rows(name: str, sheet: str) -> list[dict[str, object]]:
    workbook = load_workbook(FIXTURES / name, read_only=True)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    workbook.close()
    header = [str(c) for c in rows[1]]  # row 1 is LinkedIn's notice line
    return [dict(zip(header, row, strict=False)) for row in rows[2:]]


def test_linkedin_workbook_all_posts_sheet() -> None:
    name = "linkedin_page_content.xlsx"
    expected = sheet_rows(name, "All posts")
    batch = read_export(FIXTURES / name, "linkedin", account_handle="ville-d-exemple")
    assert batch.format == "linkedin-page-updates"
    assert len(batch.posts) == len(expected) == 3
    for row in expected:
        link = str(row["Post link"])
        found = post(batch, link.rsplit("/", 1)[1])  # the URN is the post id
        assert found.url == link
        assert found.views == int(str(row["Impressions"]))
        assert found.likes == int(str(row["Likes"]))
        assert found.reposts == int(str(row["Reposts"]))
        assert found.account_id == "ville-d-exemple"
    sponsored = {
        str(r["Post link"]).rsplit("/", 1)[1] for r in expected if r["Post type"] == "Sponsored"
    }
    assert batch.sponsored_post_ids == sponsored and len(sponsored) == 1
    dates = [post(batch, str(r["Post link"]).rsplit("/", 1)[1]).published_at for r in expected]
    assert [d.date() for d in dates] == [date(2026, 9, 3), date(2026, 9, 10), date(2026, 9, 17)]
    assert [post(batch, str(r["Post link"]).rsplit("/", 1)[1]).format for r in expected] == [
        "link",  # no content type, but a link in the text
        "video",
        "image",
    ]
    assert batch.profiles[0].url == "https://www.linkedin.com/company/ville-d-exemple/"


def test_workbook_errors_name_the_sheet_and_row(tmp_path: Path) -> None:
    workbook = load_workbook(FIXTURES / "linkedin_page_content.xlsx")
    sheet = workbook["All posts"]
    header = [c.value for c in sheet[2]]
    sheet.cell(row=4, column=header.index("Likes") + 1, value="quarante")
    path = tmp_path / "bad.xlsx"
    workbook.save(path)
    with pytest.raises(SourceError) as error:
        read_export(path, "linkedin", account_handle="ville-d-exemple")
    assert error.value.line == 4
    assert str(error.value) == (
        f"{path}:4 : feuille « All posts », colonne « Likes » : nombre invalide « quarante »"
    )


def test_linkedin_needs_the_page_handle() -> None:
    with pytest.raises(SourceError, match="--handle"):
        read_export(FIXTURES / "linkedin_page_content.xlsx", "linkedin")


def test_linkedin_table_saved_as_csv_from_french_interface() -> None:
    path = FIXTURES / "linkedin_page_content_fr.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle, delimiter=";"))
    header, rows = lines[1], [dict(zip(lines[1], r, strict=True)) for r in lines[2:]]
    assert "Titre du post" in header
    batch = read_export(path, "linkedin", account_handle="ville-d-exemple")
    assert batch.format == "linkedin-page-updates"
    for row in rows:
        found = post(batch, row["Lien du post"].rsplit("/", 1)[1])
        assert found.views == number(row["Impressions"])
        day, month, year = row["Date de création"].split("/")
        assert found.published_at.date() == date(int(year), int(month), int(day))
    assert post(batch, rows[1]["Lien du post"].rsplit("/", 1)[1]).format == "video"


def test_linkedin_new_followers_sheet_gives_no_counts() -> None:
    name = "linkedin_page_followers.xlsx"
    expected = sheet_rows(name, "New followers")
    batch = read_export(FIXTURES / name, "linkedin", account_handle="ville-d-exemple")
    assert batch.format == "linkedin-page-followers"
    assert batch.followers == () and batch.posts == ()
    total = sum(int(str(r["Total followers"])) for r in expected)
    (warning,) = batch.warnings
    assert f"({total} sur {len(expected)} jours)" in warning and "New followers" in warning


# --- TikTok, Threads, generic -----------------------------------------------------------


def test_tiktok_studio_workbook() -> None:
    name = "tiktok_studio_content.xlsx"
    workbook = load_workbook(FIXTURES / name, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    header, data = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert "Video link" in header
    batch = read_export(FIXTURES / name, "tiktok")
    assert batch.format == "tiktok-studio-content"
    assert {p.account_id for p in batch.posts} == {"villedexemple"}
    for row in data:
        video_id = str(row["Video link"]).rsplit("/", 1)[1]
        found = post(batch, video_id)
        assert found.views == row["Video views"] and found.likes == row["Likes"]
        assert found.format == "video"
        local = datetime.strptime(str(row["Post time"]), "%Y/%m/%d %H:%M:%S").replace(tzinfo=PARIS)
        assert found.published_at == local


def test_threads_generic_posts_csv_french_headers() -> None:
    path = FIXTURES / "threads_generic_posts.csv"
    expected = rows_of(path.name, delimiter=";")
    assert "\u202f" in expected[0]["j_aime"]  # narrow no-break space as thousands separator
    batch = read_export(path, "threads", account_handle="villedexemple")
    assert batch.format == "generic-posts"
    for row in expected:
        found = post(batch, row["identifiant"])
        assert found.likes == number(row["j_aime"])
        assert found.views == number(row["vues"])
        assert found.url == row["lien"]
    assert batch.sponsored_post_ids == {
        r["identifiant"] for r in expected if r["sponsorise"] == "oui"
    }
    reply = post(batch, expected[1]["identifiant"])
    assert reply.reply_to == expected[1]["en_reponse_a"] and reply.is_reply
    assert [post(batch, r["identifiant"]).format for r in expected] == ["image", "text", "link"]
    assert post(batch, expected[0]["identifiant"]).published_at == datetime(
        2026, 9, 12, 14, 5, tzinfo=PARIS
    )


def test_generic_csv_for_any_platform_and_explicit_offsets(tmp_path: Path) -> None:
    path = tmp_path / "facebook_manual.csv"
    path.write_text(
        "post_id,published_at,url,text,likes,format\n"
        "a1,2026-09-12T14:05:00+00:00,https://www.facebook.com/villedexemple/posts/1,Bonjour,3,photo\n"
        "a2,2026-09-13 09:00,,Sans lien,,\n",
        encoding="utf-8",
    )
    batch = read_export(path, "facebook")
    assert batch.format == "generic-posts"
    assert post(batch, "a1").published_at == datetime(2026, 9, 12, 14, 5, tzinfo=UTC)
    assert post(batch, "a2").published_at == datetime(2026, 9, 13, 9, 0, tzinfo=PARIS)
    assert post(batch, "a2").likes is None
    assert batch.profiles[0].handle == "villedexemple"


# --- what spreadsheets and interfaces do to exports -------------------------------------


def test_ids_in_scientific_notation_are_refused_with_file_line_and_column() -> None:
    # A Meta export opened and re-saved by a French spreadsheet: ids as « 1,82772E+15 »
    path = FIXTURES / "meta_facebook_posts_excel_fr.csv"
    with pytest.raises(SourceError) as error:
        read_export(path, "facebook")
    assert error.value.line == 2
    assert str(error.value).startswith(
        f"{path}:2 : colonne « Post ID » : identifiant « 1,82772E+15 » en notation "
        "scientifique : un tableur l'a arrondi, ses derniers chiffres sont perdus"
    )


def test_ids_in_scientific_notation_are_reported_when_not_strict() -> None:
    path = FIXTURES / "meta_facebook_posts_excel_fr.csv"
    batch = read_export(path, "facebook", strict=False)
    located = [w for w in batch.warnings if "notation scientifique" in w]
    assert [w.split(" : ", 1)[0] for w in located] == [
        f"{path}:{line}"
        for line in (2, 2, 3, 3, 4, 4)  # Post ID and Page ID of each row
    ]
    # every post id collapsed into one: the first row is kept, the others are duplicates
    assert [p.post_id for p in batch.posts] == ["1,82772E+15"]
    assert sum("en double" in w for w in batch.warnings) == 2


def test_damaged_x_ids_are_recovered_from_the_permalinks_when_not_strict() -> None:
    path = FIXTURES / "x_analytics_content_excel.csv"
    expected = rows_of(path.name)
    with pytest.raises(SourceError, match=r":2 : colonne « Post id » : identifiant « 2\.09866E"):
        read_export(path, "x")
    batch = read_export(path, "x", strict=False)
    links = [row["Post Link"] for row in expected]
    assert sorted(p.post_id for p in batch.posts) == sorted(u.rsplit("/", 1)[1] for u in links)
    assert all(p.published_at == X_TIMES[i] for i, p in enumerate(reversed(batch.posts)))
    assert batch.warnings[0] == (
        f"{path}:2 : colonne « Post id » : identifiant « 2.09866E+18 » en notation "
        "scientifique : un tableur l'a arrondi, ses derniers chiffres sont perdus ; "
        "identifiant repris du lien de la publication : « 2098660378014650369 »"
    )


def test_ids_stored_as_numbers_in_a_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "tiktok.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Video ID", "Video title", "Video link", "Post time", "Video views"])
    video = "7412345678901234561"
    sheet.append([float(video), "Piscine", f"https://www.tiktok.com/@villedexemple/video/{video}",
                  "2026/07/01 11:30:00", 15400])  # fmt: skip
    sheet.append([7412345678.0, "Court", "https://www.tiktok.com/@villedexemple/video/7412345678",
                  "2026/07/02 11:30:00", 10])  # fmt: skip
    book.save(path)
    with pytest.raises(SourceError) as error:
        read_export(path, "tiktok")
    assert error.value.line == 2 and "enregistré comme nombre par un tableur" in str(error.value)
    batch = read_export(path, "tiktok", strict=False)
    assert sorted(p.post_id for p in batch.posts) == ["7412345678", video]
    (warning,) = batch.warnings
    assert (
        warning.startswith(f"{path}:2 : ")
        and f"repris du lien de la publication : « {video} »" in warning
    )


def test_counts_written_as_interfaces_show_them() -> None:
    path = FIXTURES / "instagram_generic_posts_interface_counts.csv"
    with pytest.raises(SourceError) as error:  # only the truly unreadable count is refused
        read_export(path, "instagram", account_handle="villedexemple")
    assert error.value.line == 5
    assert str(error.value) == f"{path}:5 : colonne « j_aime » : nombre invalide « beaucoup »"
    batch = read_export(path, "instagram", account_handle="villedexemple", strict=False)
    assert [(p.post_id, p.likes, p.reposts, p.replies, p.views) for p in batch.posts] == [
        ("DExIg03", 88, 12, 4, 2950),
        ("DExIg02", 3_000_000, 1200, 1234, 3_100_000),
        ("DExIg01", 1200, 35, 18, 12_400),
    ]
    assert batch.warnings == (
        "ligne 5 ignorée : colonne « j_aime » : nombre invalide « beaucoup »",
        "colonne « j_aime » : 2 valeurs abrégées (« 1,2 k », « 3 M »), lues comme des "
        "arrondis de l'interface",
        "colonne « vues » : 2 valeurs abrégées (« 12,4 k », « 3,1 M »), lues comme des "
        "arrondis de l'interface",
        "colonne « partages » : valeur abrégée « 1.2K », lue comme un arrondi de l'interface",
    )


def test_abbreviated_counts_in_an_english_meta_export(tmp_path: Path) -> None:
    path = tmp_path / "views.csv"
    rewrite(FIXTURES / "meta_facebook_posts_en.csv", path, '"12,560","9,003"', "12.6K,9K")
    batch = read_export(path, "facebook")  # a whole export no longer fails on « 12.6K »
    assert post(batch, "1827720132094665").views == 12_600
    assert post(batch, "1827720132094663").views == 1234  # English thousands still exact
    assert batch.warnings == (
        "colonne « Views » : valeur abrégée « 12.6K », lue comme un arrondi de l'interface",
    )


def test_declared_abbreviated_figure_is_kept_as_rounded(tmp_path: Path) -> None:
    path = tmp_path / "declared.csv"
    path.write_text(
        "type;code;plateforme;compte;indicateur;valeur;date\n"
        "commune;01053;instagram;villedexemple;followers;12,3 k;31/10/2026\n"
        "commune;01053;facebook;villedexemple;followers;12 345;31/10/2026\n",
        encoding="utf-8",
    )
    batch = read_declared(path, today=TODAY)
    rounded, exact = batch.declared
    assert (rounded.value, rounded.exact) == (12_300, False)
    assert (exact.value, exact.exact) == (12_345, True)
    assert [f.exact for f in batch.followers] == [False, True]
    assert batch.warnings == (
        "colonne « valeur » : valeur abrégée « 12,3 k », lue comme un arrondi de l'interface",
    )


# --- detection --------------------------------------------------------------------------

DETECTED = [
    ("meta_facebook_posts_en.csv", "facebook", "meta-business-suite-publications"),
    ("meta_facebook_posts_fr.csv", "facebook", "meta-business-suite-publications"),
    ("meta_instagram_posts_en.csv", "instagram", "meta-business-suite-publications"),
    ("meta_facebook_daily_followers.csv", "facebook", "meta-business-suite-daily"),
    ("x_analytics_content.csv", "twitter", "x-analytics-posts"),
    ("x_tweet_activity_metrics_legacy.csv", "x", "x-analytics-tweets-legacy"),
    ("linkedin_page_content.xlsx", "linkedin", "linkedin-page-updates"),
    ("linkedin_page_content_fr.csv", "linkedin", "linkedin-page-updates"),
    ("linkedin_page_followers.xlsx", "linkedin", "linkedin-page-followers"),
    ("tiktok_studio_content.xlsx", "tiktok", "tiktok-studio-content"),
    ("threads_generic_posts.csv", "threads", "generic-posts"),
]


@pytest.mark.parametrize(("name", "platform", "expected"), DETECTED)
def test_detect_format(name: str, platform: str, expected: str) -> None:
    assert detect_format(FIXTURES / name, platform) == expected


def test_unknown_format_lists_the_accepted_ones(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Colonne A,Colonne B\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        read_export(path, "linkedin", account_handle="x")
    message = str(error.value)
    assert message.startswith(f"{path}:1 : format non reconnu pour linkedin")
    for spec in accepted_formats("linkedin"):
        assert spec.id in message
    assert "Post link" in message and "generic-posts" in message
    assert "en-tête lu : Colonne A, Colonne B" in message


def test_files_of_another_kind_are_not_taken_for_generic_posts() -> None:
    # a Meta daily series has a "Date" column, but no post id or link
    with pytest.raises(SourceError, match="format non reconnu pour x"):
        read_export(FIXTURES / "meta_facebook_daily_followers.csv", "x")
    with pytest.raises(SourceError, match="CSV de chiffres déclarés"):
        read_export(FIXTURES / "declared_figures.csv", "facebook")


def test_wrong_platform_or_forced_format(tmp_path: Path) -> None:
    path = FIXTURES / "meta_facebook_posts_en.csv"
    with pytest.raises(SourceError, match="plateforme inconnue « myspace »"):
        read_export(path, "myspace")
    with pytest.raises(SourceError, match="ne correspond pas au format « x-analytics-posts »"):
        read_export(path, "x", format="x-analytics-posts")
    with pytest.raises(SourceError, match="n'est pas un format de facebook"):
        read_export(path, "facebook", format="x-analytics-posts")
    with pytest.raises(SourceError, match="format inconnu « meta »"):
        read_export(path, "facebook", format="meta")


def test_forced_generic_format_on_a_meta_export() -> None:
    batch = read_export(
        FIXTURES / "threads_generic_posts.csv",
        "threads",
        account_handle="villedexemple",
        format="generic-posts",
    )
    assert len(batch.posts) == 3


# --- robustness -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]
)
def test_same_posts_whatever_the_encoding(tmp_path: Path, encoding: str) -> None:
    source = FIXTURES / "meta_facebook_posts_fr.csv"
    reference = read_export(source, "facebook")
    text = source.read_bytes().decode("cp1252")
    path = tmp_path / f"export-{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    batch = read_export(path, "facebook")
    assert batch.posts == reference.posts
    assert batch.sha256 != reference.sha256 or encoding == "cp1252"


def test_semicolon_and_tab_separators(tmp_path: Path) -> None:
    source = FIXTURES / "meta_facebook_posts_en.csv"
    reference = read_export(source, "facebook")
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    for delimiter in (";", "\t"):
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter).writerows(rows)
        path = tmp_path / f"export{ord(delimiter)}.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        assert read_export(path, "facebook").posts == reference.posts


def test_formula_cells_stay_text() -> None:
    batch = read_export(FIXTURES / "meta_facebook_posts_en.csv", "facebook")
    expected = rows_of("meta_facebook_posts_en.csv")[5]["Title"]
    assert expected.startswith("=HYPERLINK(")
    assert post(batch, "1827720132094668").text == expected


def rewrite(path: Path, target: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_truncated_row_is_located(tmp_path: Path) -> None:
    path = tmp_path / "truncated.csv"
    text = (FIXTURES / "meta_facebook_posts_en.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("1827720132094665"))
    lines[index] = ",".join(lines[index].split(",")[:10])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        read_export(path, "facebook")
    assert error.value.line == physical_line(path, "1827720132094665")
    assert "10 champs au lieu de 25" in str(error.value)
    assert str(error.value).startswith(f"{path}:{error.value.line} : ")


def test_unclosed_quote_is_located(tmp_path: Path) -> None:
    path = tmp_path / "unclosed.csv"
    text = (FIXTURES / "x_analytics_content.csv").read_text(encoding="utf-8")
    path.write_text(
        text + '"2099999999999999999","Wed, Sep 16, 2026","Texte coupé\n', encoding="utf-8"
    )
    with pytest.raises(SourceError) as error:
        read_export(path, "x")
    assert error.value.line == len(text.splitlines()) + 1
    assert "guillemet" in str(error.value)


def test_bad_number_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    # the third post comes after a caption spanning four lines: its line is physical
    rewrite(FIXTURES / "meta_facebook_posts_en.csv", path, ",104,89,", ",104,beaucoup,")
    line = physical_line(path, "beaucoup")
    assert line == 7
    with pytest.raises(SourceError) as error:
        read_export(path, "facebook")
    assert error.value.line == line
    assert str(error.value) == (
        f"{path}:{line} : colonne « Reactions » : nombre invalide « beaucoup »"
    )


def test_non_strict_keeps_the_good_rows(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rewrite(FIXTURES / "meta_facebook_posts_en.csv", path, ",104,89,", ",104,beaucoup,")
    batch = read_export(path, "facebook", strict=False)
    assert len(batch.posts) == 5
    assert "1827720132094665" not in {p.post_id for p in batch.posts}
    assert batch.warnings == (
        "ligne 7 ignorée : colonne « Reactions » : nombre invalide « beaucoup »",
    )


def test_non_strict_with_no_good_row_fails(tmp_path: Path) -> None:
    path = tmp_path / "all_bad.csv"
    path.write_text("post_id,published_at\na,hier\nb,demain\n", encoding="utf-8")
    with pytest.raises(SourceError, match="aucune ligne valide"):
        read_export(path, "threads", account_handle="villedexemple", strict=False)


def test_duplicated_post_ids(tmp_path: Path) -> None:
    source = FIXTURES / "x_analytics_content.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([*lines, lines[2]]) + "\n", encoding="utf-8")
    post_id = lines[2].split(",")[0].strip('"')
    with pytest.raises(SourceError) as error:
        read_export(path, "x")
    assert error.value.line == len(lines) + 1
    assert f"publication « {post_id} » en double (déjà ligne 3)" in str(error.value)
    lenient = read_export(path, "x", strict=False)
    assert len(lenient.posts) == len(lines) - 1
    assert any(
        "en double" in w and f"ligne {len(lines) + 1} ignorée" in w for w in lenient.warnings
    )


def test_unknown_columns_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(
        "post_id,published_at,likes,Colonne mystère\na,2026-09-01 10:00,1,x\n", encoding="utf-8"
    )
    batch = read_export(path, "threads", account_handle="villedexemple")
    assert batch.warnings == ("colonnes non utilisées : Colonne mystère",)


def test_empty_files_and_binary_workbooks(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match="fichier vide"):
        read_export(empty, "threads")
    header_only = tmp_path / "header.csv"
    header_only.write_text("post_id,published_at\n", encoding="utf-8")
    with pytest.raises(SourceError, match="aucune ligne de données"):
        read_export(header_only, "threads", account_handle="villedexemple")
    xls = tmp_path / "export.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(SourceError, match=r"\.xlsx ou \.csv"):
        read_export(xls, "linkedin")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SourceError, match="classeur Excel illisible"):
        read_export(broken, "linkedin")
    with pytest.raises(SourceError, match="introuvable"):
        read_export(tmp_path / "absent.csv", "x")


def test_mixed_date_orders_in_one_column_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text("post_id,date\na,13/01/2026\nb,01/13/2026\n", encoding="utf-8")
    with pytest.raises(SourceError, match="tantôt jour/mois"):
        read_export(path, "threads", account_handle="villedexemple")


def test_several_accounts_in_one_export(tmp_path: Path) -> None:
    path = tmp_path / "two_pages.csv"
    path.write_text(
        "Post ID,Page ID,Page name,Title,Publish time,Permalink,Reactions\n"
        "1,111,Ville,Bonjour,09/01/2026 10:00,https://www.facebook.com/ville/posts/1,1\n"
        "2,222,Office de tourisme,Salut,09/02/2026 10:00,https://www.facebook.com/ot/posts/2,2\n",
        encoding="utf-8",
    )
    batch = read_export(path, "facebook")
    assert sorted(p.account_id for p in batch.profiles) == ["111", "222"]
    with pytest.raises(SourceError, match="2 comptes"):
        read_export(path, "facebook", account_handle="ville")


def test_thousands_of_rows(tmp_path: Path) -> None:
    start = datetime(2026, 1, 1, 8, 0, tzinfo=PARIS)
    lines = ["identifiant;date;j_aime;vues"]
    for i in range(6000):
        at = start + timedelta(minutes=37 * i)
        lines.append(f"p{i};{at:%d/%m/%Y %H:%M};{i % 97};{1000 + i:,}".replace(",", "\u202f"))
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch = read_export(path, "threads", account_handle="villedexemple")
    assert len(batch.posts) == 6000
    assert post(batch, "p5999").views == 6999 and post(batch, "p5999").likes == 5999 % 97


def test_time_zone_option(tmp_path: Path) -> None:
    path = FIXTURES / "tiktok_studio_content.xlsx"
    batch = read_export(path, "tiktok", tz="America/Martinique")
    first = post(batch, "7412345678901234561")
    assert first.published_at.utcoffset() == timedelta(hours=-4)
    with pytest.raises(SourceError, match="fuseau horaire inconnu"):
        read_export(path, "tiktok", tz="Mars/Olympus")


# --- declared figures -------------------------------------------------------------------


def test_declared_figures_csv() -> None:
    path = FIXTURES / "declared_figures.csv"
    expected = rows_of(path.name)
    batch = read_declared(path, today=TODAY)
    assert batch.source is SocialSource.DECLARED and batch.format == "declared"
    assert batch.platform == "mixed"
    assert len(batch.declared) == len(expected) == 6
    first = batch.declared[0]
    assert (first.kind, first.code, first.platform, first.handle) == (
        expected[0]["type"], expected[0]["code"], expected[0]["plateforme"], expected[0]["compte"],
    )  # fmt: skip
    assert first.value == number(expected[0]["valeur"]) and first.note == expected[0]["note"]
    assert first.as_of == date.fromisoformat(expected[0]["date"])
    second = batch.declared[1]  # "abonnés", "@villedexemple", "31/10/2026"
    assert (second.metric, second.handle, second.as_of) == (
        "followers",
        "villedexemple",
        date(2026, 10, 31),
    )
    third = batch.declared[2]  # no handle: read in the URL
    assert third.handle == "depexemple" and third.url == expected[2]["url"]
    last = batch.declared[5]  # "Intercommunalité", "Twitter"
    assert (last.kind, last.platform, last.handle) == ("epci", "x", "aggloexemple")
    followers = [r for r in expected if r["indicateur"] in ("followers", "abonnés")]
    assert [(f.platform, f.followers) for f in batch.followers] == [
        (r["plateforme"], number(r["valeur"])) for r in followers
    ]
    assert all(f.source is SocialSource.DECLARED for f in batch.followers)


HEADER = "type,code,plateforme,compte,url,indicateur,valeur,date,note\n"


@pytest.mark.parametrize("code", ["20R", "6AE", "69M", "974", "987", "988", "200012490"])
def test_declared_figures_accept_the_codes_of_the_departements_group(
    code: str, tmp_path: Path
) -> None:
    """Corse, Alsace, Lyon, the overseas collectivités and the provinces (SIREN) are
    in the départements' group of the registry: their declared figures are read."""
    path = tmp_path / "declare.csv"
    path.write_text(
        HEADER + f"departement,{code},facebook,v,,followers,12,2026-10-01,\n", encoding="utf-8"
    )
    batch = read_declared(path, today=TODAY)
    assert [(d.kind, d.code) for d in batch.declared] == [("departement", code)]


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (
            "mairie,01053,facebook,v,,followers,1,2026-10-01,",
            "type",
            "type de collectivité inconnu « mairie »",
        ),
        ("commune,1053,facebook,v,,followers,1,2026-10-01,", "code", "zéro initial"),
        ("departement,9A,facebook,v,,followers,1,2026-10-01,", "code", "code département invalide"),
        (
            "commune,01053,facebook,v,,followers,1,31/02/2026,",
            "date",
            "date invalide « 31/02/2026 »",
        ),
        ("commune,01053,facebook,v,,followers,1,bientôt,", "date", "date non reconnue"),
        ("commune,01053,facebook,v,,followers,1,2027-01-01,", "date", "date dans le futur"),
        ("commune,01053,facebook,v,,followers,-5,2026-10-01,", "valeur", "valeur négative « -5 »"),
        (
            'commune,01053,facebook,v,,followers,"12,5",2026-10-01,',
            "valeur",
            "nombre entier attendu",
        ),
        ("commune,01053,facebook,v,,followers,12 %,2026-10-01,", "valeur", "pourcentage"),
        (
            "commune,01053,facebook,v,,likes_totaux,1,2026-10-01,",
            "indicateur",
            "indicateur inconnu « likes_totaux »",
        ),
        ("commune,01053,facebook,,,followers,1,2026-10-01,", "compte", "compte absent"),
        ("commune,01053,facebook,v,www.facebook.com/v,followers,1,2026-10-01,", "url", "https://"),
        (
            "commune,01053,face book!,v,,followers,1,2026-10-01,",
            "plateforme",
            "plateforme invalide",
        ),
    ],
)
def test_declared_errors(tmp_path: Path, row: str, column: str, fragment: str) -> None:
    path = tmp_path / "declared.csv"
    path.write_text(
        HEADER + "commune,01053,facebook,v,,followers,10,2026-10-01,\n" + row + "\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as error:
        read_declared(path, today=TODAY)
    assert error.value.line == 3
    assert f"colonne « {column} »" in str(error.value) and fragment in str(error.value)
    lenient = read_declared(path, strict=False, today=TODAY)
    assert len(lenient.declared) == 1
    assert lenient.warnings[0].startswith("ligne 3 ignorée : ")


def test_every_declared_metric_is_accepted_and_documented(tmp_path: Path) -> None:
    from barometre.social.imports import declared
    from barometre.social.imports.spec import catalog

    metrics = list(catalog().formats["declared"].tables["metrics"])
    assert len(metrics) >= 5
    path = tmp_path / "all.csv"
    path.write_text(
        HEADER + "".join(f"commune,01053,facebook,v,,{m},3,2026-10-01,\n" for m in metrics),
        encoding="utf-8",
    )
    assert [f.metric for f in read_declared(path, today=TODAY).declared] == metrics
    for metric in metrics:
        assert f"``{metric}``" in (declared.__doc__ or "")


def test_declared_duplicates_and_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    row = "commune,01053,facebook,v,,followers,10,2026-10-01,\n"
    path.write_text(HEADER + row + row, encoding="utf-8")
    with pytest.raises(SourceError, match=r"chiffre en double.*déjà ligne 2"):
        read_declared(path, today=TODAY)
    assert len(read_declared(path, strict=False, today=TODAY).declared) == 1
    incomplete = tmp_path / "incomplete.csv"
    incomplete.write_text(
        "type,code,plateforme,valeur\ncommune,01053,facebook,10\n", encoding="utf-8"
    )
    with pytest.raises(SourceError, match=r"ne correspond pas au format « declared ».*indicateur"):
        read_declared(incomplete, today=TODAY)


def test_declared_semicolon_windows_1252(tmp_path: Path) -> None:
    text = (FIXTURES / "declared_figures.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    path = tmp_path / "declared.csv"
    path.write_bytes(out.getvalue().encode("cp1252"))
    batch = read_declared(path, today=TODAY)
    assert batch.declared == read_declared(FIXTURES / "declared_figures.csv", today=TODAY).declared


# --- values -----------------------------------------------------------------------------

GROUP_SEPARATORS = st.sampled_from([" ", "\u00a0", "\u202f"])


def french(value: int, cents: int | None, sep: str) -> str:
    digits = f"{value:,}".replace(",", sep)
    return digits if cents is None else f"{digits},{cents:02d}"


@given(
    st.integers(min_value=0, max_value=10**12),
    st.none() | st.integers(0, 99),
    GROUP_SEPARATORS,
    st.booleans(),
)
def test_french_numbers_round_trip(value: int, cents: int | None, sep: str, percent: bool) -> None:
    text = french(value, cents, sep) + (f"{sep}%" if percent else "")
    expected = value + (cents or 0) / 100
    for hint in (True, None):
        parsed = parse_number(text, decimal_comma=hint)
        assert parsed.value == pytest.approx(expected, abs=1e-9, rel=1e-15)
        assert parsed.percent is percent


@given(st.integers(min_value=0, max_value=10**12))
def test_english_thousands_round_trip(value: int) -> None:
    assert read_count(f"{value:,}", decimal_comma=False) == value
    assert read_count(str(value), decimal_comma=True) == value


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("1,5", True, 1.5),
        ("1,5", None, 1.5),
        ("1.234", True, 1234.0),
        ("1.234", None, 1.234),
        ("1,234.5", None, 1234.5),
        ("1.234,5", None, 1234.5),
        ("−12,5", True, -12.5),
        ("12,3 %", True, 12.3),
    ],
)
def test_number_notations(text: str, hint: bool | None, expected: float) -> None:
    assert parse_number(text, decimal_comma=hint).value == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "hint", "expected", "abbreviated"),
    [
        ("1.2K", False, 1200, True),
        ("1.2K", True, 1200, True),  # the abbreviation decides: « 1.2 » is a decimal here
        ("1,2 k", True, 1200, True),
        ("1,2 k", False, 1200, True),
        ("12K", None, 12000, True),
        ("3 M", None, 3_000_000, True),
        ("2.5m", False, 2_500_000, True),
        ("1,5 Md", True, 1_500_000_000, True),
        ("1.25 million", False, 1_250_000, True),
        ("1.2345K", False, 1235, True),  # rounded to the unit, half up
        ("1 234", True, 1234, False),
        ("1\u202f234", True, 1234, False),
    ],
)
def test_abbreviated_counts(text: str, hint: bool | None, expected: int, abbreviated: bool) -> None:
    assert read_count(text, decimal_comma=hint) == expected
    assert parse_number(text, decimal_comma=hint).abbreviated is abbreviated


@pytest.mark.parametrize(
    ("value", "lower", "upper"),
    [
        ("1K-5K", 1000, 5000),
        ("1 000 – 4 999", 1000, 4999),
        ("1 k à 5 k", 1000, 5000),
        (">1M", 1_000_000, None),
        ("<100", 0, 100),
        ("1,2 k", 1200, 1200),
        (5210, 5210, 5210),
        ({"lower_bound": "1000", "upper_bound": "4999"}, 1000, 4999),
        ({"lower_bound": 1000000}, 1_000_000, None),
    ],
)
def test_count_ranges(value: object, lower: int, upper: int | None) -> None:
    found = read_count_range(value, decimal_comma=True)
    assert found is not None and (found.lower, found.upper) == (lower, upper)
    assert found.midpoint == (lower if upper is None else (lower + upper) // 2)


@pytest.mark.parametrize("value", ["5K-1K", "1K-5K-10K", "beaucoup", "-5", {"lower_bound": "x"}])
def test_unreadable_count_ranges(value: object) -> None:
    with pytest.raises(CellError):
        read_count_range(value)


@pytest.mark.parametrize(
    "text",
    ["12 34", "1,2,3", "1.2.3", "abc", "1,", "1,234.5.6", "--3", "12 kg", "1.22158E+17", "5 %k"],
)
def test_malformed_numbers(text: str) -> None:
    with pytest.raises(CellError):
        parse_number(text, decimal_comma=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sat, Sep 12, 2026", datetime(2026, 9, 12, tzinfo=PARIS)),
        ("September 12, 2026 3:04 PM", datetime(2026, 9, 12, 15, 4, tzinfo=PARIS)),
        ("sam. 12 sept. 2026 à 14h30", datetime(2026, 9, 12, 14, 30, tzinfo=PARIS)),
        ("mar. 1er déc. 2026", datetime(2026, 12, 1, tzinfo=PARIS)),
        ("2026-09-12T14:05:00Z", datetime(2026, 9, 12, 14, 5, tzinfo=UTC)),
        ("2026/07/01 11:30:00", datetime(2026, 7, 1, 11, 30, tzinfo=PARIS)),
        ("09/28/2026 06:12 pm", datetime(2026, 9, 28, 18, 12, tzinfo=PARIS)),
        # RFC 822 as French CMS write it: weekday (any language), French months, zones
        ("Ven, 03 Jan 2025 10:00:00 +0100", datetime(2025, 1, 3, 9, tzinfo=UTC)),
        ("lun., 06 janv. 2025 09:30:00 +0100", datetime(2025, 1, 6, 8, 30, tzinfo=UTC)),
        ("mar., 04 mars 2025 08:00:00 +0100", datetime(2025, 3, 4, 7, tzinfo=UTC)),
        ("Fr, 03 Jan 2025 10:00:00 GMT", datetime(2025, 1, 3, 10, tzinfo=UTC)),
        ("mer., 08 janv. 2025 18:00:00 CEST", datetime(2025, 1, 8, 16, tzinfo=UTC)),
        ("Thu, 09 Jan 2025 08:00:00 +01:00", datetime(2025, 1, 9, 7, tzinfo=UTC)),
        ("jeudi 9 janvier 2025 à 8h", datetime(2025, 1, 9, 8, tzinfo=PARIS)),
    ],
)
def test_dates(text: str, expected: datetime) -> None:
    found = read_when(text, tz=PARIS, day_first=False)
    assert found is not None and found.at == expected


@pytest.mark.parametrize(
    "text", ["Vendredi dernier", "Ven, 03 Jnv 2025 10:00:00 +0100", "03 Jan 2025 10:00 +9900"]
)
def test_unreadable_dates(text: str) -> None:
    with pytest.raises(CellError):
        read_when(text, tz=PARIS, day_first=True)


def test_day_first_is_decided_by_the_column() -> None:
    assert day_first_of(["03/04/2026", "28/04/2026"], default=False) is True
    assert day_first_of(["03/04/2026", "04/28/2026"], default=True) is False
    assert day_first_of(["03/04/2026"], default=True) is True
    with pytest.raises(CellError):
        day_first_of(["28/04/2026", "04/28/2026"], default=False)
