"""Generate the two scan cues in resources/sounds (run once; the WAV files are committed).

A rising two-tone chirp for an accepted badge and a low double buzz for anything to act on:
told apart without looking at the screen, and without any sound library at run time.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "resources" / "sounds"


def tone(freq: float, seconds: float, volume: float = 0.5, square: bool = False) -> list[int]:
    samples = []
    count = int(RATE * seconds)
    for i in range(count):
        phase = math.sin(2 * math.pi * freq * i / RATE)
        value = (1.0 if phase >= 0 else -1.0) * 0.6 if square else phase
        fade = min(1.0, i / 200, (count - i) / 200)  # no clicks at the edges
        samples.append(int(32767 * volume * value * fade))
    return samples


def write(name: str, samples: list[int]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT / name), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))


if __name__ == "__main__":
    write("accept.wav", tone(880, 0.08) + tone(1320, 0.12))
    silence = [0] * int(RATE * 0.06)
    write("alert.wav", tone(220, 0.16, square=True) + silence + tone(220, 0.16, square=True))
    print(f"wrote {OUT}/accept.wav and alert.wav")
