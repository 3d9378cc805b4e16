/*
 * interp.c - the interpreter (see interp.h): the command table, dispatch,
 * the recorded steps, rewinding, completion, and the commands that run
 * other lines: undo, source, save, try, trace (and help, quit, struct).
 *
 * Every successful command is one step. Commands flagged INTERP_RECORDED
 * are recorded; undo and rewind rebuild the state by replaying the record
 * on a fresh state, so a step back is exact.
 *
 * To add a command: one COMMANDS row (name, handler, flags, usage, help,
 * what completes its words) and its handler (handlers.h).
 */
#include "allocscope/interp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "allocscope/advise.h"
#include "allocscope/lineio.h"
#include "allocscope/plugin_host.h"
#include "allocscope/record.h"
#include "allocscope/svgout.h"
#include "allocscope/scenes.h"
#include "allocscope/trace.h"
#include "allocscope/types.h"
#include "compare.h"
#include "handlers.h"
#include "replay.h"

static session_status cmd_help(session *s, const parse_words *w, strbuf *out);
static session_status cmd_undo(session *s, const parse_words *w, strbuf *out);
static session_status cmd_source(session *s, const parse_words *w, strbuf *out);
static session_status cmd_save(session *s, const parse_words *w, strbuf *out);
static session_status cmd_try(session *s, const parse_words *w, strbuf *out);
static session_status cmd_trace(session *s, const parse_words *w, strbuf *out);
static session_status cmd_quit(session *s, const parse_words *w, strbuf *out);
static session_status cmd_ask(session *s, const parse_words *w, strbuf *out);
static session_status cmd_play(session *s, const parse_words *w, strbuf *out);
static session_status cmd_scenes(session *s, const parse_words *w, strbuf *out);

/* What completes the words after a command's name. */
typedef enum complete_kind {
    COMPLETE_NONE,
    COMPLETE_COMMANDS,   /* help COMMAND */
    COMPLETE_NEW,        /* kinds, then that kind's option words */
    COMPLETE_SWITCH,     /* allocators and kinds */
    COMPLETE_ALLOC,      /* types, align, as */
    COMPLETE_STRUCTS,    /* the defined structs */
    COMPLETE_LIVE,       /* live blocks (free) */
    COMPLETE_BLOCKS,     /* any named block */
    COMPLETE_SHOW,       /* blocks, addresses, offsets */
    COMPLETE_RESET,      /* reset modes */
    COMPLETE_TRY,        /* free, alloc, then as those */
    COMPLETE_EXPECT,     /* what expect checks */
    COMPLETE_ZOOM,       /* fit */
    COMPLETE_DUMP,       /* json */
    COMPLETE_FILE,       /* a file name (left to the prompt) */
} complete_kind;

#define R INTERP_RECORDED
#define U INTERP_UNDO_SKIPS
#define F INTERP_FILES
#define G INTERP_GROUP

/* name, handler, flags, usage, help, completion */
#define COMMANDS(X)                                                                                        \
    X("new", cmd_new, R, "new KIND [SIZE] [options] [as NAME]",                                           \
      "create an allocator and make it active (help new lists the kinds)\n"                              \
      "  examples: new bump 4096 | new bump 1024 resize-last (exercise 1) | new debug-bump 8192 |\n"       \
      "  new pool 24 align 8 capacity 16 |\n"                                                            \
      "  new pool Entity | new arena over bump 8192 | new debug 8192 | new counting over freelist 4096 |\n"  \
      "  new freelist 4096 best-fit | new buddy 1024 | new debug 8192 limit 1k (a memory limit)",          \
      COMPLETE_NEW)                                                                                       \
    X("switch", cmd_switch, R, "switch NAME|KIND",                                                        \
      "make another allocator active (a kind that does not exist yet is created with defaults)",          \
      COMPLETE_SWITCH)                                                                                    \
    X("compare", cmd_compare, R, "compare KIND|NAME ... | compare off",                                   \
      "run every allocation command on 2 to 4 allocators at once, with the same block names\n"            \
      "  a member is an allocator's name, or a kind with its options as new takes them:\n"                \
      "  compare bump 256 freelist 256 | compare bump 256 as careless, bump 256 as sorted |\n"            \
      "  compare freelist 1M first-fit, freelist 1M best-fit, buddy 1M (commas separate members)\n"       \
      "  alloc, free, resize, realloc, reset, write (and trace, source line by line) run on each;\n"      \
      "  one a member cannot do is a member-refused warning for it; compare off ends it",                 \
      COMPLETE_NEW)                                                                                       \
    X("alloc", cmd_alloc, R | G, "alloc SIZE [align A] [as NAME] | alloc TYPE[N] [as NAME]",                  \
      "allocate a block, or a typed array\n"                                                              \
      "  SIZE: 100, 4k, 2MiB; A: a power of two from 1 to 4096 (default 1);\n"                            \
      "  types: u32[10] (40 bytes, align 4), u64, f32[3], or a struct you defined",                       \
      COMPLETE_ALLOC)                                                                                     \
    X("free", cmd_free, R | G, "free [NAME|#ID]",                                                             \
      "free a block (no argument: the most recent live block of the active allocator)", COMPLETE_LIVE)   \
    X("resize", cmd_resize, R | G, "resize NAME SIZE", "grow or shrink a block in place, or fail",           \
      COMPLETE_LIVE)                                                                                      \
    X("realloc", cmd_realloc, R | G, "realloc NAME SIZE",                                                     \
      "resize in place if possible, else allocate, copy and free (the block may move)", COMPLETE_LIVE)   \
    X("reset", cmd_reset, R | G, "reset [free-all|retain|limit N]",                                           \
      "release every block of the active allocator at once (arena modes: free-all, retain, limit N)",     \
      COMPLETE_RESET)                                                                                     \
    X("write", cmd_write, R | G, "write NAME [OFFSET] LEN|\"text\"",                                          \
      "write bytes into a block's real memory (writes after free and past the end are caught)",           \
      COMPLETE_BLOCKS)                                                                                    \
    X("read", cmd_read, 0, "read NAME [OFFSET LEN]", "show a block's bytes in hex", COMPLETE_BLOCKS)     \
    X("try", cmd_try, 0, "try free NAME | try alloc ...",                                                 \
      "dry run: say what the operation would do and which rule it would break, without doing it",         \
      COMPLETE_TRY)                                                                                       \
    X("bins", cmd_bins, 0, "bins", "show the free structures (free lists, buddy orders) as chains",      \
      COMPLETE_NONE)                                                                                      \
    X("freelist", cmd_bins, 0, "freelist", "same as bins", COMPLETE_NONE)                                \
    X("blocks", cmd_blocks, 0, "blocks", "list the active allocator's blocks", COMPLETE_NONE)            \
    X("stats", cmd_stats, 0, "stats", "figures of the active allocator", COMPLETE_NONE)                  \
    X("leaks", cmd_leaks, R, "leaks", "report every live block as a leak, as a deinit would",            \
      COMPLETE_NONE)                                                                                      \
    X("check", cmd_check, R | U, "check",                                                                 \
      "verify the allocator's invariants (and, for debug, its guards and poison)", COMPLETE_NONE)         \
    X("undo", cmd_undo, 0, "undo", "go back to the state before the last change", COMPLETE_NONE)         \
    X("help", cmd_help, 0, "help [COMMAND]", "list the commands, or explain one", COMPLETE_COMMANDS)     \
    X("note", cmd_note, R | U | INTERP_CAPTION, "note TEXT", "a caption (shown large during playback)",  \
      COMPLETE_NONE)                                                                                      \
    X("ask", cmd_ask, R | U | INTERP_CAPTION | INTERP_ASK, "ask QUESTION",                               \
      "during playback, ask the class and wait for a key before the step that answers (else a caption)",  \
      COMPLETE_NONE)                                                                                      \
    X("pause", cmd_pause, R | U | INTERP_PAUSE, "pause", "during playback, wait for a key",              \
      COMPLETE_NONE)                                                                                      \
    X("expect", cmd_expect, R | U, "expect WHAT ...",                                                     \
      "check the state, so that a script tests itself\n"                                                  \
      "  expect offset 72 | expect block buf offset 104 size 100 padding 4 |\n"                           \
      "  expect live 2 | expect padding 14 | expect used 72 | expect stat NAME N |\n"                     \
      "  expect warning double-free | expect warnings 2 | expect no warnings |\n"                         \
      "  expect type Entity size 20 align 4 padding 3 | expect allocator NAME |\n"                        \
      "  expect block e4 slot 1 slack 4 | expect block name damaged 8 | expect slack 24 |\n"              \
      "  expect damaged 12 | expect free 80 size 160 | expect bytes 136 24 slack (or live, padding, ...) |\n" \
      "  expect in NAME WHAT ... (WHAT on allocator NAME, e.g. a member: expect in bump offset 72)",      \
      COMPLETE_EXPECT)                                                                                    \
    X("source", cmd_source, F, "source FILE", "run the commands of a file", COMPLETE_FILE)               \
    X("trace", cmd_trace, F, "trace FILE [first N] [json]",                                               \
      "replay a malloc-lab trace or a recording on the active allocator, as one step, and report on it\n" \
      "  (no allocator yet: a free list growing like mdriver's); lines a ID BYTES | r ID BYTES | f ID;\n" \
      "  reports operations, failures by kind, peak live bytes, high-water mark, utilisation (ours and\n" \
      "  mdriver's) and time; while comparing, a table of every member (slack and metadata too); json:\n" \
      "  that table",                                                                                     \
      COMPLETE_FILE)                                                                                      \
    X("advise", advise_command, 0, "advise [json|compare]",                                              \
      "which allocator fits this session's allocations: the pattern, a replay on every kind, the advice\n" \
      "  advise compare: then open the comparison group it recommends",                                  \
      COMPLETE_NONE)                                                                                      \
    X("play", cmd_play, F, "play SCENE",                                                                  \
      "play a scene (a file, or a shipped scene by name: play 02_alignment; scenes lists them)",          \
      COMPLETE_FILE)                                                                                      \
    X("scenes", cmd_scenes, F, "scenes", "list the shipped scenes with what each teaches", COMPLETE_NONE) \
    X("save", cmd_save, F, "save FILE [force]", "write the session so far as a replayable script (an existing FILE only with force)", COMPLETE_FILE) \
    X("dump", cmd_dump, 0, "dump json", "print the state as one JSON object", COMPLETE_DUMP)             \
    X("export", svgout_cmd_export, F, "export svg FILE [force] [light|dark] [COLSxROWS]",                 \
      "write the map as the live view shows it to an SVG picture (an existing FILE only with force)",  \
      COMPLETE_FILE)                                                                                      \
    X("show", cmd_show, 0, "show NAME | show addresses | show offsets",                                   \
      "hex dump of a block with padding and guard bytes marked; or switch how positions are shown",       \
      COMPLETE_SHOW)                                                                                      \
    X("zoom", cmd_zoom, R | U, "zoom N|fit", "bytes per cell of the map (a power of two), or fit",       \
      COMPLETE_ZOOM)                                                                                      \
    X("struct", NULL, R, "struct NAME { TYPE FIELD; ... }",                                               \
      "define a struct with C layout rules (may span lines); 'packed struct' is C's __attribute__((packed))",             \
      COMPLETE_NONE)                                                                                      \
    X("packed", NULL, R | INTERP_HIDDEN, "packed struct NAME { TYPE FIELD; ... }",                        \
      "a struct without padding", COMPLETE_NONE)                                                          \
    X("layout", cmd_layout, 0, "layout NAME", "draw a struct's bytes: fields and padding",               \
      COMPLETE_STRUCTS)                                                                                   \
    X("types", cmd_types, 0, "types", "list the defined structs", COMPLETE_NONE)                         \
    X("quit", cmd_quit, 0, "quit", "leave allocscope", COMPLETE_NONE)

typedef struct command {
    const char *name;
    cmd_handler run;
    unsigned flags;
    const char *usage;
    const char *help;
    complete_kind complete;
} command;

static const command commands[] = {
#define CMD_X(name, run, flags, usage, help, complete) {name, run, flags, usage, help, complete},
    COMMANDS(CMD_X)
#undef CMD_X
};

#undef R
#undef U
#undef F
#undef G

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

const char *const interp_command_names[] = {
#define CMD_X(name, run, flags, usage, help, complete) name,
    COMMANDS(CMD_X)
#undef CMD_X
};
const size_t interp_command_count = COMMAND_COUNT;

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (parse_is(name, commands[i].name))
            return &commands[i];
    return NULL;
}

unsigned interp_command_flags(const char *word)
{
    const command *c = find_command(word);
    return c ? c->flags : 0;
}

/* ---- dispatch ---- */

bool interp_opens_struct(const parse_words *w)
{
    return w->count > 0 && (parse_is(w->word[0], "struct") ||
                            (parse_is(w->word[0], "packed") && w->count > 1 &&
                             parse_is(w->word[1], "struct")));
}

static bool starts_struct(const char *line)
{
    line += strspn(line, " \t");
    return strncasecmp(line, "struct", 6) == 0 || strncasecmp(line, "packed", 6) == 0;
}

/* A struct definition, possibly continued over several lines. */
static session_status define_struct(session *s, const char *line, strbuf *out, session_outcome *oc)
{
    if (s->pending.len)
        sb_addc(&s->pending, ' ');
    sb_add(&s->pending, line);
    if (strchr(line, '}') == NULL) {
        if (s->pending.len > 16384) {
            sb_clear(&s->pending);
            return sess_fail(out, "struct definition too long (missing '}'?)");
        }
        oc->pending = true;
        return SESSION_OK;
    }
    strbuf err;
    sb_init(&err);
    bool ok = types_define(s->types, sb_str(&s->pending), &err);
    session_status st = SESSION_OK;
    if (ok) {
        const char *name = types_at(s->types, types_count(s->types) - 1)->name;
        /* the defined struct is the one named in the text; find it */
        char first[64] = {0};
        const char *p = strstr(sb_str(&s->pending), "struct");
        if (p)
            sscanf(p + 6, " %63[A-Za-z0-9_]", first);
        const types_struct *t = types_find(s->types, first[0] ? first : name);
        if (t)
            sb_printf(out, "struct %s: %zu byte%s, align %zu, %zu byte%s of padding\n", t->name, t->size,
                      t->size == 1 ? "" : "s", t->align, types_padding(t), types_padding(t) == 1 ? "" : "s");
        if (!s->replaying)
            sess_record(s, sb_str(&s->pending));
        s->changed = true;
    } else {
        st = sess_fail(out, "%s", sb_str(&err));
    }
    sb_free(&err);
    sb_clear(&s->pending);
    return st;
}

static session_status unknown_command(const char *name, strbuf *out)
{
    const char *hint = parse_suggest(name, interp_command_names, interp_command_count);
    if (hint)
        return sess_fail(out, "unknown command '%s' (did you mean '%s'? type help for the list)",
                         name, hint);
    return sess_fail(out, "unknown command '%s' (type help for the list)", name);
}

/* After a step: what the plugins (allocators a student wrote) printed
 * becomes part of its answer and each broken promise a warning of the step
 * ("your allocator crashed in alloc(24, align 8) at step 12: ..."). While
 * undo / rewind replays the steps their calls get a short time limit. */
static void take_plugin_reports(session *s, strbuf *out)
{
    for (size_t i = 0; i < s->alloc_count; i++) {
        plugin *p = kind_plugin(&s->allocs[i]->built);
        if (p == NULL)
            continue;
        char text[4096];
        for (size_t n; (n = plugin_take_output(p, text, sizeof text)) > 0;)
            for (const char *l = text; *l; l += strcspn(l, "\n"), l += *l == '\n')
                sb_printf(out, "%s says: %.*s\n", s->allocs[i]->name, (int)strcspn(l, "\n"), l);
        plugin_problem pb;
        while (plugin_take_problem(p, &pb)) {
            const char *close = strchr(pb.text, ')');
            int call = close ? (int)(close - pb.text + 1) : (int)strlen(pb.text);
            const sess_block *b = pb.has_other ? sess_block_by_ptr(s, i, plugin_region(p) + pb.other_offset) : NULL;
            char whose[96] = "";
            if (b && b->live)
                snprintf(whose, sizeof whose, " (that block is %s, allocated at step %u)", sess_label(s, b),
                         b->alloc_step);
            size_t before = s->warning_count;
            sess_warn(s, warn_from_plugin(pb.kind), "%.*s at step %zu%s%s", call, pb.text, s->step,
                      pb.text + call, whose);
            if (s->warning_count > before)
                sb_printf(out, "%s\n", sess_name(s, s->warnings[before].message));
        }
        plugin_set_timeout(p, s->replaying ? KIND_REPLAY_TIMEOUT_MS : 0);
    }
}

/* Runs one line without making it a step of its own. */
static session_status run_line(session *s, const char *line, strbuf *out, session_outcome *oc)
{
    parse_words *w = malloc(sizeof *w);
    if (w == NULL)
        return sess_fail(out, "out of memory");
    session_status st;
    const char *bad = parse_split(line, w);
    /* a struct may have more fields than a command has words */
    bool long_struct = bad && strstr(bad, "too many words") && (s->pending.len || starts_struct(line));
    if (bad && !long_struct) {
        st = sess_fail(out, "%s", bad);
    } else if (long_struct || s->pending.len || interp_opens_struct(w)) {
        st = define_struct(s, line, out, oc);
    } else if (w->count == 0) {
        st = SESSION_OK;
    } else {
        const command *c = find_command(w->word[0]);
        if (c == NULL || c->run == NULL) {
            st = unknown_command(w->word[0], out);
        } else if ((c->flags & INTERP_FILES) && s->sandbox) {
            st = sess_fail(out, "%s is disabled in this session (no file access)", c->name);
        } else {
            oc->pause = c->flags & INTERP_PAUSE;
            oc->note = c->flags & INTERP_CAPTION;
            if ((c->flags & INTERP_GROUP) && s->group.count)
                st = compare_fan_out(s, c->run, w, out);
            else
                st = c->run(s, w, out);
            take_plugin_reports(s, out);
            /* a failed expect is not part of what replays (undo, save) */
            if (st == SESSION_OK && (c->flags & INTERP_RECORDED) && !s->replaying)
                sess_record(s, line);
        }
    }
    free(w);
    return st;
}

/* Whether the line is a step: a change that is recorded (a struct's lines
 * too). Queries (stats, blocks, help, show ...) are not, so the step a
 * block was made at is the same after undo replays the record. */
static bool makes_step(const session *s, const char *line, const parse_words *w, bool bad)
{
    if (s->pending.len || starts_struct(line))
        return true;
    return !bad && w->count > 0 && (interp_command_flags(w->word[0]) & INTERP_RECORDED);
}

session_outcome interp_execute(session *s, const char *line, strbuf *out)
{
    session_outcome oc = {SESSION_OK, false, false, false, false};
    s->changed = false;
    size_t step_before = s->step;
    parse_words probe;
    bool bad = parse_split(line, &probe) != NULL;
    bool step = makes_step(s, line, &probe, bad);
    if (step)
        s->step++;
    size_t recorded_before = s->history_count;
    oc.status = run_line(s, line, out, &oc);
    bool blank = !bad && probe.count == 0 && !oc.pending;
    /* an error takes its step back - unless steps ran inside it (a source
     * whose file had an error: its good lines stay done) */
    if (step && ((oc.status == SESSION_ERROR && s->step == step_before + 1) || blank || oc.pending))
        s->step = step_before;
    /* a command that records itself (trace on one allocator: one step)
     * is a step too, unless the lines it ran were steps of their own */
    if (!step && oc.status != SESSION_ERROR && s->history_count > recorded_before && s->step == step_before)
        s->step++;
    oc.changed = s->changed;
    return oc;
}

/* The default bump of a session that keeps one (interp_ensure_default):
 * no step and not recorded (a rewind makes it again first, so the steps
 * after it keep their numbers and a trace still finds it untouched). */
static void make_default(session *s, strbuf *out)
{
    if (s->alloc_count == 0 && cmd_default_allocator(s, out))
        sess_active(s)->is_default = true;
}

void interp_ensure_default(session *s, strbuf *out)
{
    s->keeps_default = true;
    make_default(s, out);
}

void interp_set_sandbox(session *s, bool on) { s->sandbox = on; }

void interp_set_player(session *s, interp_play_fn fn, void *user)
{
    s->play = fn;
    s->play_user = user;
}

void interp_set_progress(session *s, interp_progress_fn fn, void *user)
{
    s->progress = fn;
    s->progress_user = user;
}

bool interp_rewind(session *s, size_t steps)
{
    if (steps > s->history_count)
        return false;
    /* the lines to replay, copied: clearing the session clears its pool */
    char **lines = calloc(steps ? steps : 1, sizeof *lines);
    if (lines == NULL)
        return false;
    for (size_t i = 0; i < steps; i++)
        if ((lines[i] = strdup(sess_history_line(s, i))) == NULL) {
            while (i-- > 0)
                free(lines[i]);
            free(lines);
            return false;
        }
    sess_clear(s);
    strbuf sink;
    sb_init_discard(&sink);
    if (s->keeps_default)
        make_default(s, &sink);
    s->replaying = true;
    for (size_t i = 0; i < steps; i++) {
        sb_clear(&sink);
        interp_execute(s, lines[i], &sink);
        sess_record(s, lines[i]); /* the record is what it was */
        free(lines[i]);
    }
    free(lines);
    s->replaying = false;
    sb_free(&sink);
    s->changed = true;
    return true;
}

/* ---- the commands that run other lines ---- */

static session_status no_more_words(const parse_words *w, size_t n, const char *usage, strbuf *out)
{
    if (w->count > n)
        return sess_fail(out, "unexpected '%s' (usage: %s)", w->word[n], usage);
    return SESSION_OK;
}

static session_status cmd_help(session *s, const parse_words *w, strbuf *out)
{
    if (w->count >= 2) {
        const command *c = find_command(w->word[1]);
        if (c == NULL)
            return unknown_command(w->word[1], out);
        sb_printf(out, "%s\n  %s\n", c->usage, c->help);
        if (c->run == cmd_new) {
            sb_add(out, "  kinds (default size; options):\n");
            for (const kind_row *k = kind_rows; k < kind_rows + kind_count; k++) {
                sb_printf(out, "    %-10s %s (", k->name, k->help);
                if (k->default_size)
                    sb_printf(out, "%zu", k->default_size);
                else
                    sb_add(out, "grows");
                for (const char *const *o = k->options; *o; o++)
                    sb_printf(out, "%s%s", o == k->options ? "; " : " ", *o);
                sb_add(out, ")\n");
            }
        }
        return SESSION_OK;
    }
    sb_add(out, "commands (help COMMAND for details):\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (!(commands[i].flags & INTERP_HIDDEN))
            sb_printf(out, "  %-44s %.*s\n", commands[i].usage, (int)strcspn(commands[i].help, "\n"),
                      commands[i].help);
    return SESSION_OK;
}

static session_status cmd_quit(session *s, const parse_words *w, strbuf *out) { return SESSION_QUIT; }

static session_status cmd_undo(session *s, const parse_words *w, strbuf *out)
{
    if (no_more_words(w, 1, "undo", out))
        return SESSION_ERROR;
    /* drop trailing notes / pauses / expects too: undo the last change */
    size_t n = s->history_count;
    while (n > 0) {
        n--;
        parse_words pw;
        if (parse_split(sess_history_line(s, n), &pw) == NULL && pw.count &&
            !(interp_command_flags(pw.word[0]) & INTERP_UNDO_SKIPS))
            break;
    }
    if (s->history_count == 0)
        return sess_fail(out, "nothing to undo");
    char *undone = strdup(sess_history_line(s, n));
    interp_rewind(s, n);
    sb_printf(out, "undone: %s\n", undone ? undone : "?");
    free(undone);
    return SESSION_OK;
}

/* source FILE: its lines, each a step of its own, read through lineio
 * (regular files only, bounded; a bad line - too long, a NUL, not UTF-8 -
 * is an error and none of it runs). Any error inside, or a failed expect,
 * is the source's status too, so that a batch run says so. */
static session_status cmd_source(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2)
        return sess_fail(out, "usage: source FILE");
    if (s->source_depth >= 8)
        return sess_fail(out, "source files nest too deeply (at most 8)");
    strbuf err;
    sb_init(&err);
    lineio *r = lineio_open(w->word[1], 0, &err);
    if (r == NULL) {
        session_status st = sess_fail(out, "%s", sb_str(&err));
        sb_free(&err);
        return st;
    }
    sb_free(&err);
    size_t lineno = 0;
    bool error = false, failed = false, stopped = false, pending = false;
    s->source_depth++;
    const char *line, *why;
    size_t len;
    lineio_status ls;
    while ((ls = lineio_next(r, &line, &len, &why)) != LINEIO_EOF) {
        /* every 4096 lines run, before the next */
        if (lineno > 0 && lineno % 4096 == 0 && s->progress && !s->replaying &&
            !s->progress(s->progress_user, "source", lineno, 0)) {
            stopped = true;
            break;
        }
        lineno = lineio_lineno(r);
        if (ls != LINEIO_LINE) {
            sb_printf(out, "%s:%zu: error: %s\n", w->word[1], lineno, why);
            error = true;
            if (ls == LINEIO_ERROR)
                break;
            continue;
        }
        strbuf one;
        sb_init(&one);
        session_outcome oc = interp_execute(s, line, &one);
        pending = oc.pending;
        if (oc.status == SESSION_ERROR || oc.status == SESSION_EXPECT_FAILED)
            sb_printf(out, "%s:%zu: ", w->word[1], lineno);
        sb_add(out, sb_str(&one));
        sb_free(&one);
        error |= oc.status == SESSION_ERROR;
        failed |= oc.status == SESSION_EXPECT_FAILED;
        if (oc.status == SESSION_QUIT)
            break;
    }
    s->source_depth--;
    lineio_close(r);
    if (pending) { /* a struct left open does not swallow the lines after the source */
        sb_clear(&s->pending);
        sb_printf(out, "%s:%zu: error: the file ends inside a struct definition (missing '}')\n", w->word[1],
                  lineno);
        error = true;
    }
    if (stopped)
        sb_printf(out, "source %s stopped after %zu lines (each is a step: undo takes them back)\n", w->word[1],
                  lineno);
    s->changed = true; /* the sourced lines were recorded one by one */
    return error ? SESSION_ERROR : failed ? SESSION_EXPECT_FAILED : SESSION_OK;
}

/* A question for the class: a caption in batch mode (the player waits
 * for a key after it). */
static session_status cmd_ask(session *s, const parse_words *w, strbuf *out)
{
    sb_add(out, "ask:");
    for (size_t i = 1; i < w->count; i++)
        sb_printf(out, " %s", w->word[i]);
    sb_addc(out, '\n');
    s->changed = true;
    return SESSION_OK;
}

/* play SCENE: the front end's player if it has one, else the scene's
 * lines in this session, as source runs them. */
static session_status cmd_play(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2)
        return sess_fail(out, "usage: play SCENE (a file or a shipped scene's name; scenes lists them)");
    strbuf path, err;
    sb_init(&path);
    sb_init(&err);
    session_status st = SESSION_OK;
    if (!scenes_find(w->word[1], &path, &err)) {
        st = sess_fail(out, "%s", sb_str(&err));
    } else if (s->play) {
        if (!s->play(s->play_user, sb_str(&path), out))
            st = SESSION_ERROR;
    } else {
        parse_words src = *w;
        src.word[1] = path.data;
        st = cmd_source(s, &src, out);
    }
    sb_free(&path);
    sb_free(&err);
    return st;
}

static session_status cmd_scenes(session *s, const parse_words *w, strbuf *out)
{
    if (no_more_words(w, 1, "scenes", out))
        return SESSION_ERROR;
    return scenes_list(out) ? SESSION_OK : SESSION_ERROR;
}

/* save FILE [force]: the history as a script, written to a temporary file
 * and renamed (svgout_write_file: the old file is never half-written); an
 * existing file is replaced only with force. */
static session_status cmd_save(session *s, const parse_words *w, strbuf *out)
{
    bool force = w->count == 3 && parse_is(w->word[2], "force");
    if (w->count < 2 || w->count > 3 || (w->count == 3 && !force))
        return sess_fail(out, "usage: save FILE [force]");
    const char *path = w->word[1];
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode) && !force)
        return sess_fail(out, "'%s' exists: not replaced (save %s force replaces it)", path, path);
    strbuf text, err;
    sb_init(&text);
    sb_init(&err);
    sb_printf(&text, "# allocscope session, %zu command%s\n", s->history_count, s->history_count == 1 ? "" : "s");
    for (size_t i = 0; i < s->history_count; i++)
        sb_printf(&text, "%s\n", sess_history_line(s, i));
    session_status res = SESSION_OK;
    if (text.truncated)
        res = sess_fail(out, "cannot write '%s': out of memory", path);
    else if (!svgout_write_file(path, sb_str(&text), text.len, force, &err))
        res = sess_fail(out, "%s", sb_str(&err));
    else
        sb_printf(out, "saved %zu command%s to %s%s\n", s->history_count, s->history_count == 1 ? "" : "s", path,
                  exists ? " (the file there was replaced)" : "");
    sb_free(&text);
    sb_free(&err);
    return res;
}

/* try alloc ...: the line without "try", run and taken back. */
static session_status try_alloc(session *s, const parse_words *w, strbuf *out)
{
    strbuf line;
    sb_init(&line);
    for (size_t i = 1; i < w->count; i++) {
        if (i > 1)
            sb_addc(&line, ' ');
        if (w->quoted[i])
            sb_json_string(&line, w->word[i]);
        else
            sb_add(&line, w->word[i]);
    }
    size_t keep = s->history_count;
    size_t step = s->step;
    strbuf answer;
    sb_init(&answer);
    session_outcome oc = {0};
    session_status st = run_line(s, sb_str(&line), &answer, &oc);
    if (s->history_count > keep) {
        interp_rewind(s, keep);
        s->step = step;
    }
    if (st == SESSION_ERROR)
        sb_add(out, sb_str(&answer));
    else
        sb_printf(out, "would: %s", sb_str(&answer));
    sb_free(&answer);
    sb_free(&line);
    return st == SESSION_ERROR ? SESSION_ERROR : SESSION_OK;
}

static session_status cmd_try(session *s, const parse_words *w, strbuf *out)
{
    if (w->count >= 2 && parse_is(w->word[1], "free"))
        return cmd_try_free(s, w, out);
    if (w->count >= 2 && parse_is(w->word[1], "alloc"))
        return try_alloc(s, w, out);
    return sess_fail(out, "usage: try free NAME | try alloc SIZE [align A]");
}

/* ---- trace FILE ---- */

/* The furthest byte block `name` of allocator a reaches, into f. */
static void note_block_end(session *s, size_t a, const char *name, compare_figures *f)
{
    size_t keep = s->active;
    s->active = a;
    sess_block *b = sess_find_block(s, name);
    s->active = keep;
    if (b == NULL || !b->live || b->alloc != a)
        return;
    if (b->region > 0)
        f->multi_region = true;
    else if (b->offset + b->size > f->high_water)
        f->high_water = b->offset + b->size;
}

/* Operations between two progress reports. */
#define PROGRESS_EVERY 4096

/* The allocators a trace runs on: the group's members, or the active one. */
static size_t trace_members(const session *s, size_t *member)
{
    if (s->group.count) {
        memcpy(member, s->group.member, s->group.count * sizeof *member);
        return s->group.count;
    }
    member[0] = s->active;
    return 1;
}

/* Operations between two samples of slack and metadata (a walk of every
 * member's spans). */
#define SAMPLE_EVERY 256

/* The most slack and metadata each member had at a sample; at the end,
 * the high-water mark of members with several regions (their capacity). */
static void trace_sample(session *s, const size_t *member, size_t n, compare_figures *f, bool end)
{
    for (size_t i = 0; i < n; i++) {
        size_t keep = s->active;
        s->active = member[i];
        session_stats st;
        session_get_stats(s, &st);
        s->active = keep;
        if (end && f[i].multi_region)
            f[i].high_water = st.capacity;
        if (st.metadata_bytes > f[i].metadata)
            f[i].metadata = st.metadata_bytes;
        size_t slack = compare_slack(s, member[i]);
        if (slack > f[i].slack)
            f[i].slack = slack;
    }
}

static bool trace_default_allocator(session *s, const trace_header *h, strbuf *out);
static bool on_no_allocator(const session *s);

/* FILE's error as a compiler says it: "FILE:LINE: ..." after a line
 * number, "FILE: byte N: ..." or "FILE: ..." otherwise. */
static session_status file_error(strbuf *out, const char *file, const strbuf *err)
{
    const char *e = err->len ? sb_str(err) : "cannot replay it";
    return sess_fail(out, "%s:%s%s", file, isdigit((unsigned char)e[0]) ? "" : " ", e);
}

/* The operation and trace id of a line of a trace's script ("alloc N
 * align A as tID", "realloc tID N", "free tID"); false for any other. */
static bool script_op(const char *line, char *op, size_t *id)
{
    const char *t = line[0] == 'a' ? strstr(line, " as t") : strchr(line, ' ');
    if ((line[0] != 'a' && line[0] != 'r' && line[0] != 'f') || t == NULL)
        return false;
    t += line[0] == 'a' ? 5 : 2;
    char *end;
    unsigned long long v = strtoull(t, &end, 10);
    if (end == t)
        return false;
    *op = line[0];
    *id = (size_t)v;
    return true;
}

/* The trace run as commands, a line a step: on a comparison group (each
 * operation on every member), for the table (json) and for recordings,
 * whose reader writes a script (record.h). */
static session_status trace_line_by_line(session *s, const char *file, bool json, strbuf *out)
{
    strbuf err, script, text;
    sb_init(&err);
    sb_init(&script);
    sb_init(&text);
    trace_header h;
    bool read = sb_read_file(&text, file, (size_t)512 << 20, &err);
    if (!read || !trace_to_script(sb_str(&text), &h, &script, &err)) {
        session_status st = read ? file_error(out, file, &err) : sess_fail(out, "%s", sb_str(&err));
        sb_free(&text);
        sb_free(&err);
        sb_free(&script);
        return st;
    }
    sb_free(&text);
    strbuf note; /* (the JSON table says which allocator in its own words) */
    sb_init(&note);
    bool made = !on_no_allocator(s) || trace_default_allocator(s, &h, json ? &note : out);
    sb_free(&note);
    if (!made) {
        sb_free(&err);
        sb_free(&script);
        return sess_fail(out, "%s: cannot make the free list it replays on (new freelist 4096 grow)", file);
    }
    size_t member[SESS_GROUP_MAX];
    size_t n = trace_members(s, member);
    compare_figures f[SESS_GROUP_MAX];
    memset(f, 0, sizeof f);
    uint64_t ns_before[SESS_GROUP_MAX];
    memcpy(ns_before, s->group.ns, sizeof ns_before);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    strbuf answer;
    sb_init(&answer);
    session_status worst = SESSION_OK;
    size_t total = sb_count_lines(sb_str(&script)), ops = 0, ids = h.ids ? h.ids : 1;
    bool stopped = false;
    /* which ids' allocations failed, member by member: a free or realloc of
     * one fails there too (as the headless engine counts it), and one that
     * fails on every member is no error of the run (the block was never made) */
    unsigned char *dead = calloc(ids, SESS_GROUP_MAX);
    if (dead == NULL) {
        sb_free(&err);
        sb_free(&script);
        return sess_fail(out, "out of memory for the trace's ids");
    }
    for (const char *line = sb_str(&script); *line;) {
        if (ops % PROGRESS_EVERY == 0 && s->progress && !s->replaying &&
            !s->progress(s->progress_user, "trace", ops, total)) {
            stopped = true;
            break;
        }
        size_t len = strcspn(line, "\n");
        char one[96];
        snprintf(one, sizeof one, "%.*s", (int)len, line);
        line += len + (line[len] == '\n');
        size_t before = s->warning_count, id = 0;
        char op = 0;
        bool known = script_op(one, &op, &id) && id < ids, dead_everywhere = known && op != 'a';
        for (size_t i = 0; dead_everywhere && i < n; i++)
            dead_everywhere = dead[id * SESS_GROUP_MAX + i];
        sb_clear(&answer);
        if (interp_execute(s, one, &answer).status == SESSION_ERROR && !dead_everywhere)
            worst = SESSION_ERROR;
        ops++;
        bool failed[SESS_GROUP_MAX] = {false};
        for (size_t k = before; k < s->warning_count; k++)
            if (s->warnings[k].kind != WARN_NOOP_FREE) /* a free a bump ignores is no failure */
                failed[s->warnings[k].member >= 0 && (size_t)s->warnings[k].member < n ? s->warnings[k].member : 0] =
                true;
        for (size_t i = 0; known && i < n; i++) {
            unsigned char *d = &dead[id * SESS_GROUP_MAX + i];
            if (op == 'a')
                *d = failed[i];
            else if ((failed[i] |= *d) && op == 'f')
                *d = 0; /* (the id may be allocated again) */
        }
        parse_words pw;
        bool has_name = one[0] != 'f' && parse_split(one, &pw) == NULL && pw.count >= 3;
        for (size_t i = 0; i < n; i++) {
            f[i].ops++;
            f[i].failures += failed[i];
            if (s->allocs[member[i]]->live_bytes > f[i].peak_live)
                f[i].peak_live = s->allocs[member[i]]->live_bytes;
            if (has_name)
                note_block_end(s, member[i], one[0] == 'a' ? pw.word[pw.count - 1] : pw.word[1], &f[i]);
        }
        if (ops % SAMPLE_EVERY == 0)
            trace_sample(s, member, n, f, false);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    trace_sample(s, member, n, f, true);
    for (size_t i = 0; i < n; i++)
        f[i].ns = s->group.count ? (double)(s->group.ns[i] - ns_before[i]) : ns;
    if (stopped)
        sb_printf(out, "trace %s stopped after %zu of %zu operations (each is a step: undo takes them back)\n",
                  file, ops, total);
    if (s->group.count || json) {
        compare_trace_table(s, file, f, n, json, out);
    } else {
        sb_printf(out, "trace %s on %s: %zu operations, %zu failed; peak live %zu bytes, high-water mark %zu "
                       "bytes, utilisation %.1f%%; %.1f ms\n",
                  file, sess_active(s)->name, f[0].ops, f[0].failures, f[0].peak_live, f[0].high_water,
                  f[0].high_water ? 100.0 * (double)f[0].peak_live / (double)f[0].high_water : 0.0, ns / 1e6);
        sb_printf(out, "replay %s\n", f[0].failures || stopped || sb_str(&err)[0] ? "incomplete" : "complete");
    }
    if (sb_str(&err)[0]) { /* a damaged recording: what came before the damage replayed */
        worst = sess_fail(out, "%s: %s", file, sb_str(&err));
    }
    free(dead);
    sb_free(&answer);
    sb_free(&err);
    sb_free(&script);
    s->changed = true;
    /* a failed operation fails the run, whatever follows it */
    size_t failures = 0;
    for (size_t i = 0; i < n; i++)
        failures += f[i].failures;
    return worst == SESSION_OK && failures ? SESSION_EXPECT_FAILED : worst;
}

/* The allocator a trace replays on when there is none: as mdriver's heap,
 * a free list that starts at a page and grows at its end like sbrk (up to
 * allocscope's 1 GiB); the header's size is only a suggestion. */
static bool trace_default_allocator(session *s, const trace_header *h, strbuf *out)
{
    strbuf ignore;
    sb_init(&ignore);
    session_outcome oc = {0};
    session_status st = run_line(s, "new freelist 4096 grow", &ignore, &oc);
    sb_free(&ignore);
    if (st != SESSION_OK || s->alloc_count == 0)
        return false;
    sb_add(out, s->alloc_count > 1 ? "(the default bump was never used: the trace replays instead on a free list whose "
                                     "heap grows like mdriver's sbrk, from 4096 bytes up to 1 GiB"
                                   : "(no allocator yet: a free list whose heap grows like mdriver's sbrk, from 4096 "
                                     "bytes up to 1 GiB");
    if (h->dialect == TRACE_RECORDING)
        sb_add(out, "; a recording of a real program");
    else if (h->dialect != TRACE_CSAPP)
        sb_add(out, "; this dialect suggests no heap size");
    else if (h->heap_size < FREELIST_MIN_BLOCK)
        sb_printf(out, "; the header's suggestion of %zu bytes is below the %d-byte minimum block and is ignored",
                  h->heap_size, FREELIST_MIN_BLOCK);
    else if (h->heap_size > KIND_MAX_BUFFER)
        sb_printf(out, "; the header suggests %zu bytes, more than allocscope's 1 GiB: the heap stops at 1 GiB",
                  h->heap_size);
    else
        sb_printf(out, "; the header suggests %zu bytes, which mdriver too treats as a hint", h->heap_size);
    sb_add(out, ")\n");
    return true;
}

/* Whether a trace finds no allocator of the user's: none at all, or only
 * the untouched default bump a live view starts with. */
static bool on_no_allocator(const session *s)
{
    return s->alloc_count == 0 ||
           (s->alloc_count == 1 && s->allocs[0]->is_default && s->allocs[0]->total_allocated == 0);
}

/* Reads the whole trace once without replaying it: a malformed trace
 * changes nothing. The header then has its peak figures. Progress is
 * reported as "reading trace"; a stop says so in err. */
static bool trace_validate(session *s, FILE *f, trace_header *h, strbuf *err)
{
    trace_stream *ts = trace_stream_open(f, NULL, err);
    if (ts == NULL)
        return false;
    trace_op op;
    int got;
    size_t ops = 0;
    while ((got = trace_stream_next(ts, &op, err)) == 1) {
        if (++ops % (1u << 16) == 0 && s->progress && !s->replaying &&
            !s->progress(s->progress_user, "reading trace", ops, trace_stream_header(ts)->ops)) {
            sb_printf(err, " stopped after reading %zu operations; nothing changed", ops);
            got = -1;
            break;
        }
    }
    *h = *trace_stream_header(ts);
    trace_stream_close(ts);
    return got == 0;
}

static void trace_report(session *s, const char *file, const trace_header *h, const replay_result *r, double ms,
                         bool damaged, strbuf *out)
{
    session_stats st;
    session_get_stats(s, &st); /* once, at the end */
    size_t high_water = r->multi_region ? st.capacity : r->high_water;
    if (r->stopped)
        sb_printf(out, "trace %s stopped after %zu of %zu operations (undo takes the whole trace back)\n", file,
                  r->ops, h->ops);
    sb_printf(out, "trace %s on %s: %zu operations, %zu failed", file, sess_active(s)->name, r->ops, r->failures);
    if (r->failures) {
        sb_add(out, " (");
        bool first = true;
        for (int k = 0; k < REPLAY_FAILURE_KINDS; k++)
            if (r->failed[k]) {
                sb_printf(out, "%s%zu %s", first ? "" : ", ", r->failed[k], replay_failure_name((replay_failure)k));
                first = false;
            }
        sb_addc(out, ')');
    }
    sb_printf(out, "; peak live %zu bytes, high-water mark %zu bytes, utilisation %.1f%%", r->peak_live, high_water,
              high_water ? 100.0 * (double)r->peak_live / (double)high_water : 0.0);
    /* the whole trace's peak is what its header (or the reader) says; a
     * first N replayed only N: their peak is the one the replay saw */
    size_t payload = r->ops < h->ops ? r->peak_live : h->peak_payload;
    if (st.capacity && !r->stopped && !r->failures && !damaged)
        sb_printf(out, "; mdriver's utilisation %.1f%% (peak payload %zu / heap %zu bytes)",
                  100.0 * (double)payload / (double)st.capacity, payload, st.capacity);
    sb_printf(out, "; %.1f ms\n", ms);
    sb_printf(out, "replay %s\n", r->failures || r->stopped || damaged ? "incomplete" : "complete");
}

static bool file_is_recording(const char *file);

/* A trace file or a recording replayed by the engine (replay.c) on the
 * active allocator (none, or the untouched default: a free list growing
 * as mdriver's), at most max_ops operations (SIZE_MAX: all); recorded as
 * one step. A damaged recording replays the operations before its damage
 * and says where it is ("FILE: byte N: ..."); the replay is incomplete. */
static session_status trace_with_engine(session *s, const char *file, size_t max_ops, strbuf *out)
{
    FILE *f = fopen(file, "r");
    if (f == NULL)
        return sess_fail(out, "cannot open '%s'", file);
    strbuf err;
    sb_init(&err);
    trace_header h = {0};
    trace_stream *ts = NULL;
    strbuf damage;
    sb_init(&damage);
    /* a recording is read once, as it replays: the part before a damage
     * replays anyway; a trace is read whole first, so a malformed one
     * changes nothing */
    bool rec = file_is_recording(file);
    bool valid = rec || trace_validate(s, f, &h, &err);
    size_t recorded = s->history_count;
    if (!valid || fseek(f, 0, SEEK_SET) != 0 ||
        (ts = trace_stream_open(f, rec ? &h : NULL, &err)) == NULL ||
        (on_no_allocator(s) && !trace_default_allocator(s, &h, out))) {
        session_status st = file_error(out, file, &err);
        trace_stream_close(ts);
        fclose(f);
        sb_free(&err);
        sb_free(&damage);
        return st;
    }
    /* the free list made for it is the trace's, not a step of its own: the
     * trace's record makes it again (a saved session sourced, or undo,
     * numbers the steps as they were) */
    sess_unrecord(s, recorded);
    /* the trace is a step, and its blocks are made at it (as undo and
     * rewind, which replay it, number them too) */
    s->step++;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    replay_result r;
    bool ok = replay_trace(s, ts, max_ops, &r, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rec) {
        h = *trace_stream_header(ts); /* its peak figures, as far as it was read */
        if (!ok) {
            sb_add(&damage, sb_str(&err)); /* "byte N: ...": the part before it replayed */
            ok = true;
        }
    }
    trace_stream_close(ts);
    fclose(f);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (!ok) /* cannot happen after validation, unless the file changed */
        sb_printf(out, "%s:%s (the operations before it were done)\n", file, sb_str(&err));
    trace_report(s, file, &h, &r, ms, damage.len > 0, out);
    s->trace_incomplete = !ok || r.failures || r.stopped || damage.len;
    if (!s->replaying) { /* one step: undo and rewind replay it whole, or the part that was done */
        strbuf line;
        sb_init(&line);
        sb_add(&line, "trace ");
        sb_json_string(&line, file);
        if (r.stopped || max_ops != SIZE_MAX || damage.len)
            sb_printf(&line, " first %zu", r.ops);
        sess_record(s, sb_str(&line));
        sb_free(&line);
    }
    /* failed operations fail the command as a failed expect does (exit 1 in
     * batch mode), after the report; a stop by the user does not */
    session_status st = r.failures ? SESSION_EXPECT_FAILED : SESSION_OK;
    if (damage.len && !s->replaying) /* the part that replayed is a step, though the command fails */
        st = sess_fail(out, "%s: %s", file, sb_str(&damage));
    sb_free(&err);
    sb_free(&damage);
    s->changed = true;
    return st;
}

/* Whether file starts like a recording (record.h); false if unreadable. */
static bool file_is_recording(const char *file)
{
    char head[64] = "";
    strbuf err;
    sb_init(&err);
    FILE *f = lineio_fopen(file, &err);
    sb_free(&err);
    if (f == NULL)
        return false;
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    return record_is_recording(head);
}

/* trace FILE [first N] [json] */
static session_status cmd_trace(session *s, const parse_words *w, strbuf *out)
{
    size_t max_ops = SIZE_MAX, n = w->count;
    bool json = n >= 3 && parse_is(w->word[n - 1], "json");
    n -= json;
    if (!(n == 2 || (n == 4 && parse_is(w->word[2], "first") && parse_uint(w->word[3], &max_ops) == NULL)))
        return sess_fail(out, "usage: trace FILE [first N] [json] (a malloc-lab trace: a ID BYTES | r ID BYTES | f ID)");
    char why[256];
    const char *bad = lineio_check_path(w->word[1], why, sizeof why);
    if (bad)
        return sess_fail(out, "%s", bad);
    /* the glibc view hands out a recording's own blocks, by its script */
    bool glibc = s->alloc_count && !strcmp(sess_active(s)->kind->name, "glibc") && file_is_recording(w->word[1]);
    if (s->group.count || json || glibc) {
        if (max_ops != SIZE_MAX)
            return sess_fail(out, "trace FILE first N replays on one allocator only (not with json, a comparison or the glibc view)");
        return trace_line_by_line(s, w->word[1], json, out);
    }
    return trace_with_engine(s, w->word[1], max_ops, out);
}

bool interp_trace_complete(const session *s) { return !s->trace_incomplete; }

/* ---- completion ---- */

typedef struct candidates {
    const char **out;
    size_t count, max;
} candidates;

static void offer(candidates *c, const char *word)
{
    if (c->count < c->max)
        c->out[c->count++] = word;
}

static void offer_list(candidates *c, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        offer(c, words[i]);
}

static void offer_blocks(candidates *c, const session *s, bool live_only)
{
    for (size_t i = s->block_count; i-- > 0;) {
        const sess_block *b = sess_blk(s, i);
        if (!b->named || (live_only && (!b->live || b->alloc != s->active)))
            continue;
        const char *name = sess_label(s, b);
        bool seen = false;
        for (size_t k = 0; k < c->count && !seen; k++)
            seen = strcmp(c->out[k], name) == 0;
        if (!seen)
            offer(c, name);
    }
}

static void offer_types(candidates *c, const session *s, bool primitives)
{
    if (primitives)
        offer_list(c, types_primitive_names, types_primitive_count);
    for (size_t i = 0; i < types_count(s->types); i++)
        offer(c, types_at(s->types, i)->name);
}

static void complete_new(candidates *c, const session *s, const parse_words *w)
{
    if (w->count <= 1) {
        offer_list(c, kind_names, kind_count);
        return;
    }
    const char *prev = w->word[w->count - 1];
    if (parse_is(prev, "over")) {
        for (size_t i = 0; i < kind_count; i++)
            if (kind_rows[i].can & KIND_CAN_BACK)
                offer(c, kind_rows[i].name);
        return;
    }
    const kind_row *k = kind_find(w->word[1]);
    if (k == NULL)
        return;
    for (const char *const *o = k->options; *o; o++)
        offer(c, *o);
    offer(c, "as");
    if (k->can & KIND_TYPED)
        offer_types(c, s, false);
}

size_t interp_complete(const session *s, const char *line, size_t start, const char **out, size_t max)
{
    candidates c = {out, 0, max};
    char before[PARSE_MAX_LINE + 1];
    size_t n = start < sizeof before - 1 ? start : sizeof before - 1;
    memcpy(before, line, n);
    before[n] = '\0';
    parse_words w;
    if (parse_split(before, &w) != NULL)
        return 0;
    if (w.count == 0 || s == NULL) {
        if (w.count)
            return 0;
        for (size_t i = 0; i < COMMAND_COUNT; i++)
            offer(&c, commands[i].name);
        return c.count;
    }
    const command *cmd = find_command(w.word[0]);
    complete_kind kind = cmd ? cmd->complete : COMPLETE_NONE;
    if (kind == COMPLETE_TRY) {
        if (w.count == 1) {
            offer(&c, "free");
            offer(&c, "alloc");
            return c.count;
        }
        cmd = find_command(w.word[1]);
        kind = cmd && (parse_is(w.word[1], "free") || parse_is(w.word[1], "alloc")) ? cmd->complete
                                                                                      : COMPLETE_NONE;
        /* complete as the tried command: its words start one later */
        for (size_t i = 1; i < w.count; i++)
            w.word[i - 1] = w.word[i];
        w.count--;
    }
    size_t arg = w.count; /* which word after the command's name is completed: 1, 2, ... */
    switch (kind) {
    case COMPLETE_COMMANDS:
        if (arg == 1)
            for (size_t i = 0; i < COMMAND_COUNT; i++)
                offer(&c, commands[i].name);
        break;
    case COMPLETE_NEW:
        if (parse_is(w.word[0], "compare") && arg == 1) {
            offer(&c, "off");
            for (size_t i = 0; i < s->alloc_count; i++)
                offer(&c, s->allocs[i]->name);
        }
        complete_new(&c, s, &w);
        break;
    case COMPLETE_SWITCH:
        if (arg == 1) {
            for (size_t i = 0; i < s->alloc_count; i++)
                offer(&c, s->allocs[i]->name);
            offer_list(&c, kind_names, kind_count);
        }
        break;
    case COMPLETE_ALLOC: {
        static const char *const opts[] = {"align", "as"};
        if (arg == 1)
            offer_types(&c, s, true);
        else
            offer_list(&c, opts, 2);
        break;
    }
    case COMPLETE_STRUCTS:
        if (arg == 1)
            offer_types(&c, s, false);
        break;
    case COMPLETE_LIVE:
        if (arg == 1)
            offer_blocks(&c, s, true);
        break;
    case COMPLETE_BLOCKS:
        if (arg == 1)
            offer_blocks(&c, s, false);
        break;
    case COMPLETE_SHOW: {
        static const char *const opts[] = {"addresses", "offsets"};
        if (arg == 1) {
            offer_list(&c, opts, 2);
            offer_blocks(&c, s, false);
        }
        break;
    }
    case COMPLETE_RESET: {
        static const char *const opts[] = {"free-all", "retain", "limit"};
        if (arg == 1)
            offer_list(&c, opts, 3);
        break;
    }
    case COMPLETE_EXPECT: {
        static const char *const what[] = {"offset", "block", "live", "padding", "used", "metadata",
                                           "peak", "stat", "warning", "warnings", "no", "type",
                                           "allocator", "in", "slack", "damaged", "free", "bytes"};
        static const char *const props[] = {"offset", "size", "padding", "align", "region", "slot",
                                            "slack", "damaged", "live", "freed"};
        static const char *const figures[] = {"capacity", "live_blocks", "live_bytes", "padding_bytes",
                                              "metadata_bytes", "freed_bytes", "unused_bytes",
                                              "slack_bytes", "damaged_bytes", "unknown_bytes", "peak_bytes",
                                              "total_allocated", "total_freed"};
        if (arg == 1)
            offer_list(&c, what, sizeof what / sizeof what[0]);
        else if (parse_is(w.word[1], "block"))
            arg == 2 ? offer_blocks(&c, s, false) : offer_list(&c, props, sizeof props / sizeof props[0]);
        else if (parse_is(w.word[1], "warning") && arg == 2)
            offer_list(&c, warn_names, WARN_KIND_COUNT);
        else if (parse_is(w.word[1], "no") && arg == 2)
            offer(&c, "warnings");
        else if (parse_is(w.word[1], "type") && arg == 2)
            offer_types(&c, s, true);
        else if ((parse_is(w.word[1], "allocator") || parse_is(w.word[1], "in")) && arg == 2)
            for (size_t i = 0; i < s->alloc_count; i++)
                offer(&c, s->allocs[i]->name);
        else if (parse_is(w.word[1], "stat") && arg == 2)
            offer_list(&c, figures, sizeof figures / sizeof figures[0]);
        break;
    }
    case COMPLETE_ZOOM:
        if (arg == 1)
            offer(&c, "fit");
        break;
    case COMPLETE_DUMP:
        if (arg == 1)
            offer(&c, "json");
        break;
    case COMPLETE_TRY:
    case COMPLETE_FILE:
    case COMPLETE_NONE:
        break;
    }
    return c.count;
}
