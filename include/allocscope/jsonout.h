/*
 * jsonout.h - the session's state as one JSON object (`dump json`,
 * `--json`): the active allocator, every allocator's name, the blocks, the
 * figures, the warnings and the defined types.
 */
#ifndef ALLOCSCOPE_JSONOUT_H
#define ALLOCSCOPE_JSONOUT_H

#include "allocscope/session.h"
#include "allocscope/strbuf.h"

void json_state(const session *s, strbuf *out);

#endif
