/* test_advise.c - the advice: synthetic traces whose right answer is known
 * by construction, the pattern's figures on small scripts, the malloc-lab
 * shapes, bad input, and `advise` at the prompt. */
#include "sessionkit.h"
#include "allocscope/advise.h"
#include "allocscope/trace.h"

/* A CS:APP trace written op by op; every block has its own id. */
typedef struct tb {
    strbuf body;
    size_t ops, ids;
    size_t *size;          /* live size per id, 0: not live */
    size_t live, peak;     /* live bytes, their peak */
    size_t cap;
    uint64_t rng;
} tb;

static void tb_init(tb *t, uint64_t seed, size_t max_ids)
{
    memset(t, 0, sizeof *t);
    sb_init(&t->body);
    t->size = calloc(max_ids, sizeof *t->size);
    t->cap = max_ids;
    t->rng = seed * 2654435761u + 1;
    assert_non_null(t->size);
}

static size_t tb_rand(tb *t, size_t n)
{
    t->rng ^= t->rng << 13;
    t->rng ^= t->rng >> 7;
    t->rng ^= t->rng << 17;
    return (size_t)(t->rng % n);
}

static size_t tb_alloc(tb *t, size_t bytes)
{
    assert_true(t->ids < t->cap);
    size_t id = t->ids++;
    sb_printf(&t->body, "a %zu %zu\n", id, bytes);
    t->size[id] = bytes;
    t->live += bytes;
    if (t->live > t->peak)
        t->peak = t->live;
    t->ops++;
    return id;
}

static void tb_free(tb *t, size_t id)
{
    assert_true(t->size[id] > 0);
    sb_printf(&t->body, "f %zu\n", id);
    t->live -= t->size[id];
    t->size[id] = 0;
    t->ops++;
}

/* Advises the trace so far (and frees the builder). */
static advise_report *tb_advise(tb *t)
{
    strbuf text, err;
    sb_init(&text);
    sb_init(&err);
    sb_printf(&text, "%zu\n%zu\n%zu\n1\n%s", (size_t)1 << 20, t->ids, t->ops, sb_str(&t->body));
    advise_report *r = advise_trace_text(sb_str(&text), &err);
    if (r == NULL)
        fail_msg("not advised: %s", sb_str(&err));
    sb_free(&text);
    sb_free(&err);
    sb_free(&t->body);
    free(t->size);
    return r;
}

static const advise_row *row_named(const advise_report *r, const char *kind)
{
    for (size_t i = 0; i < advise_row_count(r); i++)
        if (strcmp(advise_row_at(r, i)->kind, kind) == 0)
            return advise_row_at(r, i);
    fail_msg("no row %s", kind);
    return NULL;
}

/* The text with the continuation lines joined back (the text wraps its
 * long lines for the live view); the caller frees it. */
static char *unwrapped(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    assert_non_null(out);
    for (const char *p = text; *p; p++) {
        if (p[0] == '\n' && strncmp(p + 1, "    ", 4) == 0)
            *o++ = ' ', p += 4;
        else
            *o++ = *p;
    }
    *o = '\0';
    return out;
}

/* The advised row ran cleanly, is the row the text cites, and the text
 * and JSON name the choice. */
static void assert_advice(const advise_report *r, advise_choice want, const char *kind)
{
    if (advise_pick(r) != want)
        fail_msg("advised %s, wanted %s", advise_choice_name(advise_pick(r)), advise_choice_name(want));
    size_t i = advise_pick_row(r);
    assert_true(i < advise_row_count(r));
    const advise_row *w = advise_row_at(r, i);
    assert_string_equal(w->kind, kind);
    assert_true(w->ran);
    assert_int_equal(w->failures, 0);
    assert_true(w->peak_memory >= advise_pattern_of(r)->peak_live_bytes);
    assert_true(w->ns_per_op > 0);
    strbuf out;
    sb_init(&out);
    advise_text(r, "t.rep", &out);
    char cite[64];
    snprintf(cite, sizeof cite, "row %zu (%s): peak memory %zu bytes", i + 1, kind, w->peak_memory);
    char *flat = unwrapped(sb_str(&out));
    if (strstr(flat, cite) == NULL)
        fail_msg("the advice does not cite '%s':\n%s", cite, flat);
    free(flat);
    assert_non_null(strstr(sb_str(&out), "Try next, at the prompt:\n  compare "));
    /* no line of the text is wider than the live view shows, but the table's */
    for (const char *line = sb_str(&out); *line; line += strcspn(line, "\n") + 1) {
        size_t n = strcspn(line, "\n");
        if (n > 100 && !(line[0] >= '1' && line[0] <= '9') && strncmp(line, "row ", 4) != 0)
            fail_msg("a line of %zu characters: %.*s", n, (int)n, line);
        if (line[n] == '\0')
            break;
    }
    sb_clear(&out);
    advise_json(r, "t.rep", &out);
    char choice[64];
    snprintf(choice, sizeof choice, "\"advice\":{\"choice\":\"%s\",\"row\":%zu", advise_choice_name(want), i + 1);
    if (strstr(sb_str(&out), choice) == NULL)
        fail_msg("JSON without '%s':\n%s", choice, sb_str(&out));
    sb_free(&out);
}

/* 30 frames, each allocating 20 to 40 blocks of any size and freeing them
 * all at its end in a shuffled order: an arena reset per frame. */
static void test_arena_shaped_trace_gets_an_arena(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, 7, 2000);
    size_t first_end = 0;
    for (int frame = 0; frame < 30; frame++) {
        size_t ids[40], n = 20 + tb_rand(&t, 21);
        for (size_t i = 0; i < n; i++)
            ids[i] = tb_alloc(&t, 8 + tb_rand(&t, 392));
        for (size_t i = n; i > 1; i--) {
            size_t j = tb_rand(&t, i), x = ids[i - 1];
            ids[i - 1] = ids[j], ids[j] = x;
        }
        for (size_t i = 0; i < n; i++)
            tb_free(&t, ids[i]);
        if (frame == 0)
            first_end = t.ops;
    }
    size_t peak = t.peak;
    advise_report *r = tb_advise(&t);
    const advise_pattern *p = advise_pattern_of(r);
    assert_int_equal(p->phases, 30);
    assert_int_equal(p->phase_frees, p->frees);
    assert_int_equal(p->phase_at[0] + 1, first_end);
    assert_int_equal(p->bursts, 30);   /* every frame's frees are a burst too */
    assert_int_equal(p->burst_at[0] + 1, first_end);
    assert_int_equal(p->peak_live_bytes, peak);
    assert_int_equal(p->never_freed, 0);
    assert_true(p->lifo_frees * 2 < p->frees);
    assert_advice(r, ADVISE_ARENA, "arena");
    /* the arena, reset at each frame's end, holds about one frame */
    assert_true(row_named(r, "arena")->peak_memory < 2 * peak + 8192);
    assert_true(row_named(r, "bump")->peak_memory > 10 * peak);
    advise_destroy(r);
}

/* Frames like the arena's, but 10 long-lived blocks stay from the start:
 * the live set never empties, so no phase ends, yet each frame's blocks
 * die in a burst, and the advice says an arena per phase is worth a look. */
static void test_bursts_beside_long_lived_blocks(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, 13, 2000);
    for (int i = 0; i < 10; i++)
        tb_alloc(&t, 1000);
    size_t second_end = 0;
    for (int frame = 0; frame < 20; frame++) {
        size_t ids[30];
        for (size_t i = 0; i < 30; i++)
            ids[i] = tb_alloc(&t, 16 + tb_rand(&t, 300));
        for (size_t i = 0; i < 30; i++)
            tb_free(&t, ids[(i * 7) % 30]); /* not LIFO */
        if (frame == 1)
            second_end = t.ops;
    }
    advise_report *r = tb_advise(&t);
    const advise_pattern *p = advise_pattern_of(r);
    assert_int_equal(p->phases, 0);
    assert_int_equal(p->bursts, 20);
    assert_int_equal(p->burst_frees, 600);
    assert_int_equal(p->burst_at[1] + 1, second_end);
    assert_int_equal(p->never_freed, 10);
    strbuf out;
    sb_init(&out);
    advise_text(r, "t.rep", &out);
    char *flat = unwrapped(sb_str(&out));
    char want[160];
    snprintf(want, sizeof want, "Worth a look: 20 bursts free half the live blocks or more at once (100%% of the frees; "
                                "the first after events %zu, %zu,", p->burst_at[0] + 1, second_end);
    if (strstr(flat, want) == NULL)
        fail_msg("no '%s' in:\n%s", want, flat);
    free(flat);
    sb_free(&out);
    advise_destroy(r);
}

/* 44-byte objects (90% of them) churning around a live set that never
 * empties: a pool of 48-byte slots (44 rounded to the alignment of 8). */
static void test_pool_shaped_trace_gets_a_pool(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, 11, 5000);
    size_t live[5000], n = 0;
    size_t small_at_peak = 0, small_live = 0;
    for (int i = 0; i < 100; i++)
        live[n++] = tb_alloc(&t, 44), small_live++;
    small_at_peak = small_live;
    for (int step = 0; step < 3000; step++) {
        if (n > 60 && tb_rand(&t, 2)) {
            size_t k = tb_rand(&t, n), id = live[k];
            small_live -= t.size[id] == 44;
            tb_free(&t, id);
            live[k] = live[--n];
        } else {
            size_t before = t.peak;
            bool small = tb_rand(&t, 10) != 0;
            live[n++] = tb_alloc(&t, small ? 44 : 112 + 16 * tb_rand(&t, 50)); /* the others fill whole 16-byte units */
            small_live += small;
            if (t.peak > before)
                small_at_peak = small_live;
        }
    }
    advise_report *r = tb_advise(&t);
    const advise_pattern *p = advise_pattern_of(r);
    assert_true(p->hot_count >= 1);
    assert_int_equal(p->hot[0].size, 44);
    assert_int_equal(p->top[0].size, 44);
    assert_int_equal(p->phases, 0);
    assert_advice(r, ADVISE_POOL, "pool");
    /* each live 44-byte item wastes 4 bytes of its 48-byte slot; the free
     * list behind the pool may leave a tail under 32 bytes (too small to
     * split off) on the others */
    size_t slack = row_named(r, "pool")->slack;
    assert_true(slack >= 4 * small_at_peak);
    assert_true(slack < 4 * small_at_peak + 32 * (p->peak_live_blocks - small_at_peak));
    advise_destroy(r);
}

/* Pushes and pops of a random depth: every free is of the newest block. */
static void test_lifo_trace_gets_a_stack(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, 5, 5000);
    size_t stackv[64], depth = 0;
    for (int step = 0; step < 4000; step++) {
        if (depth < 60 && (depth == 0 || tb_rand(&t, 100) < 55))
            stackv[depth++] = tb_alloc(&t, 1 + tb_rand(&t, 300));
        else
            tb_free(&t, stackv[--depth]);
    }
    while (depth)
        tb_free(&t, stackv[--depth]);
    advise_report *r = tb_advise(&t);
    const advise_pattern *p = advise_pattern_of(r);
    assert_int_equal(p->lifo_frees, p->frees);
    assert_int_equal(p->frees, p->allocs);
    assert_advice(r, ADVISE_STACK, "stack");
    advise_destroy(r);
}

/* Random sizes freed in random order, the live set never empty and
 * memory reused: no special pattern, so a general-purpose allocator. */
static void test_random_trace_gets_a_general_purpose_allocator(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, 3, 5000);
    size_t live[5000], n = 0;
    for (int step = 0; step < 4000; step++) {
        if (n > 40 && tb_rand(&t, 2)) {
            size_t k = tb_rand(&t, n);
            tb_free(&t, live[k]);
            live[k] = live[--n];
        } else {
            live[n++] = tb_alloc(&t, 1 + tb_rand(&t, 2000));
        }
    }
    advise_report *r = tb_advise(&t);
    const advise_pattern *p = advise_pattern_of(r);
    assert_int_equal(p->hot_count, 0);
    assert_true(p->lifo_frees * 4 < p->frees);
    /* the general-purpose row that held the peak in the least memory */
    const char *kind = advise_row_at(r, advise_pick_row(r))->kind;
    assert_true(!strcmp(kind, "freelist") || !strcmp(kind, "glibc") || !strcmp(kind, "buddy"));
    assert_advice(r, ADVISE_GENERAL, kind);
    const advise_row *picked = advise_row_at(r, advise_pick_row(r));
    const char *const general[] = {"freelist", "glibc", "buddy"};
    for (size_t g = 0; g < 3; g++) {
        const advise_row *w = row_named(r, general[g]);
        if (w->ran && w->failures == 0)
            assert_true(picked->peak_memory <= w->peak_memory);
    }
    advise_destroy(r);
}

/* Everything allocated up front, freed at the end: the maximum is known. */
static void test_fixed_maximum_trace_gets_a_fixed_buffer(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, 9, 1000);
    for (int i = 0; i < 600; i++)
        tb_alloc(&t, 1 + tb_rand(&t, 200));
    size_t peak = t.peak;
    for (size_t id = 0; id < 600; id++)
        tb_free(&t, id);
    advise_report *r = tb_advise(&t);
    const advise_pattern *p = advise_pattern_of(r);
    assert_int_equal(p->bytes_allocated, peak);
    assert_int_equal(p->peak_live_bytes, peak);
    assert_int_equal(p->peak_live_blocks, 600);
    assert_advice(r, ADVISE_FIXED, "fixed");
    /* the fixed buffer holds exactly the blocks and their alignment padding */
    const advise_row *f = row_named(r, "fixed");
    assert_int_equal(f->peak_memory, peak + f->padding);
    assert_int_equal(f->padding, p->align_padding);
    advise_destroy(r);
}

/* The pattern's figures on a script small enough to work out by hand. */
static void test_pattern_figures_by_hand(void **state)
{
    (void)state;
    strbuf err;
    sb_init(&err);
    const uint64_t times[] = {0, 100, 50, 25};
    advise_report *r = advise_script("alloc 1 align 1 as a\nalloc 8 align 64 as b\nfree b\nfree a\n", times, 4, &err);
    assert_non_null(r);
    const advise_pattern *p = advise_pattern_of(r);
    assert_int_equal(p->allocs, 2);
    assert_int_equal(p->frees, 2);
    assert_int_equal(p->align[0], 1);
    assert_int_equal(p->align[6], 1);
    assert_int_equal(p->align_padding, 63);        /* b starts at 64, after a's 1 byte */
    assert_int_equal(p->peak_live_bytes, 9);
    assert_int_equal(p->peak_live_blocks, 2);
    assert_int_equal(p->peak_event, 1);
    assert_int_equal(p->lifo_frees, 2);
    assert_int_equal(p->phases, 1);
    assert_int_equal(p->phase_at[0], 3);
    assert_int_equal(p->life_events.max, 3);       /* a: events 0 to 3 */
    assert_int_equal(p->life_events.median, 3);    /* of 1 (b) and 3 (a), the upper */
    assert_true(p->has_time);
    assert_int_equal(p->life_ns.max, 175);         /* a: 0 to 175 ns */
    assert_int_equal(p->life_ns.median, 175);
    assert_int_equal(p->pow2[0], 1);               /* 1 byte */
    assert_int_equal(p->pow2[3], 1);               /* 8 bytes */
    advise_destroy(r);
    /* a realloc is the same block growing; a free alone frees the newest */
    r = advise_script("alloc 16 as x\nrealloc x 100\nalloc 8\nfree\nfree x\n", NULL, 0, &err);
    assert_non_null(r);
    p = advise_pattern_of(r);
    assert_int_equal(p->allocs, 2);
    assert_int_equal(p->reallocs, 1);
    assert_int_equal(p->frees, 2);
    assert_int_equal(p->bytes_allocated, 124);
    assert_int_equal(p->peak_live_bytes, 108);
    assert_false(p->has_time);
    advise_destroy(r);
    sb_free(&err);
}

/* The malloc-lab shapes: each gets an advice whose row ran cleanly, and
 * the random one (random sizes, random frees) a general-purpose one. */
static void test_malloc_lab_shapes(void **state)
{
    (void)state;
    for (int shape = 0; shape < TRACE_SHAPE_COUNT; shape++) {
        strbuf text, err;
        sb_init(&text);
        sb_init(&err);
        trace_generate((trace_shape)shape, 1, 3000, &text);
        advise_report *r = advise_trace_text(sb_str(&text), &err);
        if (r == NULL)
            fail_msg("%s: %s", trace_shape_name((trace_shape)shape), sb_str(&err));
        const advise_row *w = advise_row_at(r, advise_pick_row(r));
        assert_non_null(w);
        assert_true(w->ran);
        assert_int_equal(w->failures, 0);
        for (size_t i = 0; i < advise_row_count(r); i++)
            if (advise_row_at(r, i)->ran)
                assert_true(advise_row_at(r, i)->ns_per_op > 0);
        if (shape == TRACE_RANDOM)
            assert_int_equal(advise_pick(r), ADVISE_GENERAL);
        advise_destroy(r);
        sb_free(&text);
        sb_free(&err);
    }
}

static void test_bad_input_says_why(void **state)
{
    (void)state;
    static const struct {
        const char *text, *message;
    } bad[] = {
        {"", "not a trace allocscope reads: 1: the trace ends inside its 4-line header"},
        {"garbage\n", "not a trace allocscope reads: 1: header line 1 must be one number"},
        {"100\n2\n1\n1\nx 0 8\n", "not a trace allocscope reads: 5: expected 'a ID BYTES'"},
        {"100\n2\n0\n1\n", "nothing to advise: no allocation in it"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strbuf err;
        sb_init(&err);
        advise_report *r = advise_trace_text(bad[i].text, &err);
        assert_null(r);
        if (strstr(sb_str(&err), bad[i].message) == NULL)
            fail_msg("'%s' instead of '%s'", sb_str(&err), bad[i].message);
        sb_free(&err);
    }
    strbuf err;
    sb_init(&err);
    assert_null(advise_script("new bump 64\nstats\n", NULL, 0, &err));
    assert_string_equal(sb_str(&err), "nothing to advise: no allocation in it");
    sb_free(&err);
}

/* Blocks larger than any allocator here takes: every row says why it
 * could not run, and the advice still comes, without a row. */
static void test_too_large_for_every_allocator(void **state)
{
    (void)state;
    strbuf err, out;
    sb_init(&err);
    sb_init(&out);
    advise_report *r = advise_trace_text("100\n2\n4\n1\na 0 1073741824\na 1 1073741824\nf 0\nf 1\n", &err);
    assert_non_null(r);
    assert_int_equal(advise_pattern_of(r)->peak_live_bytes, (size_t)2 << 30);
    for (size_t i = 0; i < advise_row_count(r); i++) {
        const advise_row *w = advise_row_at(r, i);
        assert_false(w->ran);
        if (strstr(w->why_not, "(at most 1 GiB)") == NULL && strstr(w->why_not, "no hot size") == NULL)
            fail_msg("%s: %s", w->kind, w->why_not);
    }
    assert_int_equal(advise_pick(r), ADVISE_GENERAL);
    assert_int_equal(advise_pick_row(r), SIZE_MAX);
    advise_text(r, "big.rep", &out);
    char *flat = unwrapped(sb_str(&out));
    assert_non_null(strstr(flat, "no allocator here could take it (2147483648 bytes live at most)"));
    free(flat);
    assert_null(strstr(sb_str(&out), "Try next"));
    sb_clear(&out);
    advise_json(r, "big.rep", &out);
    assert_non_null(strstr(sb_str(&out), "\"choice\":\"general\",\"row\":0"));
    advise_destroy(r);
    sb_free(&err);
    sb_free(&out);
}

/* Damaged traces (a byte changed, a line cut, the text truncated) are
 * advised or refused with a reason, never a crash; odd session lines are
 * passed over. */
static void test_damaged_input_is_advised_or_refused(void **state)
{
    (void)state;
    strbuf text;
    sb_init(&text);
    trace_generate(TRACE_RANDOM, 4, 120, &text);
    size_t len = strlen(sb_str(&text));
    uint64_t rng = 99;
    for (int round = 0; round < 150; round++) {
        char *copy = strdup(sb_str(&text));
        assert_non_null(copy);
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        size_t at = (size_t)(rng >> 33) % len;
        static const char junk[] = "0123456789afr -\n9x";
        if (round % 3 == 0)
            copy[at] = junk[(rng >> 20) % (sizeof junk - 1)];
        else if (round % 3 == 1)
            copy[at] = '\0';
        else
            memmove(copy + at, copy + at + strcspn(copy + at, "\n"), strlen(copy + at + strcspn(copy + at, "\n")) + 1);
        strbuf err;
        sb_init(&err);
        advise_report *r = advise_trace_text(copy, &err);
        if (r) {
            size_t row = advise_pick_row(r);
            assert_true(row == SIZE_MAX || row < advise_row_count(r));
            strbuf out;
            sb_init(&out);
            advise_text(r, "t", &out);
            advise_json(r, "t", &out);
            sb_free(&out);
        } else {
            assert_true(strlen(sb_str(&err)) > 0);
        }
        advise_destroy(r);
        sb_free(&err);
        free(copy);
    }
    sb_free(&text);
    strbuf err;
    sb_init(&err);
    advise_report *r = advise_script("alloc\nalloc -1\nalloc 5 align 3 as\nalloc 2G as huge\nfree nothing\n"
                                     "realloc x\nalloc 8 as x\nalloc 8 as x\nrealloc x 0\nrealloc x 16 more\nrealloc x 16\n"
                                     "free x\nfree x\nfree\n\"alloc\" 8\n# alloc 8\n",
                                     NULL, 0, &err);
    assert_non_null(r);
    const advise_pattern *p = advise_pattern_of(r);
    assert_int_equal(p->allocs, 1);   /* "alloc 8 as x" once: the name is live the second time */
    assert_int_equal(p->frees, 1);    /* free x once: then nothing is live */
    assert_int_equal(p->reallocs, 1); /* realloc x 16 */
    assert_int_equal(p->bytes_allocated, 24);
    advise_destroy(r);
    sb_free(&err);
}

/* `advise` at the prompt reads the session's history and changes nothing. */
static void test_advise_at_the_prompt(void **state)
{
    (void)state;
    session *s = session_create();
    const char *answer = sk_run_status(s, "advise", SESSION_ERROR);
    assert_non_null(strstr(answer, "error: advise: nothing to advise"));
    sk_run(s, "new freelist 8192");
    for (int i = 0; i < 40; i++) {
        char line[64];
        snprintf(line, sizeof line, "alloc 48 as b%d", i);
        sk_run(s, line);
        if (i >= 4) {
            snprintf(line, sizeof line, "free b%d", i - 3);
            sk_run(s, line);
        }
    }
    char *before = sk_state(s);
    char *flat = unwrapped(sk_run(s, "advise"));
    assert_non_null(strstr(flat, "advise this session\nThe pattern: 76 events (40 allocations, 0 reallocs, 36 frees)"));
    assert_non_null(strstr(flat, "The advice: a pool (MemoryPool)"));
    assert_non_null(strstr(flat, "Try next, at the prompt (`advise compare` types it; then the same allocations "
                                 "again, to watch them side by side):\n  compare pool 48 align 1, freelist"));
    free(flat);
    answer = sk_run(s, "advise json");
    assert_true(strncmp(answer, "{\"advise\":\"this session\",", 25) == 0);
    assert_non_null(strstr(answer, "\"choice\":\"pool\""));
    answer = sk_run_status(s, "advise now please", SESSION_ERROR);
    assert_non_null(strstr(answer, "usage: advise [json|compare]"));
    char *after = sk_state(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* advise compare opens the recommended group through `compare` (when the build has it) */
    if (interp_command_flags("compare")) {
        answer = sk_run(s, "advise compare");
        assert_non_null(strstr(answer, "\n> compare pool 48 align 1, freelist "));
        sk_run(s, "alloc 48 as again");
    } else {
        answer = sk_run_status(s, "advise compare", SESSION_ERROR);
        assert_non_null(strstr(answer, "\n> compare pool 48 align 1, freelist "));
        assert_non_null(strstr(answer, "error: unknown command 'compare'"));
    }
    session_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_shaped_trace_gets_an_arena),
        cmocka_unit_test(test_bursts_beside_long_lived_blocks),
        cmocka_unit_test(test_pool_shaped_trace_gets_a_pool),
        cmocka_unit_test(test_lifo_trace_gets_a_stack),
        cmocka_unit_test(test_random_trace_gets_a_general_purpose_allocator),
        cmocka_unit_test(test_fixed_maximum_trace_gets_a_fixed_buffer),
        cmocka_unit_test(test_pattern_figures_by_hand),
        cmocka_unit_test(test_malloc_lab_shapes),
        cmocka_unit_test(test_bad_input_says_why),
        cmocka_unit_test(test_too_large_for_every_allocator),
        cmocka_unit_test(test_damaged_input_is_advised_or_refused),
        cmocka_unit_test(test_advise_at_the_prompt),
    };
    return cmocka_run_group_tests_name("advise", tests, NULL, NULL);
}
