"""The fixed rungs of the Go ladder played against each other, rated with GNU Go level 10 = 0 Elo.

    python scripts/ladder.py --size 9 --pairs random:gnugo-1 gnugo-1:gnugo-10 random:gnugo-10 \
        --num-games 200 --out docs/results/ladder_9x9

Each pair plays `--num-games` games through the match runner (colours alternate, GNU Go with the
CGOS flags and a distinct seed per game), one JSON line per game in `--out`/games.jsonl (SGF on
demand: `alphazero sgf export`). Stopping and rerunning continues every pair where it stopped. The
Bradley-Terry fit over every game in `--out` (plus any `--with` folders, such as an agent's games
against the same rungs) is written to `--out`/ratings.md and printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alphazero.go import match, ratings
from alphazero.go.records import played, read_games, won


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, choices=sorted(match.board_sizes()), default=9)
    parser.add_argument("--pairs", nargs="+", required=True, help="A:B, e.g. gnugo-1:gnugo-10")
    parser.add_argument("--num-games", type=int, default=200, help="games per pair")
    parser.add_argument("--parallel", type=int, default=4, help="games (engine pairs) at once")
    parser.add_argument("--out", required=True)
    parser.add_argument("--with", dest="extra", nargs="*", default=[], help="more game folders")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        pairs = [tuple(match.player(name) for name in pair.split(":")) for pair in args.pairs]
    except ValueError as error:
        sys.exit(f"error: {error}")
    if any(len(pair) != 2 for pair in pairs) or args.num_games <= 0 or args.parallel <= 0:
        sys.exit("error: pairs are A:B; --num-games and --parallel must be positive")
    out = Path(args.out)
    for i, (a, b) in enumerate(pairs):
        records = match.play(
            a, b, args.size, match.registry_komi(args.size), args.num_games, out / "games.jsonl",
            seed=args.seed + 100_000 * i, parallel=args.parallel,
            comment=f"ladder {args.size}x{args.size}", progress=True,
        )  # fmt: skip
        done = played(out / "games.jsonl", a.name, b.name)
        wins = sum(won(done, a.name))
        flagged = sum(r["disagreement"] for r in done)
        print(f"{a.name} vs {b.name}: {wins}/{len(done)} wins ({len(records)} new), "
              f"{flagged} referee/GNU Go disagreements")  # fmt: skip
    folders = [out, *map(Path, args.extra)]
    games = [r for folder in folders for r in read_games(folder / "games.jsonl")]
    names = {r["black"] for r in games} | {r["white"] for r in games}
    levels = [int(n[6:]) for n in names if n.startswith("gnugo-") and n[6:].isdigit()]
    anchor = "gnugo-10" if 10 in levels else f"gnugo-{max(levels)}" if levels else sorted(names)[0]
    table = ratings.fit(games, anchor=anchor)
    (out / "ratings.md").write_text(ratings.markdown(table) + "\n")
    print(ratings.markdown(table))


if __name__ == "__main__":
    main()
