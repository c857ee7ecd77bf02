"""The Codeforces rating update against real official changes, and the performance ratings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from contests.importers.carrot import official_deltas, read_carrot_perfs, read_carrot_rows
from contests.importers.cfapi import parse_rating_changes, read_api_file
from contests.model import StandingRow
from contests.rating import (
    ContestResult,
    carrot_performance,
    codeelo_performance,
    codeforces_performance,
    rating_change_for,
    rating_changes,
    rating_changes_by_rank,
    rating_percentile,
    sequential_rating,
    win_probability,
    worst_ranks_from_shown,
)
from contests.rating_reference import rating_changes_plain

CARROT = {  # contest -> (file stem, participants)
    1305: ("carrot-round-1305-ozon-2020-div1+2", 7420),
    1326: ("carrot-round-1326-global-7", 10630),
    1342: ("carrot-round-1342-edu-86", 14939),
}


def carrot_rows(shared_data, contest):
    return read_carrot_rows(shared_data / "standings" / f"{CARROT[contest][0]}-data.json")


def columns(rows):
    return [r.points for r in rows], [r.penalty for r in rows], [r.old_rating for r in rows]


@pytest.mark.parametrize("contest", sorted(CARROT))
def test_every_official_change_is_reproduced(shared_data, contest):
    rows = carrot_rows(shared_data, contest)
    assert len(rows) == CARROT[contest][1]
    deltas = rating_changes(*columns(rows))
    matches = int((deltas == np.array(official_deltas(rows))).sum())
    assert matches == CARROT[contest][1]  # 100.00%: 7420 + 10630 + 14939 = 32,989 participants


@pytest.mark.parametrize("contest", sorted(CARROT))
def test_carrot_performance_within_carrots_own_tolerance(shared_data, contest):
    """carrot's tests: its fast performance minus the exact one (recomputing everyone) lies in
    0..4, and the winner's is Infinity in both."""
    rows = carrot_rows(shared_data, contest)
    perfs = carrot_performance(*columns(rows))
    exact = read_carrot_perfs(shared_data / "standings" / f"{CARROT[contest][0]}-perfs.json")
    assert set(exact) == {r.handle for r in rows}
    diffs = []
    for row, perf in zip(rows, perfs):
        if math.isinf(exact[row.handle]):
            assert math.isinf(perf)
            diffs.append(0)
        else:
            diffs.append(perf - exact[row.handle])
    assert 0 <= min(diffs) and max(diffs) <= 4
    assert np.mean(np.array(diffs) == 0) > 0.95


def test_change_at_carrot_performance_is_zero_or_minus_one(shared_data):
    """carrot's other check: rerating the whole contest with a participant's rating set to their
    fast performance gives them a change of 0, rarely -1."""
    rows = carrot_rows(shared_data, 1305)
    points, penalties, old = columns(rows)
    perfs = carrot_performance(points, penalties, old)
    for i in range(1, len(rows), 250):
        assumed = list(old)
        assumed[i] = int(perfs[i])
        assert rating_changes(points, penalties, assumed)[i] in (-1, 0), rows[i].handle


def test_fast_update_equals_the_plain_one():
    rng = np.random.default_rng(7)
    for n in (2, 3, 17, 300):
        points = rng.integers(0, 6, n) * 500.0  # many ties
        penalties = np.zeros(n, dtype=int)
        ratings = rng.normal(1500, 500, n).round().astype(int)
        ratings[: n // 5] = rng.integers(-100, 4000, n // 5)  # the extremes, including negatives
        assert rating_changes(points, penalties, ratings).tolist() == rating_changes_plain(points, penalties, ratings)


def api_changes(shared_data, contest):
    f = read_api_file(shared_data / "standings" / f"cfapi-ratingChanges-{contest}.json")
    assert f.method == "contest.ratingChanges"
    return parse_rating_changes(f.result, f.path)


@pytest.mark.parametrize("contest, participants, matching", [(908, 6691, 6691), (917, 423, 423), (911, 3982, 3757)])
def test_new_ratings_from_rank_and_old_rating(shared_data, contest, participants, matching):
    """From the API's shown place and old rating alone (ties widened to their worst place,
    newcomers at 1500 as the API shows them before May 2020)."""
    changes = api_changes(shared_data, contest)
    old = np.array([c.old_rating for c in changes])
    new = old + rating_changes_by_rank([c.rank for c in changes], old)
    assert len(changes) == participants
    assert int((new == np.array([c.new_rating for c in changes])).sum()) == matching


def test_what_is_missing_in_911_is_five_participants_places(shared_data):
    """In 911 five participants were rated at a worse place than the API shows (each one's own
    change needs it). Placing them there - five numbers - also fixes the 220 others who were one
    point off, because those five no longer stand above them: 3981 of 3982 then match."""
    changes = api_changes(shared_data, 911)
    replaced = {"noobCoder96": 1193, "S0lus": 2304, "vaibhav_kr": 3311, "nikizakr": 3505, "Michael_": 3505}
    places = [replaced.get(c.handle, c.rank) for c in changes]
    old = np.array([c.old_rating for c in changes])
    deltas = rating_changes([-p for p in places], [0] * len(places), old)
    assert int((old + deltas == np.array([c.new_rating for c in changes])).sum()) == 3981


def test_worst_ranks_from_shown_places():
    assert worst_ranks_from_shown([1, 2, 2, 4, 5, 5, 5]).tolist() == [1, 3, 3, 4, 7, 7, 7]


def test_newcomers_take_the_rating_passed_in():
    points, penalties = [3, 2, 1], [0, 0, 0]
    with pytest.raises(ValueError, match="new_participant_rating"):
        rating_changes(points, penalties, [1600, None, 1500])
    as_1500 = rating_changes(points, penalties, [1600, None, 1500], new_participant_rating=1500)
    assert as_1500.tolist() == rating_changes(points, penalties, [1600, 1500, 1500]).tolist()
    assert rating_changes(points, penalties, [1600, None, 1500], new_participant_rating=1400).tolist() \
        == rating_changes(points, penalties, [1600, 1400, 1500]).tolist()


def test_rating_change_for_a_participant_inserted_into_real_standings(shared_data):
    rows = carrot_rows(shared_data, 1342)
    # Re-inserting a real participant's result and rating into the others gives their official change.
    for i in (0, 3, 700, 9000, len(rows) - 1):
        others = rows[:i] + rows[i + 1:]
        me = rows[i]
        assert rating_change_for(me.points, me.penalty, me.old_rating, others, "cf-icpc") \
            == me.new_rating - me.old_rating
    # Better results earn more; unrated rows are left out.
    low = rating_change_for(1, 200, 1400, rows, "cf-icpc")
    high = rating_change_for(5, 200, 1400, rows, "cf-icpc")
    assert high > low
    assert rating_change_for(1, 200, 1400, rows + [StandingRow("x", 9, 0, old_rating=3000, rated=False)],
                             "cf-icpc") == low


def test_sequential_rating_follows_the_changes(shared_data):
    rows = carrot_rows(shared_data, 1342)
    good = ContestResult(5, 300, rows, "cf-icpc")
    poor = ContestResult(1, 50, rows, "cf-icpc")
    history = sequential_rating([good, good, poor], start_rating=1500)
    first = 1500 + rating_change_for(5, 300, 1500, rows, "cf-icpc")
    assert history[0] == first
    assert history[1] == first + rating_change_for(5, 300, first, rows, "cf-icpc")
    assert history[2] < history[1]


def test_codeelo_performance_solves_its_equation():
    ratings = np.array([1200, 1500, 1500, 1800, 2100, 2400])
    for rank in (1.5, 2, 3.7, 6):
        r = codeelo_performance(rank, ratings)
        assert 1 + win_probability(ratings, r).sum() == pytest.approx(rank, abs=1e-6)
    assert codeelo_performance(2, ratings) > codeelo_performance(5, ratings)
    # Alone against equals, the middle place means the same rating.
    assert codeelo_performance(3, [1700] * 4) == pytest.approx(1700, abs=1e-3)
    assert codeelo_performance(1, ratings) == 6000 and codeelo_performance(7, ratings) == -500  # off the scale: the bounds


def test_rating_percentile_is_the_share_strictly_above():
    assert rating_percentile(1500, [1000, 1500, 1600, 2000]) == 50.0
    assert rating_percentile(3000, [1000, 1500]) == 0.0
    with pytest.raises(ValueError):
        rating_percentile(1500, [])


def test_carrots_small_example_with_a_newcomer():
    """carrot's test-predict.ts 'predict_ok' (written when newcomers counted as 1500)."""
    rows = [("bigbrain", 4000, 10, 3000, -237), ("smartguy", 2500, 50, 2400, -175),
            ("ordinaryguy", 1500, 80, 1800, -35), ("brick", -100, 300, 500, -50), ("alt", 5000, 0, None, 514),
            ("luckyguy", 2500, 40, 1800, 121), ("unluckyguy", 800, 40, 2000, -145)]
    deltas = rating_changes([r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
                            new_participant_rating=1500)
    assert deltas.tolist() == [r[4] for r in rows]


def test_newcomer_rating_by_contest_date():
    from datetime import datetime, timezone

    from contests.rating import newcomer_rating

    assert newcomer_rating(datetime(2020, 4, 26, tzinfo=timezone.utc)) == 1500  # 1342, Educational Round 86
    assert newcomer_rating(datetime(2021, 12, 1)) == 1400  # AlphaCode's contests; naive = UTC
    with pytest.raises(ValueError, match="no contest date"):  # it used to guess 1400
        newcomer_rating(None)


# ---------------------------------------------------------------- Codeforces' performance and placement

def carrot_contest(shared_data, contest):
    from contests.model import Contest

    return Contest(str(contest), CARROT[contest][0], rules="cf-icpc", standings=carrot_rows(shared_data, contest))


@pytest.mark.parametrize("contest", sorted(CARROT))
def test_codeforces_performance_equals_carrots_perfs_for_every_participant(shared_data, contest):
    """carrot's perfs files hold its exact performances (the contest rated again for each assumed
    rating). All 32,989 participants of the three rounds agree exactly (the done-means allows 1);
    carrot's own fast method is off by 2..4 for 91 of them."""
    rows = carrot_rows(shared_data, contest)
    exact = read_carrot_perfs(shared_data / "standings" / f"{CARROT[contest][0]}-perfs.json")
    perfs = codeforces_performance(*columns(rows))
    expected = np.array([exact[r.handle] for r in rows])
    finite = np.isfinite(expected)
    assert (np.isinf(perfs) == ~finite).all() and (~finite).sum() == 1  # the winner: unbounded
    assert int((np.abs(perfs[finite] - expected[finite]) <= 1).sum()) == CARROT[contest][1] - 1


def test_placing_a_real_participant_again_gives_their_performance_and_change(shared_data):
    """`csim rating place --as HANDLE`: the participant's row taken out and their own points,
    penalty and old rating placed among the others is the real contest again."""
    from contests.rating import place_in_contest

    contest = carrot_contest(shared_data, 1305)
    rows = contest.standings
    perfs = codeforces_performance(*columns(rows))
    by_rating = np.argsort([-r.old_rating for r in rows])
    for i in [int(by_rating[k]) for k in (3, 20, 150)] + [5, 2000, len(rows) - 1]:
        me = rows[i]
        contest.standings = rows[:i] + rows[i + 1:]
        spot = place_in_contest(contest, me.points, me.penalty, me.old_rating)
        assert spot.performance == perfs[i], me.handle
        assert spot.rating_change == me.new_rating - me.old_rating
        assert spot.newcomer_rating is None  # nobody needed one: no refusal although the file is undated


def small_contest(**kw):
    from datetime import datetime, timezone

    from contests.model import Contest

    rows = [StandingRow(f"p{k}", points, 0, old_rating=rating)
            for k, (points, rating) in enumerate([(5, 2100), (4, 1900), (3, 1700), (3, 1650), (3, 1600), (2, 1500),
                                                  (1, 1400), (1, 1300), (0, 1200), (0, 1100)])]
    return Contest("77", "small", rules="cf-icpc", standings=rows,
                   start_time=kw.pop("start_time", datetime(2021, 1, 1, tzinfo=timezone.utc)), **kw)


def test_a_tie_takes_its_worst_place_for_performance_and_change_and_both_percentiles_are_given():
    from contests.rating import place_in_contest

    contest = small_contest()
    tied = place_in_contest(contest, 3, 0)  # ties with three rows
    alone = place_in_contest(contest, 3.5, 0)  # alone at the tie's best place
    assert (tied.rank, tied.worst_rank, alone.rank, alone.worst_rank) == (3, 6, 3, 3)
    assert (tied.percentile, tied.worst_percentile) == (20.0, 50.0)  # AlphaCode's, and the worst place's
    assert tied.performance < alone.performance and tied.codeelo_performance < alone.codeelo_performance
    # The performance is the rating where the same update that gives the rating change crosses zero.
    perf = int(tied.performance)
    assert place_in_contest(contest, 3, 0, rating=perf).rating_change <= 0
    assert place_in_contest(contest, 3, 0, rating=perf - 1).rating_change > 0
    assert tied.newcomer_rating == 1400 and tied.rating == 1400


def test_unrated_rows_are_left_out_of_rank_percentile_and_performance_alike():
    from contests.rating import place_in_contest

    contest = small_contest()
    plain = place_in_contest(contest, 2, 0)
    contest.standings.append(StandingRow("outside", 9, 0, old_rating=3000, rated=False))
    with_unrated = place_in_contest(contest, 2, 0)
    assert with_unrated.unrated == 1 and plain.unrated == 0
    assert (with_unrated.rank, with_unrated.percentile, with_unrated.participants) == (plain.rank, plain.percentile, 10)
    assert (with_unrated.performance, with_unrated.rating_change) == (plain.performance, plain.rating_change)


def test_nothing_solved_and_first_place_say_so_instead_of_a_number():
    from contests.rating import place_in_contest

    contest = small_contest()
    nothing = place_in_contest(contest, 0, 0, solved=0)
    assert nothing.performance is None and nothing.codeelo_performance is None
    assert nothing.performance_note == "nothing solved" and nothing.rating_change is not None
    first = place_in_contest(contest, 6, 0)
    assert first.performance is None and first.performance_note.startswith("unbounded")
    assert first.codeelo_performance is None  # not the search's upper end (6000) shown as a number


def test_an_undated_contest_needs_a_newcomer_rating():
    from contests.errors import DataError
    from contests.rating import place_in_contest

    contest = small_contest(start_time=None)
    with pytest.raises(DataError, match="contest 77 has no date.*--newcomer-rating"):
        place_in_contest(contest, 2, 0)
    as_1500 = place_in_contest(contest, 2, 0, newcomer=1500)
    assert as_1500.newcomer_rating == 1500 and as_1500.rating == 1500
    assert place_in_contest(contest, 2, 0, rating=1800).rating == 1800  # no newcomer anywhere: no date needed


def test_standings_from_rating_changes_alone_cannot_place_points(shared_data):
    from contests.errors import DataError
    from contests.importers.cfapi import load_cfapi_contest
    from contests.rating import place_in_contest

    contest = load_cfapi_contest([shared_data / "standings" / "cfapi-ratingChanges-908.json"])
    assert not contest.points_known
    with pytest.raises(DataError, match="carry no points"):
        place_in_contest(contest, 1500, 0, newcomer=1500)
