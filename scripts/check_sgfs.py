"""Check a match folder: every SGF opens in sgfmill, replays under pgx's rules to the position the
referee scored, and no game has a referee/GNU Go disagreement.

    python scripts/check_sgfs.py docs/results/ladder_9x9 runs/go_7x7/ladder

For each line of `games.jsonl`: the SGF is parsed by sgfmill (alphazero/go/sgf.py), every move is
replayed through pgx (an illegal move is an error), and for games decided by the score the
replayed final position's area margin (Black - White - komi) must equal the referee's
`referee_margin`, and the SGF result must equal the record's. Prints one summary line per folder;
exits 1 if any check fails.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from alphazero.go import sgf
from games import go


def check_game(folder: Path, record: dict) -> str | None:
    """None if the game checks out, else what is wrong."""
    try:
        game = sgf.read_game(folder / record["sgf"])
        final = sgf.replay(game)[-1]
    except (OSError, ValueError) as error:
        return f"{record['sgf']}: {error}"
    if game.result != record["result"] or len(game.moves) != record["moves"]:
        return f"{record['sgf']}: result or length differs from games.jsonl"
    margin = float(go.black_margin(final, game.komi))
    if record["result"][2:] not in ("R", "F") and margin != record["referee_margin"]:
        return f"{record['sgf']}: replayed margin {margin} differs"
    if record["disagreement"]:
        return f"{record['sgf']}: referee and GNU Go disagree on the winner"
    return None


def main() -> None:
    failed = False
    for folder in map(Path, sys.argv[1:]):
        lines = (folder / "games.jsonl").read_text().splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        problems = [p for p in (check_game(folder, r) for r in records) if p]
        checked_by_gnugo = sum(r["engine_winner"] is not None for r in records)
        print(
            f"{folder}: {len(records)} games, {len(records) - len(problems)} replay to the "
            f"referee's final position, {checked_by_gnugo} scored games cross-checked with GNU "
            f"Go, {sum(r['disagreement'] for r in records)} disagreements"
        )
        for problem in problems:
            print(f"  {problem}")
        failed |= bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
