/* test_plugin.c - allocators loaded from shared libraries (tests/plugins),
 * supervised through plugin_host.h: the right problem at the right call,
 * crashes and hangs survived, bad libraries refused. */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testkit.h"
#include "allocscope/plugin_host.h"

static char plugin_dir[4096];
static tk_view v;

static const char *so(const char *name)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s.so", plugin_dir, name);
    return path;
}

static plugin *load_opts(const char *name, size_t size, const char *options, unsigned timeout_ms)
{
    plugin_config cfg = {so(name), size, options, timeout_ms};
    plugin_status st;
    char detail[256];
    plugin *p = plugin_load(&cfg, &st, detail, sizeof detail);
    if (p == NULL)
        fail_msg("%s: %s (%s)", name, plugin_status_text(st), detail);
    assert_int_equal(st, PLUGIN_OK);
    return p;
}

static plugin *load(const char *name, size_t size) { return load_opts(name, size, NULL, 0); }

/* The one problem queued, which must be of that kind at that call. */
static plugin_problem one_problem(plugin *p, plugin_problem_kind kind, uint64_t call)
{
    plugin_problem pb;
    if (!plugin_take_problem(p, &pb))
        fail_msg("expected a %s problem at call %llu, got none", plugin_problem_name(kind),
                 (unsigned long long)call);
    if (pb.kind != kind || pb.call != call)
        fail_msg("expected %s at call %llu, got %s at call %llu: %s", plugin_problem_name(kind),
                 (unsigned long long)call, plugin_problem_name(pb.kind), (unsigned long long)pb.call, pb.text);
    assert_int_equal(plugin_problem_count(p), 0);
    return pb;
}

/* The oldest problem, which must be of that kind at that call; others may follow. */
static void one_problem_then(plugin *p, plugin_problem_kind kind, uint64_t call)
{
    plugin_problem pb;
    assert_true(plugin_take_problem(p, &pb));
    if (pb.kind != kind || pb.call != call)
        fail_msg("expected %s at call %llu, got %s at call %llu: %s", plugin_problem_name(kind),
                 (unsigned long long)call, plugin_problem_name(pb.kind), (unsigned long long)pb.call, pb.text);
}

static void no_problem(plugin *p)
{
    plugin_problem pb;
    if (plugin_take_problem(p, &pb))
        fail_msg("unexpected problem: %s", pb.text);
}

/* No child of this process is left running or unreaped. */
static void no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void test_tutorial_bump(void **state)
{
    (void)state;
    plugin *p = load("bump", 4096);
    as_instance in = plugin_instance(p);
    assert_string_equal(plugin_name(p), "tutorial-bump");
    assert_false(plugin_describes(p));
    uint32_t *nums = as_alloc(in.a, 10 * sizeof(uint32_t), 2);
    char *msg = as_alloc(in.a, 32, 0);
    assert_ptr_equal(nums, plugin_region(p));
    assert_ptr_equal(msg, plugin_region(p) + 40);
    for (uint32_t i = 0; i < 10; i++)
        nums[i] = i * 10;
    memcpy(msg, "Hello, bump!", 13);
    /* exercise 1: the last block grows in place, the first cannot */
    assert_true(as_resize(in.a, msg, 32, 0, 64));
    assert_false(as_resize(in.a, nums, 40, 2, 80));
    no_problem(p);
    assert_int_equal(plugin_calls(p), 4);
    tk_inspect(&in, &v);
    assert_int_equal(v.count, 3);
    assert_int_equal(v.spans[0].kind, AS_SPAN_LIVE);
    assert_int_equal(v.spans[0].len, 40);
    assert_int_equal(v.spans[1].kind, AS_SPAN_LIVE);
    assert_int_equal(v.spans[1].len, 64);
    assert_int_equal(v.spans[2].kind, AS_SPAN_UNKNOWN); /* no describe: nobody said what it is */
    assert_int_equal(in.probe->judge_free(p, msg, 64, 0), AS_FREE_OK);
    assert_int_equal(in.probe->judge_free(p, msg, 32, 0), AS_FREE_WRONG_SIZE);
    assert_int_equal(in.probe->judge_free(p, msg + 1, 64, 0), AS_FREE_NOT_OWNED);
    as_free(in.a, msg, 64, 0);
    no_problem(p);
    tk_inspect(&in, &v);
    assert_int_equal(v.spans[1].kind, AS_SPAN_FREED); /* handed out once, now not live */
    assert_true(plugin_was_handed_out(p, 103));
    assert_false(plugin_was_handed_out(p, 104));
    assert_false(plugin_was_handed_out(p, 4096));
    assert_null(in.probe->check(p));
    assert_int_equal(nums[9], 90);
    /* reset: a fresh child, everything unused again */
    assert_true(in.probe->reset(p, AS_RESET_FREE_ALL, 0));
    assert_int_equal(plugin_live_blocks(p), 0);
    assert_ptr_equal(as_alloc(in.a, 8, 3), plugin_region(p));
    plugin_destroy(p);
    no_children();
}

/* The kind of the byte at offset in the last inspection. */
static as_span_kind kind_at(size_t offset)
{
    for (size_t i = 0; i < v.count; i++)
        if (offset >= v.spans[i].offset && offset - v.spans[i].offset < v.spans[i].len)
            return v.spans[i].kind;
    fail_msg("no span holds offset %zu", offset);
    return AS_SPAN_KIND_COUNT;
}

/* Without describe, bytes the plugin never handed out are unknown (free
 * space or its own bookkeeping: allocscope cannot tell), bytes a block
 * held and gave back are freed, live blocks live; the figures count the
 * unknown bytes apart, never as unused. Byte by byte, unknown is exactly
 * "not live and never seen handed out". */
static void test_describeless_plugin_shows_unknown(void **state)
{
    (void)state;
    plugin *p = load("bump", 4096);
    as_instance in = plugin_instance(p);
    assert_false(plugin_describes(p));
    unsigned char *base = (unsigned char *)plugin_region(p);
    unsigned char *a = as_alloc(in.a, 40, 3), *b = as_alloc(in.a, 32, 3), *c = as_alloc(in.a, 16, 4);
    assert_ptr_equal(a, base);
    assert_ptr_equal(b, base + 40);
    assert_ptr_equal(c, base + 80); /* 72..80 skipped to align: the plugin's, not described */
    as_free(in.a, b, 32, 3);
    no_problem(p);
    tk_inspect(&in, &v);
    assert_int_equal(v.count, 5);
    assert_int_equal(kind_at(0), AS_SPAN_LIVE);
    assert_int_equal(kind_at(39), AS_SPAN_LIVE);
    assert_int_equal(kind_at(40), AS_SPAN_FREED);
    assert_int_equal(kind_at(71), AS_SPAN_FREED);
    assert_int_equal(kind_at(72), AS_SPAN_UNKNOWN);
    assert_int_equal(kind_at(79), AS_SPAN_UNKNOWN);
    assert_int_equal(kind_at(80), AS_SPAN_LIVE);
    assert_int_equal(kind_at(96), AS_SPAN_UNKNOWN);
    assert_int_equal(kind_at(4095), AS_SPAN_UNKNOWN);
    for (size_t i = 0; i < v.count; i++) {
        const as_span *s = &v.spans[i];
        assert_true(s->kind == AS_SPAN_LIVE || s->kind == AS_SPAN_FREED || s->kind == AS_SPAN_UNKNOWN);
        for (size_t off = s->offset; off < s->offset + s->len; off++)
            if (s->kind != AS_SPAN_LIVE && (s->kind == AS_SPAN_UNKNOWN) == plugin_was_handed_out(p, off))
                fail_msg("offset %zu is %s, handed out: %d", off, as_span_kind_name(s->kind),
                         plugin_was_handed_out(p, off));
    }
    as_usage u;
    as_usage_of(in.probe, p, &u);
    assert_int_equal(u.capacity, 4096);
    assert_int_equal(u.live_bytes, 56);
    assert_int_equal(u.live_blocks, 2);
    assert_int_equal(u.freed_bytes, 32);
    assert_int_equal(u.unused_bytes, 0); /* never claimed free */
    assert_int_equal(u.unknown_bytes, 4096 - 56 - 32);
    /* a block that grows in place over unknown bytes makes them live; once
     * freed, they are known to be freed, and stay so */
    assert_true(as_resize(in.a, c, 16, 4, 100));
    tk_inspect(&in, &v);
    assert_int_equal(kind_at(179), AS_SPAN_LIVE);
    assert_int_equal(kind_at(180), AS_SPAN_UNKNOWN);
    as_free(in.a, c, 100, 4);
    tk_inspect(&in, &v);
    assert_int_equal(kind_at(80), AS_SPAN_FREED);
    assert_int_equal(kind_at(179), AS_SPAN_FREED);
    assert_int_equal(kind_at(180), AS_SPAN_UNKNOWN);
    /* a reset forgets what was handed out: all unknown again */
    assert_true(in.probe->reset(p, AS_RESET_FREE_ALL, 0));
    tk_inspect(&in, &v);
    assert_int_equal(v.count, 1);
    assert_int_equal(v.spans[0].kind, AS_SPAN_UNKNOWN);
    assert_int_equal(v.spans[0].len, 4096);
    plugin_destroy(p);
    no_children();
}

/* A plugin that describes itself keeps its own spans: what it does not
 * mention and never handed out is unused, and nothing is unknown. */
static void test_described_plugin_has_no_unknown(void **state)
{
    (void)state;
    plugin *p = load("lifo", 1024);
    as_instance in = plugin_instance(p);
    assert_true(plugin_describes(p));
    unsigned char *a = as_alloc(in.a, 10, 0), *b = as_alloc(in.a, 16, 3);
    assert_non_null(a);
    assert_non_null(b);
    as_free(in.a, b, 16, 3);
    no_problem(p);
    tk_inspect(&in, &v);
    bool unused = false;
    for (size_t i = 0; i < v.count; i++) {
        assert_int_not_equal(v.spans[i].kind, AS_SPAN_UNKNOWN);
        unused |= v.spans[i].kind == AS_SPAN_UNUSED;
    }
    assert_true(unused);
    assert_int_equal(kind_at(1023), AS_SPAN_UNUSED);
    as_usage u;
    as_usage_of(in.probe, p, &u);
    assert_int_equal(u.unknown_bytes, 0);
    assert_true(u.unused_bytes > 0);
    plugin_destroy(p);
    no_children();
}

static void test_lifo_describes_itself(void **state)
{
    (void)state;
    plugin *p = load("lifo", 1024);
    as_instance in = plugin_instance(p);
    assert_true(plugin_describes(p));
    unsigned char *a = as_alloc(in.a, 10, 0), *b = as_alloc(in.a, 16, 3), *c = as_alloc(in.a, 5, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    no_problem(p);
    tk_inspect(&in, &v);
    /* the stack of blocks at the start is metadata, then a, padding, b, c */
    assert_int_equal(v.spans[0].kind, AS_SPAN_META);
    assert_int_equal(v.spans[0].offset, 0);
    assert_int_equal((size_t)(a - plugin_region(p)), v.spans[0].len);
    assert_int_equal(v.spans[1].kind, AS_SPAN_LIVE);
    assert_ptr_equal(v.spans[1].block, a);
    size_t off;
    assert_true(in.probe->offset(p, &off));
    assert_int_equal(off, (size_t)(c + 5 - plugin_region(p)));
    assert_int_equal(v.markers, 1);
    assert_null(in.probe->check(p));
    /* out of order: the plugin prints its warning and keeps the block */
    as_free(in.a, b, 16, 3);
    char out[256];
    assert_true(plugin_take_output(p, out, sizeof out) > 0);
    assert_non_null(strstr(out, "free out of order"));
    assert_int_equal(plugin_take_output(p, out, sizeof out), 0);
    /* in order: c is the top, its free rewinds to the end of b */
    as_free(in.a, c, 5, 0);
    assert_true(in.probe->offset(p, &off));
    assert_int_equal(off, (size_t)(b + 16 - plugin_region(p)));
    no_problem(p);
    assert_null(in.probe->check(p));
    plugin_destroy(p);
}

static void test_lifo_realloc_many_sizes(void **state)
{
    (void)state;
    plugin *p = load("lifo", 8192);
    as_instance in = plugin_instance(p);
    unsigned char *blk = NULL;
    size_t len = 0;
    for (size_t n = 1; n < 600; n += 37) {
        unsigned char *nb = as_realloc(in.a, blk, len, 3, n);
        assert_non_null(nb);
        assert_int_equal((uintptr_t)nb % 8, 0);
        if (blk)
            for (size_t k = 0; k < (len < n ? len : n); k++)
                assert_int_equal(nb[k], (unsigned char)k);
        for (size_t k = 0; k < n; k++)
            nb[k] = (unsigned char)k;
        blk = nb;
        len = n;
        no_problem(p);
        assert_null(in.probe->check(p));
        tk_inspect(&in, &v);
    }
    plugin_destroy(p);
}

static void test_overlap_after_resize(void **state)
{
    (void)state;
    plugin *p = load("buggy_resize", 256);
    as_allocator a = plugin_allocator(p);
    unsigned char *x = as_alloc(a, 16, 0);
    assert_true(as_resize(a, x, 16, 0, 32)); /* call 2: says yes, offset stays at 16 */
    no_problem(p);
    assert_null(as_alloc(a, 8, 0)); /* call 3: hands out [16, 24) again */
    plugin_problem pb = one_problem(p, PLUGIN_PB_OVERLAP, 3);
    assert_int_equal(pb.op, PLUGIN_OP_ALLOC);
    assert_true(pb.has_other);
    assert_int_equal(pb.other_offset, 0);
    assert_int_equal(pb.other_len, 32);
    assert_int_equal(pb.other_resized_at, 2);
    assert_int_equal(pb.result_offset, 16);
    assert_non_null(strstr(pb.text, "alloc(8, align 1)"));
    assert_non_null(strstr(pb.text, "resized in place by call 2"));
    assert_int_equal(plugin_live_blocks(p), 1);
    plugin_destroy(p);
}

static void test_crash_is_survived(void **state)
{
    (void)state;
    plugin *p = load("crasher", 4096);
    as_allocator a = plugin_allocator(p);
    unsigned char *x = as_alloc(a, 8, 3);
    memset(x, 0x11, 8);
    assert_null(as_alloc(a, 24, 3)); /* SIGSEGV */
    plugin_problem pb = one_problem(p, PLUGIN_PB_CRASHED, 2);
    assert_int_equal(pb.signal, SIGSEGV);
    assert_int_equal(pb.len, 24);
    assert_int_equal(pb.align_log2, 3);
    assert_non_null(strstr(pb.text, "your allocator crashed in alloc(24, align 8)"));
    assert_non_null(strstr(pb.text, "SIGSEGV"));
    assert_int_equal(plugin_restarts(p), 1);
    /* the state before the call: the byte it wrote is gone, the offset it
     * moved is back at 8, x keeps its contents */
    assert_int_equal(plugin_region(p)[8], 0);
    unsigned char *y = as_alloc(a, 8, 3);
    assert_ptr_equal(y, x + 8);
    no_problem(p);
    for (int i = 0; i < 8; i++)
        assert_int_equal(x[i], 0x11);
    assert_int_equal(y[0], 0x5a);
    /* what it printed, the crashing call included, once: not again when replayed */
    char out[128];
    plugin_take_output(p, out, sizeof out);
    assert_string_equal(out, "alloc 8;alloc 24;alloc 8;");
    assert_null(as_alloc(a, 25, 0)); /* abort() */
    pb = one_problem(p, PLUGIN_PB_CRASHED, 4);
    assert_int_equal(pb.signal, SIGABRT);
    unsigned char *z = as_alloc(a, 7, 0);
    assert_ptr_equal(z, y + 8);
    as_free(a, z, 7, 0); /* exit(3) */
    pb = one_problem(p, PLUGIN_PB_EXITED, 6);
    assert_int_equal(pb.signal, 3);
    assert_int_equal(plugin_live_blocks(p), 3); /* the free did not happen */
    assert_int_equal(plugin_restarts(p), 3);
    assert_false(plugin_is_dead(p));
    /* loading it again works, beside the first one and after it */
    plugin *q = load("crasher", 4096);
    assert_ptr_equal(as_alloc(plugin_allocator(q), 8, 0), plugin_region(q));
    plugin_destroy(p);
    plugin_destroy(q);
    q = load("crasher", 4096);
    plugin_destroy(q);
    no_children();
}

static void test_endless_loop_times_out(void **state)
{
    (void)state;
    plugin *p = load_opts("looper", 4096, NULL, 300);
    as_allocator a = plugin_allocator(p);
    unsigned char *x = as_alloc(a, 8, 0);
    assert_non_null(x);
    assert_null(as_alloc(a, 1000, 0));
    plugin_problem pb = one_problem(p, PLUGIN_PB_TIMEOUT, 2);
    assert_non_null(strstr(pb.text, "alloc(1000, align 1)"));
    assert_non_null(strstr(pb.text, "no answer, so it was stopped"));
    assert_int_equal(plugin_timeout(p), 300);
    assert_ptr_equal(as_alloc(a, 8, 0), x + 8);
    no_problem(p);
    plugin_destroy(p);
    no_children();
}

static void test_nondeterministic_plugin_stops(void **state)
{
    (void)state;
    char marker[64];
    snprintf(marker, sizeof marker, "/tmp/allocscope-liar-%d", (int)getpid());
    unlink(marker);
    plugin *p = load_opts("liar", 1024, "forgetful", 0);
    as_allocator a = plugin_allocator(p);
    assert_ptr_equal(as_alloc(a, 8, 0), plugin_region(p) + 64);
    assert_null(as_alloc(a, 24, 0)); /* crashes; the replay of call 1 answers 128 */
    one_problem_then(p, PLUGIN_PB_CRASHED, 2);
    one_problem_then(p, PLUGIN_PB_REPLAY, 1);
    plugin_problem pb = one_problem(p, PLUGIN_PB_DEAD, 2);
    assert_non_null(strstr(pb.text, "load it again"));
    assert_true(plugin_is_dead(p));
    assert_null(as_alloc(a, 8, 0));
    assert_int_equal(plugin_problem_count(p), 0);
    assert_non_null(plugin_probe.check(p));
    /* dead, it describes nothing any more: its block is live, the rest unknown */
    as_instance in = plugin_instance(p);
    tk_inspect(&in, &v);
    assert_int_equal(v.count, 3);
    assert_int_equal(kind_at(0), AS_SPAN_UNKNOWN);
    assert_int_equal(kind_at(64), AS_SPAN_LIVE);
    assert_int_equal(kind_at(72), AS_SPAN_UNKNOWN);
    /* reset starts it afresh (this child is not its first: 64 bytes later) */
    assert_true(plugin_probe.reset(p, AS_RESET_FREE_ALL, 0));
    assert_false(plugin_is_dead(p));
    assert_ptr_equal(as_alloc(a, 8, 0), plugin_region(p) + 128);
    assert_int_equal(plugin_calls(p), 1);
    no_problem(p);
    tk_inspect(&in, &v); /* described again: its header, and no unknown byte */
    assert_int_equal(kind_at(0), AS_SPAN_META);
    for (size_t i = 0; i < v.count; i++)
        assert_int_not_equal(v.spans[i].kind, AS_SPAN_UNKNOWN);
    plugin_destroy(p);
    unlink(marker);
    no_children();
}

static void test_misaligned_block_refused(void **state)
{
    (void)state;
    plugin *p = load_opts("liar", 1024, "misalign", 0);
    as_allocator a = plugin_allocator(p);
    assert_null(as_alloc(a, 8, 3));
    plugin_problem pb = one_problem(p, PLUGIN_PB_MISALIGNED, 1);
    assert_int_equal(pb.result_offset, 65);
    assert_int_equal(plugin_live_blocks(p), 0);
    /* align 1 cannot be missed */
    assert_non_null(as_alloc(a, 8, 0));
    no_problem(p);
    plugin_destroy(p);
}

static void test_outside_region_refused(void **state)
{
    (void)state;
    plugin *p = load_opts("liar", 1024, "outside", 0);
    as_allocator a = plugin_allocator(p);
    assert_non_null(as_alloc(a, 8, 0));
    assert_non_null(as_alloc(a, 8, 0));
    assert_null(as_alloc(a, 8, 0));
    plugin_problem pb = one_problem(p, PLUGIN_PB_OUTSIDE, 3);
    assert_int_equal(pb.result_offset, 1024);
    assert_non_null(strstr(pb.text, "outside its region"));
    plugin_destroy(p);
}

static void test_block_in_metadata_refused(void **state)
{
    (void)state;
    plugin *p = load_opts("liar", 1024, "metadata", 0);
    as_instance in = plugin_instance(p);
    assert_non_null(as_alloc(in.a, 8, 0));
    assert_non_null(as_alloc(in.a, 8, 0));
    assert_null(as_alloc(in.a, 8, 0));
    plugin_problem pb = one_problem(p, PLUGIN_PB_IN_METADATA, 3);
    assert_int_equal(pb.result_offset, 16);
    assert_non_null(strstr(pb.text, "overlaps its metadata [0, 64)"));
    tk_inspect(&in, &v);
    assert_int_equal(v.spans[0].kind, AS_SPAN_META);
    assert_int_equal(v.spans[0].meta, AS_META_HEADER);
    assert_int_equal(v.spans[0].len, 64);
    plugin_destroy(p);
}

static void test_free_corrupting_neighbour(void **state)
{
    (void)state;
    plugin *p = load_opts("liar", 1024, "neighbour", 0);
    as_allocator a = plugin_allocator(p);
    unsigned char *x = as_alloc(a, 16, 0), *y = as_alloc(a, 16, 0);
    assert_ptr_equal(y, x + 16);
    memset(y, 0x33, 16);
    as_free(a, x, 16, 0);
    plugin_problem pb = one_problem(p, PLUGIN_PB_CORRUPTED, 3);
    assert_int_equal(pb.op, PLUGIN_OP_FREE);
    assert_true(pb.has_other);
    assert_int_equal(pb.other_offset, (size_t)(y - plugin_region(p)));
    assert_non_null(strstr(pb.text, "8 of the 16 bytes"));
    assert_int_equal(plugin_live_blocks(p), 1);
    plugin_destroy(p);
}

static void test_remap_that_moves(void **state)
{
    (void)state;
    plugin *p = load_opts("liar", 1024, "move", 0);
    as_instance in = plugin_instance(p);
    unsigned char *x = as_alloc(in.a, 16, 0);
    for (int i = 0; i < 16; i++)
        x[i] = (unsigned char)i;
    unsigned char *y = as_realloc(in.a, x, 16, 0, 32);
    assert_ptr_equal(y, x + 16);
    no_problem(p);
    assert_int_equal(plugin_live_blocks(p), 1);
    assert_int_equal(in.probe->judge_free(p, x, 16, 0), AS_FREE_NOT_OWNED);
    assert_int_equal(in.probe->judge_free(p, y, 32, 0), AS_FREE_OK);
    assert_int_equal(y[15], 15);
    tk_inspect(&in, &v);
    plugin_destroy(p);

    p = load_opts("liar", 1024, "lose", 0);
    as_allocator a = plugin_allocator(p);
    x = as_alloc(a, 16, 0);
    memset(x, 0x42, 16);
    y = as_realloc(a, x, 16, 0, 32);
    assert_ptr_equal(y, x + 16);
    plugin_problem pb = one_problem(p, PLUGIN_PB_LOST_CONTENTS, 2);
    assert_int_equal(pb.op, PLUGIN_OP_REMAP);
    assert_non_null(strstr(pb.text, "16 of the 16 bytes"));
    plugin_destroy(p);
}

static void test_plugin_check_and_problem_queue(void **state)
{
    (void)state;
    plugin *p = load_opts("liar", 1024, "check", 0);
    assert_string_equal(plugin_probe.check(p), "plugin liar: the offset is a lie");
    plugin_destroy(p);
    p = load_opts("liar", 4096, "misalign", 0);
    for (int i = 0; i < PLUGIN_MAX_PROBLEMS + 6; i++)
        assert_null(as_alloc(plugin_allocator(p), 8, 3));
    assert_int_equal(plugin_problem_count(p), PLUGIN_MAX_PROBLEMS);
    assert_int_equal(plugin_problems_dropped(p), 6);
    plugin_problem pb;
    assert_true(plugin_take_problem(p, &pb));
    assert_int_equal(pb.call, 7); /* the oldest kept */
    plugin_destroy(p);
}

static void test_bad_describe_reported(void **state)
{
    (void)state;
    plugin *p = load_opts("liar", 1024, "describe", 0);
    as_instance in = plugin_instance(p);
    assert_non_null(as_alloc(in.a, 8, 0));
    one_problem(p, PLUGIN_PB_BAD_DESCRIBE, 1);
    tk_inspect(&in, &v); /* the bad span is dropped, the map still covers the region */
    plugin_destroy(p);
}

/* The tutorial's BumpAllocator in Zig, exported through plugin.h. Built by
 * make test-zig (rule $(BUILD)/plugins/zig_bump.so, Zig 0.11); skipped when
 * it has not been built, except under make test-zig. */
static void test_zig_bump(void **state)
{
    (void)state;
    if (access(so("zig_bump"), R_OK) != 0) {
        const char *want = getenv("ALLOCSCOPE_ZIG_PLUGIN"); /* make test-zig: never skipped */
        if (want && !strcmp(want, "required"))
            fail_msg("%s was not built", so("zig_bump"));
        skip();
    }
    plugin *p = load("zig_bump", 4096);
    as_instance in = plugin_instance(p);
    assert_string_equal(plugin_name(p), "zig-bump");
    uint32_t *nums = as_alloc(in.a, 10 * sizeof(uint32_t), 2);
    char *msg = as_alloc(in.a, 32, 0);
    assert_ptr_equal(nums, plugin_region(p));
    assert_ptr_equal(msg, plugin_region(p) + 40);
    assert_true(as_resize(in.a, msg, 32, 0, 64));
    assert_false(as_resize(in.a, nums, 40, 2, 80));
    size_t off;
    assert_true(in.probe->offset(p, &off));
    assert_int_equal(off, 104);
    assert_ptr_equal(as_alloc(in.a, 8, 3), plugin_region(p) + 104);
    no_problem(p);
    tk_inspect(&in, &v);
    assert_int_equal(v.markers, 1);
    plugin_destroy(p);
}

/* The child must not write the host's unflushed stdout a second time, and
 * a bare file name is a file here, not a library to search for. */
static void test_child_leaves_host_output_alone(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/allocscope-plugin-out-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    printf("host-marker");               /* left in the buffer while the child forks */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(plugin_dir), 0);
    plugin_config cfg = {"bump.so", 64, NULL, 0};
    plugin *p = plugin_load(&cfg, NULL, NULL, 0);
    assert_int_equal(chdir(cwd), 0);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_non_null(p);
    assert_non_null(as_alloc(plugin_allocator(p), 8, 0));
    plugin_destroy(p);
    char buf[256] = {0};
    assert_true(pread(fd, buf, sizeof buf - 1, 0) >= 0);
    close(fd);
    unlink(tmpl);
    assert_string_equal(buf, "host-marker");
}

static plugin_status load_status(const char *path, size_t size, const char *options, char *detail, size_t n)
{
    plugin_config cfg = {path, size, options, 0};
    plugin_status st = PLUGIN_OK;
    plugin *p = plugin_load(&cfg, &st, detail, n);
    assert_null(p);
    return st;
}

static void test_bad_libraries_refused(void **state)
{
    (void)state;
    char detail[256], path[4200];
    assert_int_equal(load_status("/nonexistent/x.so", 4096, NULL, detail, sizeof detail), PLUGIN_ERR_NO_FILE);
    assert_string_equal(detail, "/nonexistent/x.so");
    assert_int_equal(load_status(plugin_dir, 4096, NULL, detail, sizeof detail), PLUGIN_ERR_NOT_LIBRARY);
    snprintf(path, sizeof path, "%s/not_a_library.so", plugin_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not an ELF file\n", f);
    fclose(f);
    assert_int_equal(load_status(path, 4096, NULL, detail, sizeof detail), PLUGIN_ERR_NOT_LIBRARY);
    assert_non_null(strstr(detail, "not_a_library.so"));
    unlink(path);
    assert_int_equal(load_status(so("no_descriptor"), 4096, NULL, detail, sizeof detail),
                     PLUGIN_ERR_NO_DESCRIPTOR);
    assert_int_equal(load_status(so("bad_version"), 4096, NULL, detail, sizeof detail), PLUGIN_ERR_VERSION);
    assert_non_null(strstr(detail, "version 2"));
    assert_int_equal(load_status(so("liar"), 4096, "fail", detail, sizeof detail), PLUGIN_ERR_INIT);
    assert_int_equal(load_status(so("liar"), 100, NULL, detail, sizeof detail), PLUGIN_ERR_INIT);
    assert_int_equal(load_status(so("liar"), 4096, "crash-init", detail, sizeof detail), PLUGIN_ERR_CRASHED);
    assert_non_null(strstr(detail, "SIGSEGV"));
    assert_int_equal(load_status(so("bump"), 0, NULL, detail, sizeof detail), PLUGIN_ERR_SIZE);
    assert_int_equal(load_status(so("bump"), PLUGIN_MAX_SIZE + 1, NULL, NULL, 0), PLUGIN_ERR_SIZE);
    assert_int_equal(load_status(NULL, 4096, NULL, detail, sizeof detail), PLUGIN_ERR_NO_FILE);
    assert_string_equal(plugin_status_text(PLUGIN_ERR_VERSION),
                        "the plugin was built for another version of plugin.h");
    no_children();
    /* and a good one still loads afterwards */
    plugin_destroy(load("bump", 64));
}

int main(int argc, char **argv)
{
    (void)argc;
    char self[4096];
    snprintf(self, sizeof self, "%s", argv[0]);
    snprintf(plugin_dir, sizeof plugin_dir, "%s/../plugins", dirname(self));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial_bump),
        cmocka_unit_test(test_describeless_plugin_shows_unknown),
        cmocka_unit_test(test_described_plugin_has_no_unknown),
        cmocka_unit_test(test_lifo_describes_itself),
        cmocka_unit_test(test_lifo_realloc_many_sizes),
        cmocka_unit_test(test_overlap_after_resize),
        cmocka_unit_test(test_crash_is_survived),
        cmocka_unit_test(test_endless_loop_times_out),
        cmocka_unit_test(test_nondeterministic_plugin_stops),
        cmocka_unit_test(test_misaligned_block_refused),
        cmocka_unit_test(test_outside_region_refused),
        cmocka_unit_test(test_block_in_metadata_refused),
        cmocka_unit_test(test_free_corrupting_neighbour),
        cmocka_unit_test(test_remap_that_moves),
        cmocka_unit_test(test_plugin_check_and_problem_queue),
        cmocka_unit_test(test_bad_describe_reported),
        cmocka_unit_test(test_bad_libraries_refused),
        cmocka_unit_test(test_child_leaves_host_output_alone),
        cmocka_unit_test(test_zig_bump),
    };
    return cmocka_run_group_tests_name("plugin", tests, NULL, NULL);
}
