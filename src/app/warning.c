/*
 * warning.c - the table of warning kinds (see warning.h).
 */
#include "allocscope/warning.h"

#include "allocscope/parse.h"

const char *const warn_names[WARN_KIND_COUNT] = {
#define WARN_X(id, name, what) name,
    WARN_KINDS(WARN_X)
#undef WARN_X
};

static const char *const descriptions[WARN_KIND_COUNT] = {
#define WARN_X(id, name, what) what,
    WARN_KINDS(WARN_X)
#undef WARN_X
};

const char *warn_name(warn_kind k) { return k < WARN_KIND_COUNT ? warn_names[k] : "?"; }

const char *warn_description(warn_kind k) { return k < WARN_KIND_COUNT ? descriptions[k] : "?"; }

bool warn_lookup(const char *name, warn_kind *out)
{
    for (size_t i = 0; i < WARN_KIND_COUNT; i++) {
        if (parse_is(name, warn_names[i])) {
            *out = (warn_kind)i;
            return true;
        }
    }
    return false;
}

warn_kind warn_from_event(as_event_kind ev)
{
    switch (ev) {
    case AS_EV_DOUBLE_FREE:
        return WARN_DOUBLE_FREE;
    case AS_EV_INVALID_FREE:
    case AS_EV_WRONG_SIZE_FREE:
        return WARN_INVALID_FREE;
    case AS_EV_OUT_OF_ORDER_FREE:
        return WARN_OUT_OF_ORDER_FREE;
    case AS_EV_LEAK:
        return WARN_LEAK;
    case AS_EV_USE_AFTER_FREE:
        return WARN_USE_AFTER_FREE;
    case AS_EV_OVERFLOW:
        return WARN_OVERFLOW;
    case AS_EV_MEMORY_LIMIT:
        return WARN_MEMORY_LIMIT;
    }
    return WARN_INVALID_FREE;
}

warn_kind warn_from_plugin(plugin_problem_kind pb)
{
    switch (pb) {
    case PLUGIN_PB_OUTSIDE:
        return WARN_PLUGIN_OUTSIDE;
    case PLUGIN_PB_MISALIGNED:
        return WARN_PLUGIN_MISALIGNED;
    case PLUGIN_PB_OVERLAP:
        return WARN_PLUGIN_OVERLAP;
    case PLUGIN_PB_IN_METADATA:
        return WARN_PLUGIN_IN_METADATA;
    case PLUGIN_PB_CORRUPTED:
        return WARN_PLUGIN_CORRUPTED;
    case PLUGIN_PB_LOST_CONTENTS:
        return WARN_PLUGIN_LOST_CONTENTS;
    case PLUGIN_PB_BAD_DESCRIBE:
        return WARN_PLUGIN_BAD_DESCRIBE;
    case PLUGIN_PB_CRASHED:
        return WARN_PLUGIN_CRASHED;
    case PLUGIN_PB_TIMEOUT:
        return WARN_PLUGIN_TIMEOUT;
    case PLUGIN_PB_EXITED:
        return WARN_PLUGIN_EXITED;
    case PLUGIN_PB_REPLAY:
        return WARN_PLUGIN_REPLAY;
    case PLUGIN_PB_DEAD:
        return WARN_PLUGIN_DEAD;
    }
    return WARN_PLUGIN_DEAD;
}
