#!/usr/bin/env python3
"""check_readme_maps.py PROG - the maps the README shows for its scenes are
what the program draws: each block that follows a line starting with
`NN_name` in the README's "Scenes" section must appear, line for line and
in order, in `PROG --batch scenes/NN_name.as --frames --ascii`. In the
"Batch mode" section, the script shown in the block that starts with `new `
must end its `--frames --ascii` output with the map shown in the block after
it (the last map the program prints, whole). In "Struct layout", the lines
typed after "> " must print exactly the other lines of that block."""
import re
import subprocess
import sys

prog = sys.argv[1]
text = open("README.md", encoding="utf-8").read()
section = text[text.index("## Scenes"):text.index("## Struct layout")]
bad = 0
checked = 0
for m in re.finditer(r"^`(\d\d_[a-z0-9_]+)`[^\n]*\n(?:(?!```)[^\n]*\n)*?```\n(.*?)```", section, re.M | re.S):
    scene, block = m.group(1), m.group(2).rstrip("\n").split("\n")
    out = subprocess.run([prog, "--batch", "scenes/%s.as" % scene, "--frames", "--ascii"],
                         capture_output=True, text=True).stdout.split("\n")
    # the block's lines must be consecutive lines of the output
    found = any(out[i:i + len(block)] == block for i in range(len(out) - len(block) + 1))
    checked += 1
    if not found:
        bad += 1
        print("README: the map shown for %s is not what the program draws:" % scene)
        print("\n".join("    " + l for l in block))

# the batch-mode example: a script block, then the last map it prints
batch = text[text.index("## Batch mode"):text.index("## Layout of the source")]
m = re.search(r"^```\n(new [^\n]*\n.*?)```\n.*?^```\n(.*?)```", batch, re.M | re.S)
checked += 1
if not m:
    bad += 1
    print("README: the batch-mode example (a script, then its map) is not found")
else:
    script, block = m.group(1), m.group(2).rstrip("\n").split("\n")
    out = subprocess.run([prog, "--batch", "-", "--frames", "--ascii"], input=script,
                         capture_output=True, text=True).stdout.rstrip("\n").split("\n")
    # the last frame: from the last header line to the line before the legend
    last = max((i for i, l in enumerate(out) if l.startswith(block[0].split(":")[0] + ":")), default=0)
    frame = [l for l in out[last:] if not l.startswith("legend:")]
    if frame != block:
        bad += 1
        print("README: the batch-mode example's map is not what the program draws; it draws:")
        print("\n".join("    " + l for l in frame))

# the struct layout example: the lines after "> " are typed, the others are what they print
layout = text[text.index("## Struct layout"):text.index("## When does a custom allocator pay off?")]
m = re.search(r"^```\n(> .*?)```", layout, re.M | re.S)
checked += 1
lines = m.group(1).rstrip("\n").split("\n") if m else []
typed = "".join(l[2:] + "\n" for l in lines if l.startswith("> "))
shown = [l for l in lines if not l.startswith("> ")]
out = subprocess.run([prog, "--batch", "-"], input=typed, capture_output=True, text=True).stdout.rstrip("\n").split("\n")
if not m or out != shown:
    bad += 1
    print("README: the struct layout example is not what the program prints; it prints:")
    print("\n".join("    " + l for l in out))

if checked == 0:
    print("README: no scene maps found (the check is broken)")
    sys.exit(1)
print("README: %d maps match the program" % checked if not bad else "README: %d of %d maps differ" % (bad, checked))
sys.exit(1 if bad else 0)
