/*
 * session.c - the session model and the command dispatcher (see
 * session.h). Command handlers live in allocators.c, commands.c,
 * reports.c and expect.c; they share session_internal.h.
 *
 * Every successful command is one step. Commands that change the state are
 * recorded; undo and rewind rebuild the state by replaying the record on a
 * fresh state, so a step back is exact.
 */
#include "session_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "allocscope/jsonout.h"

typedef enum cmd_flags {
    CMD_QUERY = 0,        /* reads the state only */
    CMD_MUTATES = 1,      /* recorded in the history */
} cmd_flags;

typedef struct command {
    const char *name;
    sess_handler run;
    cmd_flags flags;
    const char *usage;
    const char *help;
} command;

static session_status cmd_help(session *s, const parse_words *w, strbuf *out);
static session_status cmd_note(session *s, const parse_words *w, strbuf *out);
static session_status cmd_pause(session *s, const parse_words *w, strbuf *out);
static session_status cmd_undo(session *s, const parse_words *w, strbuf *out);
static session_status cmd_source(session *s, const parse_words *w, strbuf *out);
static session_status cmd_save(session *s, const parse_words *w, strbuf *out);
static session_status cmd_dump(session *s, const parse_words *w, strbuf *out);
static session_status cmd_quit(session *s, const parse_words *w, strbuf *out);
static session_status cmd_zoom(session *s, const parse_words *w, strbuf *out);

static const command commands[] = {
    {"new", cmd_new, CMD_MUTATES, "new KIND [SIZE] [options] [as NAME]",
     "create an allocator and make it active\n"
     "  kinds: bump, fixed, stack, arena, pool, debug, counting, freelist, buddy. Examples: new bump 4096 | new pool 24 align 8 capacity 16 |\n"
     "  new pool Entity | new arena over bump 8192 | new debug 8192 | new counting over freelist 4096 |\n"
     "  new freelist 4096 best-fit | new buddy 1024 | new debug 8192 limit 1k (a memory limit)"},
    {"switch", cmd_switch, CMD_MUTATES, "switch NAME|KIND",
     "make another allocator active (a kind that does not exist yet is created with defaults)"},
    {"alloc", cmd_alloc, CMD_MUTATES, "alloc SIZE [align A] [as NAME] | alloc TYPE[N] [as NAME]",
     "allocate a block, or a typed array\n"
     "  SIZE: 100, 4k, 2MiB; A: a power of two from 1 to 4096 (default 1);\n"
     "  types: u32[10] (40 bytes, align 4), u64, f32[3], or a struct you defined"},
    {"free", cmd_free, CMD_MUTATES, "free [NAME|#ID]",
     "free a block (no argument: the most recent live block of the active allocator)"},
    {"resize", cmd_resize, CMD_MUTATES, "resize NAME SIZE", "grow or shrink a block in place, or fail"},
    {"realloc", cmd_realloc, CMD_MUTATES, "realloc NAME SIZE",
     "resize in place if possible, else allocate, copy and free (the block may move)"},
    {"reset", cmd_reset, CMD_MUTATES, "reset [free-all|retain|limit N]",
     "release every block of the active allocator at once (arena modes: free-all, retain, limit N)"},
    {"write", cmd_write, CMD_MUTATES, "write NAME [OFFSET] LEN|\"text\"",
     "write bytes into a block's real memory (writes after free and past the end are caught)"},
    {"read", cmd_read, CMD_QUERY, "read NAME [OFFSET LEN]", "show a block's bytes in hex"},
    {"try", cmd_try, CMD_QUERY, "try free NAME | try alloc ...",
     "dry run: say what the operation would do and which rule it would break, without doing it"},
    {"bins", cmd_bins, CMD_QUERY, "bins", "show the free structures (free lists, buddy orders) as chains"},
    {"freelist", cmd_bins, CMD_QUERY, "freelist", "same as bins"},
    {"blocks", cmd_blocks, CMD_QUERY, "blocks", "list the active allocator's blocks"},
    {"stats", cmd_stats, CMD_QUERY, "stats", "figures of the active allocator"},
    {"leaks", cmd_leaks, CMD_MUTATES, "leaks", "report every live block as a leak, as a deinit would"},
    {"check", cmd_check, CMD_MUTATES, "check",
     "verify the allocator's invariants (and, for debug, its guards and poison)"},
    {"undo", cmd_undo, CMD_QUERY, "undo", "go back to the state before the last change"},
    {"help", cmd_help, CMD_QUERY, "help [COMMAND]", "list the commands, or explain one"},
    {"note", cmd_note, CMD_MUTATES, "note TEXT", "a caption (shown large during playback)"},
    {"pause", cmd_pause, CMD_MUTATES, "pause", "during playback, wait for a key"},
    {"expect", cmd_expect, CMD_MUTATES, "expect WHAT ...",
     "check the state, so that a script tests itself\n"
     "  expect offset 72 | expect block buf offset 104 size 100 padding 4 |\n"
     "  expect live 2 | expect padding 14 | expect used 72 | expect stat NAME N |\n"
     "  expect warning double-free | expect warnings 2 | expect no warnings |\n"
     "  expect type Entity size 20 align 4 padding 3 | expect allocator NAME"},
    {"source", cmd_source, CMD_QUERY, "source FILE", "run the commands of a file"},
    {"trace", cmd_trace, CMD_QUERY, "trace FILE",
     "replay a malloc-lab trace on the active allocator\n"
     "  lines a ID BYTES | r ID BYTES | f ID; reports operations, failures, peak live bytes,\n"
     "  high-water mark, utilisation and time"},
    {"save", cmd_save, CMD_QUERY, "save FILE", "write the session so far as a replayable script"},
    {"dump", cmd_dump, CMD_QUERY, "dump json", "print the state as one JSON object"},
    {"show", cmd_show, CMD_QUERY, "show NAME | show addresses | show offsets",
     "hex dump of a block with padding and guard bytes marked; or switch how positions are shown"},
    {"zoom", cmd_zoom, CMD_MUTATES, "zoom N|fit", "bytes per cell of the map (a power of two), or fit"},
    {"struct", NULL, CMD_MUTATES, "struct NAME { TYPE FIELD; ... }",
     "define a struct with C layout rules (may span lines); 'packed struct' has no padding"},
    {"layout", cmd_layout, CMD_QUERY, "layout NAME", "draw a struct's bytes: fields and padding"},
    {"types", cmd_types, CMD_QUERY, "types", "list the defined structs"},
    {"quit", cmd_quit, CMD_QUERY, "quit", "leave allocscope"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

const char *const session_command_names[] = {
    "new", "switch", "alloc", "free", "resize", "realloc", "reset", "write", "read", "try",
    "bins", "freelist", "blocks", "stats", "leaks", "check", "undo", "help", "note", "pause",
    "expect", "source", "trace", "save", "dump", "show", "zoom", "struct", "packed", "layout", "types",
    "quit",
};
const size_t session_command_count = sizeof session_command_names / sizeof session_command_names[0];

/* ---- lifecycle ---- */

session *session_create(void)
{
    session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->types = types_create();
    if (s->types == NULL) {
        free(s);
        return NULL;
    }
    sb_init(&s->pending);
    /* epochs of different sessions never meet: a view that indexed blocks
     * of a session destroyed since cannot mistake a new one for it */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    s->blocks_epoch = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    return s;
}

/* Frees everything that a replay rebuilds; keeps the history. */
static void clear_state(session *s)
{
    for (size_t i = s->alloc_count; i-- > 0;)
        sess_allocator_destroy(s->allocs[i]);
    s->alloc_count = 0;
    s->active = 0;
    s->block_count = 0;
    s->blocks_epoch++;
    for (size_t i = 0; i < s->names.count; i++)
        free(s->names.chunks[i]);
    s->names.count = s->names.used = 0;
    if (s->name_slots)
        memset(s->name_slots, 0, s->name_cap * sizeof *s->name_slots);
    s->name_used = 0;
    for (size_t i = 0; i < s->warning_count; i++)
        free(s->warnings[i].message);
    s->warning_count = 0;
    types_destroy(s->types);
    s->types = types_create();
    s->step = 0;
    s->zoom = 0;
    s->show_addresses = false;
    free(s->last_note);
    s->last_note = NULL;
    sb_clear(&s->pending);
}

void session_destroy(session *s)
{
    if (s == NULL)
        return;
    clear_state(s);
    types_destroy(s->types);
    for (size_t i = 0; i < s->chunk_count; i++)
        free(s->block_chunks[i]);
    free(s->block_chunks);
    free(s->names.chunks);
    free(s->name_slots);
    free(s->warnings);
    for (size_t i = 0; i < s->history_count; i++)
        free(s->history[i]);
    free(s->history);
    free(s->spans);
    sb_free(&s->pending);
    free(s);
}

/* ---- shared helpers for the handlers ---- */

session_status sess_fail(strbuf *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_add(out, "error: ");
    sb_vprintf(out, fmt, ap);
    va_end(ap);
    sb_addc(out, '\n');
    return SESSION_ERROR;
}

void sess_warn(session *s, const char *kind, const char *fmt, ...)
{
    if (s->warning_count == s->warning_cap) {
        size_t cap = s->warning_cap ? s->warning_cap * 2 : 16;
        sess_warning *grown = realloc(s->warnings, cap * sizeof *grown);
        if (grown == NULL)
            return;
        s->warnings = grown;
        s->warning_cap = cap;
    }
    strbuf msg;
    sb_init(&msg);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&msg, fmt, ap);
    va_end(ap);
    sess_warning *w = &s->warnings[s->warning_count++];
    snprintf(w->kind, sizeof w->kind, "%s", kind);
    w->step = s->step;
    w->message = msg.data ? msg.data : calloc(1, 1);
    s->changed = true;
}

sess_allocator *sess_active(const session *s)
{
    return s->alloc_count ? s->allocs[s->active] : NULL;
}

/* ---- the name pool and the name index ---- */

static uint32_t intern(session *s, const char *text)
{
    size_t n = strlen(text) + 1;
    sess_names *p = &s->names;
    if (n > SESS_NAME_CHUNK)
        return 0;
    if (p->count == 0 || p->used + n > SESS_NAME_CHUNK) {
        char **grown = realloc(p->chunks, (p->count + 1) * sizeof *grown);
        if (grown == NULL)
            return 0;
        p->chunks = grown;
        if ((p->chunks[p->count] = malloc(SESS_NAME_CHUNK)) == NULL)
            return 0;
        p->count++;
        p->used = 0;
    }
    memcpy(p->chunks[p->count - 1] + p->used, text, n);
    size_t ref = (p->count - 1) * SESS_NAME_CHUNK + p->used + 1;
    p->used += n;
    return ref > UINT32_MAX ? 0 : (uint32_t)ref;
}

const char *sess_name(const session *s, uint32_t ref)
{
    if (ref == 0)
        return "";
    size_t at = ref - 1;
    return s->names.chunks[at / SESS_NAME_CHUNK] + at % SESS_NAME_CHUNK;
}

static size_t hash_name(const char *name)
{
    size_t h = 1469598103934665603u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}

/* The slot of name in the index: the one holding it, or the empty one
 * where it would go. */
static uint32_t *name_slot(const session *s, const char *name)
{
    size_t mask = s->name_cap - 1;
    for (size_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
        uint32_t v = s->name_slots[i];
        if (v == 0 || strcmp(sess_name(s, sess_blk(s, v - 1)->label), name) == 0)
            return &s->name_slots[i];
    }
}

static bool index_name(session *s, size_t block)
{
    if ((s->name_used + 1) * 2 > s->name_cap) {
        size_t cap = s->name_cap ? s->name_cap * 2 : 64;
        uint32_t *old = s->name_slots;
        size_t old_cap = s->name_cap;
        s->name_slots = calloc(cap, sizeof *s->name_slots);
        if (s->name_slots == NULL) {
            s->name_slots = old;
            return false;
        }
        s->name_cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i])
                *name_slot(s, sess_name(s, sess_blk(s, old[i] - 1)->label)) = old[i];
        free(old);
    }
    uint32_t *slot = name_slot(s, sess_name(s, sess_blk(s, block)->label));
    if (*slot == 0)
        s->name_used++;
    *slot = (uint32_t)block + 1;
    return true;
}

const char *sess_label(const session *s, const sess_block *b) { return sess_name(s, b->label); }

/* The block with that name or #id: names belong to their allocator, so
 * the active allocator's blocks come first; then the most recent, live
 * before freed. */
sess_block *sess_find_block(const session *s, const char *name)
{
    if (name[0] == '#') {
        size_t v;
        if (parse_uint(name + 1, &v) || v == 0 || v > s->block_count)
            return NULL;
        return sess_blk(s, v - 1); /* ids are indexes + 1 */
    }
    if (s->name_cap == 0)
        return NULL;
    uint32_t v = *name_slot(s, name);
    if (v == 0)
        return NULL;
    sess_block *newest = sess_blk(s, v - 1);
    if (newest->live && newest->alloc == s->active)
        return newest;
    /* rarer: the newest is freed or elsewhere; prefer the active
     * allocator's, live before freed, then the most recent */
    sess_block *best = NULL;
    int best_rank = -1;
    for (size_t i = s->block_count; i-- > 0;) {
        sess_block *b = sess_blk(s, i);
        if (!b->named || strcmp(sess_label(s, b), name) != 0)
            continue;
        int rank = (b->alloc == s->active) * 2 + b->live;
        if (rank > best_rank) {
            best = b;
            best_rank = rank;
            if (rank == 3)
                break;
        }
    }
    return best;
}

sess_block *sess_last_live(const session *s)
{
    const sess_allocator *a = sess_active(s);
    for (size_t i = a ? a->block_count : 0; i-- > 0;) {
        sess_block *b = sess_blk(s, a->block_index[i]);
        if (b->live)
            return b;
    }
    return NULL;
}

sess_block *sess_block_by_ptr(const session *s, size_t alloc, const void *ptr)
{
    const sess_allocator *a = s->allocs[alloc];
    for (size_t i = a->block_count; i-- > 0;) {
        sess_block *b = sess_blk(s, a->block_index[i]);
        if (b->ptr == ptr)
            return b;
    }
    return NULL;
}

sess_block *sess_add_block(session *s, size_t alloc, const char *name, const char *type)
{
    sess_allocator *a = s->allocs[alloc];
    if (a->block_count == a->block_cap) {
        size_t cap = a->block_cap ? a->block_cap * 2 : 64;
        uint32_t *grown = realloc(a->block_index, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        a->block_index = grown;
        a->block_cap = cap;
    }
    if (s->block_count == s->chunk_count * SESS_BLOCK_CHUNK) {
        sess_block **grown = realloc(s->block_chunks, (s->chunk_count + 1) * sizeof *grown);
        if (grown == NULL)
            return NULL;
        s->block_chunks = grown;
        if ((s->block_chunks[s->chunk_count] = malloc(SESS_BLOCK_CHUNK * sizeof(sess_block))) == NULL)
            return NULL;
        s->chunk_count++;
    }
    size_t index = s->block_count;
    sess_block *b = sess_blk(s, index);
    memset(b, 0, sizeof *b);
    b->id = (uint32_t)index + 1;
    b->alloc = (uint16_t)alloc;
    char label[16];
    snprintf(label, sizeof label, "#%u", b->id);
    b->named = name && *name;
    b->label = intern(s, b->named ? name : label);
    b->type = type && *type ? intern(s, type) : 0;
    if (b->label == 0 || (b->named && !index_name(s, index)))
        return NULL;
    a->block_index[a->block_count++] = (uint32_t)index;
    s->block_count++;
    return b;
}

static void collect_span(void *user, const as_span *sp)
{
    session *s = user;
    if (s->span_count == s->span_cap) {
        size_t cap = s->span_cap ? s->span_cap * 2 : 256;
        as_span *grown = realloc(s->spans, cap * sizeof *grown);
        if (grown == NULL)
            return;
        s->spans = grown;
        s->span_cap = cap;
    }
    s->spans[s->span_count++] = *sp;
}

void sess_collect_spans(session *s, size_t alloc)
{
    s->span_count = 0;
    as_inspector in = {.span = collect_span, .user = s};
    const sess_allocator *a = s->allocs[alloc];
    a->top.probe->inspect(a->top.a.ctx, &in);
}

/* Region, offset and padding of a block, from the allocator's own spans:
 * the padding is the alignment padding right before the block (or before
 * its header). */
void sess_locate_block(session *s, sess_block *b)
{
    const sess_allocator *a = s->allocs[b->alloc];
    as_location loc;
    if (a->top.probe->locate && a->top.probe->locate(a->top.a.ctx, b->ptr, &loc)) {
        b->region = loc.region > UINT16_MAX ? UINT16_MAX : (uint16_t)loc.region;
        b->offset = loc.offset > UINT32_MAX ? UINT32_MAX : (uint32_t)loc.offset;
        b->padding = loc.padding > UINT32_MAX ? UINT32_MAX : (uint32_t)loc.padding;
        return;
    }
    sess_collect_spans(s, b->alloc);
    for (size_t i = 0; i < s->span_count; i++) {
        const as_span *sp = &s->spans[i];
        if (sp->kind != AS_SPAN_LIVE || sp->block != b->ptr)
            continue;
        b->region = sp->region > UINT16_MAX ? UINT16_MAX : (uint16_t)sp->region;
        b->offset = sp->offset > UINT32_MAX ? UINT32_MAX : (uint32_t)sp->offset;
        b->padding = 0;
        size_t j = i;
        while (j > 0 && s->spans[j - 1].region == sp->region && s->spans[j - 1].kind == AS_SPAN_META &&
               s->spans[j - 1].meta == AS_META_HEADER)
            j--;
        if (j > 0 && s->spans[j - 1].region == sp->region && s->spans[j - 1].kind == AS_SPAN_PADDING &&
            s->spans[j - 1].meta != AS_META_TAIL)
            b->padding = (uint32_t)s->spans[j - 1].len;
        return;
    }
}

typedef struct region_query {
    const unsigned char *p;
    size_t len;
    bool inside;
} region_query;

static void region_cb(void *user, uint32_t r, const void *base, size_t size)
{
    (void)r;
    region_query *q = user;
    const unsigned char *b = base;
    if (q->p >= b && q->len <= size && q->p - b <= (ptrdiff_t)(size - q->len))
        q->inside = true;
}

bool sess_region_holds(session *s, size_t alloc, const void *ptr, size_t len)
{
    region_query q = {ptr, len, false};
    as_inspector in = {.region = region_cb, .user = &q};
    const sess_allocator *a = s->allocs[alloc];
    a->top.probe->inspect(a->top.a.ctx, &in);
    return q.inside;
}

void sess_describe_size(size_t bytes, char *buf, size_t cap)
{
    snprintf(buf, cap, "%zu byte%s", bytes, bytes == 1 ? "" : "s");
}

/* ---- dispatch ---- */

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (parse_is(name, commands[i].name))
            return &commands[i];
    return NULL;
}

static bool record_line(session *s, const char *line)
{
    if (s->history_count == s->history_cap) {
        size_t cap = s->history_cap ? s->history_cap * 2 : 64;
        char **grown = realloc(s->history, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        s->history = grown;
        s->history_cap = cap;
    }
    size_t n = strcspn(line, "\r\n");
    char *copy = strndup(line, n);
    if (copy == NULL)
        return false;
    s->history[s->history_count++] = copy;
    return true;
}

static bool opens_struct(const parse_words *w)
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
            sb_printf(out, "struct %s: %zu bytes, align %zu, %zu bytes of padding\n", t->name,
                      t->size, t->align, types_padding(t));
        if (!s->replaying)
            record_line(s, sb_str(&s->pending));
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
    const char *hint = parse_suggest(name, session_command_names, session_command_count);
    if (hint)
        return sess_fail(out, "unknown command '%s' (did you mean '%s'? type help for the list)",
                         name, hint);
    return sess_fail(out, "unknown command '%s' (type help for the list)", name);
}

session_status sess_run_line(session *s, const char *line, strbuf *out, session_outcome *oc)
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
    } else if (long_struct || s->pending.len || opens_struct(w)) {
        st = define_struct(s, line, out, oc);
    } else if (w->count == 0) {
        st = SESSION_OK;
    } else {
        const command *c = find_command(w->word[0]);
        if (c == NULL || c->run == NULL) {
            st = unknown_command(w->word[0], out);
        } else {
            bool mutates = c->flags & CMD_MUTATES;
            oc->pause = c->run == cmd_pause;
            oc->note = c->run == cmd_note;
            st = c->run(s, w, out);
            if (st != SESSION_ERROR && mutates && !s->replaying)
                record_line(s, line);
        }
    }
    free(w);
    return st;
}

session_outcome session_execute(session *s, const char *line, strbuf *out)
{
    session_outcome oc = {SESSION_OK, false, false, false, false};
    s->changed = false;
    size_t step_before = s->step;
    s->step++;
    oc.status = sess_run_line(s, line, out, &oc);
    parse_words probe;
    bool blank = parse_split(line, &probe) == NULL && probe.count == 0 && !oc.pending;
    if (oc.status == SESSION_ERROR || blank || oc.pending)
        s->step = step_before;
    oc.changed = s->changed;
    return oc;
}

void session_ensure_default(session *s, strbuf *out)
{
    if (s->alloc_count == 0 && sess_create_default(s, out))
        record_line(s, "new " SESSION_DEFAULT_KIND " 4096");
}

void session_set_sandbox(session *s, bool on) { s->sandbox = on; }

void session_set_progress(session *s, session_progress_fn fn, void *user)
{
    s->progress = fn;
    s->progress_user = user;
}

const char *session_check(const session *s)
{
    for (size_t i = 0; i < s->alloc_count; i++) {
        const sess_allocator *a = s->allocs[i];
        const char *why = a->top.probe->check ? a->top.probe->check(a->top.a.ctx) : NULL;
        if (why)
            return why;
    }
    return NULL;
}

bool session_rewind(session *s, size_t steps)
{
    if (steps > s->history_count)
        return false;
    clear_state(s);
    for (size_t i = steps; i < s->history_count; i++)
        free(s->history[i]);
    s->history_count = steps;
    strbuf sink;
    sb_init_discard(&sink);
    s->replaying = true;
    for (size_t i = 0; i < s->history_count; i++) {
        sb_clear(&sink);
        session_execute(s, s->history[i], &sink);
    }
    s->replaying = false;
    sb_free(&sink);
    s->changed = true;
    return true;
}

/* ---- small commands ---- */

static session_status no_more_words(const parse_words *w, size_t n, const char *usage, strbuf *out)
{
    if (w->count > n)
        return sess_fail(out, "unexpected '%s' (usage: %s)", w->word[n], usage);
    return SESSION_OK;
}

static session_status cmd_help(session *s, const parse_words *w, strbuf *out)
{
    (void)s;
    if (w->count >= 2) {
        const command *c = find_command(w->word[1]);
        if (c == NULL)
            return unknown_command(w->word[1], out);
        sb_printf(out, "%s\n  %s\n", c->usage, c->help);
        return SESSION_OK;
    }
    sb_add(out, "commands (help COMMAND for details):\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        sb_printf(out, "  %-44s %.*s\n", commands[i].usage,
                  (int)strcspn(commands[i].help, "\n"), commands[i].help);
    return SESSION_OK;
}

/* Joins words n.. with single spaces. */
static void join_words(const parse_words *w, size_t n, strbuf *out)
{
    for (size_t i = n; i < w->count; i++) {
        if (i > n)
            sb_addc(out, ' ');
        sb_add(out, w->word[i]);
    }
}

static session_status cmd_note(session *s, const parse_words *w, strbuf *out)
{
    strbuf text;
    sb_init(&text);
    join_words(w, 1, &text);
    free(s->last_note);
    s->last_note = strdup(sb_str(&text));
    sb_printf(out, "note: %s\n", sb_str(&text));
    sb_free(&text);
    s->changed = true;
    return SESSION_OK;
}

static session_status cmd_pause(session *s, const parse_words *w, strbuf *out)
{
    (void)s;
    if (no_more_words(w, 1, "pause", out))
        return SESSION_ERROR;
    sb_add(out, "(pause)\n");
    return SESSION_OK;
}

static session_status cmd_quit(session *s, const parse_words *w, strbuf *out)
{
    (void)s, (void)w, (void)out;
    return SESSION_QUIT;
}

static session_status cmd_undo(session *s, const parse_words *w, strbuf *out)
{
    if (no_more_words(w, 1, "undo", out))
        return SESSION_ERROR;
    /* drop trailing notes / pauses / expects too: undo the last change */
    size_t n = s->history_count;
    while (n > 0) {
        n--;
        parse_words pw;
        if (parse_split(s->history[n], &pw) == NULL && pw.count &&
            !parse_is(pw.word[0], "note") && !parse_is(pw.word[0], "pause") &&
            !parse_is(pw.word[0], "expect") && !parse_is(pw.word[0], "zoom") &&
            !parse_is(pw.word[0], "check"))
            break;
    }
    if (s->history_count == 0)
        return sess_fail(out, "nothing to undo");
    char *undone = strdup(s->history[n]);
    session_rewind(s, n);
    sb_printf(out, "undone: %s\n", undone ? undone : "?");
    free(undone);
    return SESSION_OK;
}

static session_status cmd_source(session *s, const parse_words *w, strbuf *out)
{
    if (s->sandbox)
        return sess_fail(out, "source is disabled in this session (no file access)");
    if (w->count != 2)
        return sess_fail(out, "usage: source FILE");
    if (s->source_depth >= 8)
        return sess_fail(out, "source files nest too deeply (at most 8)");
    FILE *f = fopen(w->word[1], "r");
    if (f == NULL)
        return sess_fail(out, "cannot open '%s'", w->word[1]);
    char line[PARSE_MAX_LINE + 2];
    size_t lineno = 0;
    session_status worst = SESSION_OK;
    s->source_depth++;
    bool stopped = false;
    while (fgets(line, sizeof line, f)) {
        if (lineno % 4096 == 0 && lineno > 0 && s->progress && !s->replaying &&
            !s->progress(s->progress_user, "source", lineno, 0)) {
            stopped = true;
            break;
        }
        lineno++;
        strbuf one;
        sb_init(&one);
        session_outcome oc = session_execute(s, line, &one);
        if (oc.status == SESSION_ERROR || oc.status == SESSION_EXPECT_FAILED)
            sb_printf(out, "%s:%zu: ", w->word[1], lineno);
        sb_add(out, sb_str(&one));
        sb_free(&one);
        if (oc.status == SESSION_QUIT)
            break;
        if (oc.status != SESSION_OK && worst == SESSION_OK)
            worst = oc.status;
    }
    s->source_depth--;
    fclose(f);
    if (stopped)
        sb_printf(out, "source %s stopped after %zu lines (each is a step: undo takes them back)\n", w->word[1],
                  lineno);
    s->changed = true; /* the sourced lines were recorded one by one */
    return worst == SESSION_EXPECT_FAILED ? SESSION_EXPECT_FAILED : SESSION_OK;
}

static session_status cmd_save(session *s, const parse_words *w, strbuf *out)
{
    if (s->sandbox)
        return sess_fail(out, "save is disabled in this session (no file access)");
    if (w->count != 2)
        return sess_fail(out, "usage: save FILE");
    FILE *f = fopen(w->word[1], "w");
    if (f == NULL)
        return sess_fail(out, "cannot write '%s'", w->word[1]);
    fprintf(f, "# allocscope session, %zu commands\n", s->history_count);
    for (size_t i = 0; i < s->history_count; i++)
        fprintf(f, "%s\n", s->history[i]);
    bool ok = fclose(f) == 0;
    if (!ok)
        return sess_fail(out, "could not finish writing '%s'", w->word[1]);
    sb_printf(out, "saved %zu commands to %s\n", s->history_count, w->word[1]);
    return SESSION_OK;
}

static session_status cmd_dump(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2 || !parse_is(w->word[1], "json"))
        return sess_fail(out, "usage: dump json");
    json_state(s, out);
    sb_addc(out, '\n');
    return SESSION_OK;
}

static session_status cmd_zoom(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2)
        return sess_fail(out, "usage: zoom N|fit (N bytes per cell, a power of two)");
    if (parse_is(w->word[1], "fit")) {
        s->zoom = 0;
        sb_add(out, "zoom: fit the buffer to the screen\n");
    } else {
        unsigned lg;
        size_t v;
        const char *err = parse_uint(w->word[1], &v);
        if (err || v == 0 || (v & (v - 1)))
            return sess_fail(out, "zoom takes a power of two (1, 2, 4, ...) or fit");
        if (v > ((size_t)1 << 24))
            return sess_fail(out, "zoom is at most 16M bytes per cell");
        (void)lg;
        s->zoom = v;
        sb_printf(out, "zoom: %zu byte%s per cell\n", v, v == 1 ? "" : "s");
    }
    s->changed = true;
    return SESSION_OK;
}

/* ---- accessors ---- */

size_t session_step(const session *s) { return s->step; }
bool session_has_active(const session *s) { return s->alloc_count > 0; }
const char *session_active_name(const session *s) { return s->alloc_count ? sess_active(s)->name : ""; }
const char *session_active_kind(const session *s) { return s->alloc_count ? sess_active(s)->kind : ""; }
const char *session_active_description(const session *s)
{
    return s->alloc_count ? sess_active(s)->desc : "";
}

as_instance session_active_instance(const session *s)
{
    return s->alloc_count ? sess_active(s)->top : (as_instance){0};
}

size_t session_allocator_count(const session *s) { return s->alloc_count; }
const char *session_allocator_name(const session *s, size_t i) { return s->allocs[i]->name; }
size_t session_active_index(const session *s) { return s->active; }

static session_block to_view(const session *s, const sess_block *b)
{
    return (session_block){(int)b->id, sess_label(s, b), sess_name(s, b->type), b->ptr, b->region, b->offset,
                           b->size, (size_t)1 << b->align_log2, b->padding, b->live, b->alloc_step,
                           b->free_step};
}

size_t session_block_count(const session *s)
{
    return s->alloc_count ? sess_active(s)->block_count : 0;
}

session_block session_block_at(const session *s, size_t idx)
{
    const sess_allocator *a = sess_active(s);
    if (a == NULL || idx >= a->block_count)
        return (session_block){0};
    return to_view(s, sess_blk(s, a->block_index[idx]));
}

const void *session_block_ptr_at(const session *s, size_t idx, bool *live)
{
    const sess_block *b = sess_blk(s, s->allocs[s->active]->block_index[idx]);
    *live = b->live;
    return b->ptr;
}

uint64_t session_blocks_epoch(const session *s) { return s->blocks_epoch; }

long session_block_by_ptr(const session *s, const void *ptr)
{
    const sess_allocator *a = sess_active(s);
    long found = -1;
    for (size_t i = 0; a && i < a->block_count; i++) {
        const sess_block *b = sess_blk(s, a->block_index[i]);
        if (b->ptr == ptr && (found < 0 || b->live))
            found = (long)i;
    }
    return found;
}

size_t session_warning_count(const session *s) { return s->warning_count; }

session_warning session_warning_at(const session *s, size_t i)
{
    const sess_warning *w = &s->warnings[i];
    return (session_warning){w->kind, w->step, w->message};
}

void session_get_stats(const session *s, session_stats *out)
{
    as_usage u;
    memset(&u, 0, sizeof u);
    const sess_allocator *a = sess_active(s);
    if (a)
        as_usage_of(a->top.probe, a->top.a.ctx, &u);
    session_stats_from_usage(s, &u, out);
}

void session_stats_from_usage(const session *s, const as_usage *usage, session_stats *out)
{
    memset(out, 0, sizeof *out);
    const sess_allocator *a = sess_active(s);
    if (a == NULL)
        return;
    as_usage u = *usage;
    out->capacity = u.capacity;
    out->has_offset = a->top.probe->offset && a->top.probe->offset(a->top.a.ctx, &out->offset);
    out->live_bytes = u.live_bytes;
    out->live_blocks = u.live_blocks;
    out->padding_bytes = u.padding_bytes;
    out->metadata_bytes = u.metadata_bytes;
    out->freed_bytes = u.freed_bytes;
    out->unused_bytes = u.unused_bytes;
    out->peak_bytes = a->peak_bytes;
    out->total_allocated = a->total_allocated;
    out->total_freed = a->total_freed;
    /* blocks of a non-inspectable allocator (the system heap) */
    if (u.capacity == 0) {
        for (size_t i = 0; i < a->block_count; i++) {
            const sess_block *b = sess_blk(s, a->block_index[i]);
            if (b->live) {
                out->live_blocks++;
                out->live_bytes += b->size;
            }
        }
    }
}

const types_registry *session_types(const session *s) { return s->types; }

void session_memory(const session *s, size_t *tracking, size_t *history)
{
    size_t t = s->chunk_count * (SESS_BLOCK_CHUNK * sizeof(sess_block) + sizeof(sess_block *));
    t += s->names.count * (SESS_NAME_CHUNK + sizeof(char *));
    t += s->name_cap * sizeof *s->name_slots;
    for (size_t i = 0; i < s->alloc_count; i++)
        t += s->allocs[i]->block_cap * sizeof *s->allocs[i]->block_index;
    size_t h = s->history_cap * sizeof *s->history;
    for (size_t i = 0; i < s->history_count; i++)
        h += strlen(s->history[i]) + 1;
    *tracking = t;
    *history = h;
}
size_t session_zoom(const session *s) { return s->zoom; }
bool session_show_addresses(const session *s) { return s->show_addresses; }
const char *session_last_note(const session *s) { return s->last_note ? s->last_note : ""; }

size_t session_block_names(const session *s, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = s->block_count; i-- > 0 && n < max;)
        if (sess_blk(s, i)->named)
            out[n++] = sess_label(s, sess_blk(s, i));
    return n;
}
