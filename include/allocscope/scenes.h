/*
 * scenes.h - the shipped scenes: where they are and what each teaches.
 * A scene is found by its file name, or by its name alone (02_alignment,
 * 02_alignment.as, or a prefix only one scene has: 02) in the scene
 * directories, in this order: $ALLOCSCOPE_SCENES, scenes/ next to the
 * program, ../scenes from the program (the build tree), the installed
 * share/allocscope/scenes beside the program's bin/, the scenes/ of the
 * checkout it was built from (SCENES_SRCDIR, for build trees such as
 * build/asan) and the directory `make install` wrote (SCENES_DATADIR).
 */
#ifndef ALLOCSCOPE_SCENES_H
#define ALLOCSCOPE_SCENES_H

#include <stdbool.h>

#include "allocscope/strbuf.h"

/* The path of the scene name means into path; false with the reason in
 * err (it names the directories looked in) if there is none. */
bool scenes_find(const char *name, strbuf *path, strbuf *err);
/* Lists the shipped scenes of the first scene directory that has any, one
 * a line: name and the summary from the scene's first comment line
 * ("# Scene 2: alignment - ..."). False (and why in out) if none found. */
bool scenes_list(strbuf *out);
/* The scene's summary: its first comment line after "# Scene N: " (""
 * if it has none); text is the scene's text. */
void scenes_summary(const char *text, strbuf *out);

#endif
