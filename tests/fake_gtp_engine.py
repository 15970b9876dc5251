"""A scripted GTP engine for tests: `python fake_gtp_engine.py MODE` answers GTP on stdin/stdout.

MODE: `pass` (genmove always passes), `resign` (always resigns), `garbage` (answers genmove with
an illegal vertex), `die` (exits on the first genmove). Everything else is acknowledged.
"""

import sys


def main(mode: str) -> None:
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command = words[0]
        if command == "quit":
            print("=\n", flush=True)
            return
        if command == "genmove":
            if mode == "die":
                return
            reply = {"pass": "pass", "resign": "resign", "garbage": "Z99"}[mode]
            print(f"= {reply}\n", flush=True)
        elif command == "final_score":
            print("= 0\n", flush=True)
        else:
            print("=\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
