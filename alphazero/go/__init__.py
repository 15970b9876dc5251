"""Go tooling: the room where the agent meets the outside world of Go.

    gtp          GTP v2 engine around an agent (`alphazero gtp`: Sabaki, GoGui, gogui-twogtp)
    gtp_client   GTP client for external engines; how GNU Go is found and started
    match        match runner: two players, B games at once, one JSON line a game
    pass_rules   root rules of an agent that plays: settle (pass-alive pruning), Tromp-Taylor
    referee      pgx Go over a batch of games, positional superko removed from the legal moves
    records      game records (one JSON line a game): read, summarise, replay-check
    ladder       the GNU Go ladder: an agent against fixed rungs, in training and `alphazero eval`
    ratings      Bradley-Terry Elo with bootstrap intervals (scipy, checked against choix)
    sgf          game records: JSON line <-> SGF (FF[4]), replay into pgx states

The contract every module here keeps:

- **Protocol**: GTP v2 (`protocol_version` 2); replies `= ...` / `? ...`; `genmove` may answer
  `resign`.
- **Coordinates**: pgx actions (`row * N + col`, row 0 at the top, pass `N * N`) inside; GTP
  vertices (`D4`, columns A..T without I, row 1 at the bottom) on the wire and in match records;
  SGF points (`dc`, from the top-left, no skipped letter) in SGF files. Conversions live in
  games/go_coordinates.py, nowhere else.
- **Rules and scoring**: pgx's Go is the referee. Area scoring of the final position as it stands
  (Tromp-Taylor: every stone counts as alive), komi to White (5x5 24.5, 7x7 8.5, 9x9 and 19x19
  7.5), suicide illegal, positional superko refused; the game ends on two passes or 2·N² moves.
- **GNU Go**: Debian's `gnugo` 3.8, one process per game, started as
  `gnugo --mode gtp --level L --chinese-rules --capture-all-dead --positional-superko --komi K
  --boardsize N --seed s` with a distinct seed per game (its default seed is the clock's second).
  `--capture-all-dead` makes it play out dead stones, so Tromp-Taylor agrees with its own
  `final_score` (a disagreement is flagged in the record). The ladder's anchor is GNU Go level
  10 = 0 Elo. GNU Go is deterministic at a level; with `eval.turn_engine` it sees game g's
  board under symmetry (seed + g) % 8 (games.go_coordinates.transform), which makes games
  differ without changing its strength.

Imports: the core (alphazero.search, .agent, .checkpoint, .config, .types), games (for
games.go, the one door to pgx Go's internals, games.go_coordinates and games.pass_alive), numpy,
jax, sgfmill, scipy. Never alphazero.lm, and the core loop (train, learner, selfplay, ...)
never imports this room: alphazero.evaluate reaches `ladder` lazily, only when a Go run is
evaluated against GNU Go.
"""
