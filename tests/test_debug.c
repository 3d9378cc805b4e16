/* test_debug.c - the debug allocator: the tutorial's program and every
 * problem it must catch. */
#include "testkit.h"

static as_event events[64];
static int nevents;

static void on_event(void *user, const as_event *ev)
{
    if (nevents < 64)
        events[nevents++] = *ev;
}

static debug_alloc *make(bump **inner)
{
    *inner = bump_create(8192);
    debug_alloc *d = debug_create(bump_instance(*inner));
    debug_set_sink(d, (as_event_sink){on_event, NULL});
    nevents = 0;
    return d;
}

static void test_tutorial_program(void **state)
{
    bump *b;
    debug_alloc *d = make(&b);
    as_allocator a = debug_allocator(d);
    debug_set_stamp(d, 1);
    void *d1 = as_alloc(a, 100, 0);
    debug_set_stamp(d, 2);
    void *d2 = as_alloc(a, 50 * 4, 2);
    debug_set_stamp(d, 3);
    void *d3 = as_alloc(a, 200, 0);
    debug_set_stamp(d, 4);
    as_free(a, d1, 100, 0);
    debug_set_stamp(d, 5);
    as_free(a, d2, 200, 2);
    debug_stats st = debug_get_stats(d);
    assert_int_equal(st.active_allocations, 1);
    assert_int_equal(st.total_allocated, 500);
    assert_int_equal(st.total_freed, 300);
    assert_int_equal(st.peak_bytes, 500);
    assert_int_equal(debug_report_leaks(d), 1);
    assert_int_equal(events[0].kind, AS_EV_LEAK);
    assert_ptr_equal(events[0].ptr, d3);
    debug_set_stamp(d, 6);
    a.vtable->free(d, d1, 100, 0, 0); /* double free */
    assert_int_equal(events[1].kind, AS_EV_DOUBLE_FREE);
    assert_int_equal(events[1].alloc_stamp, 1);
    assert_int_equal(events[1].free_stamp, 4);
    assert_int_equal(debug_get_stats(d).total_freed, 300); /* not counted twice */
    assert_null(debug_check(d));
    debug_destroy(d);
    bump_destroy(b);
}

static void test_invalid_and_wrong_size_frees(void **state)
{
    bump *b;
    debug_alloc *d = make(&b);
    as_allocator a = debug_allocator(d);
    unsigned char *p = as_alloc(a, 32, 3);
    a.vtable->free(d, p + 1, 31, 0, 0);
    assert_int_equal(events[0].kind, AS_EV_INVALID_FREE);
    assert_int_equal(debug_probe.judge_free(d, p, 16, 3), AS_FREE_WRONG_SIZE);
    a.vtable->free(d, p, 16, 3, 0);
    assert_int_equal(events[1].kind, AS_EV_WRONG_SIZE_FREE);
    assert_int_equal(events[1].len, 32);
    assert_int_equal(events[1].given_len, 16);
    assert_null(debug_check(d));
    debug_destroy(d);
    bump_destroy(b);
}

static void test_overflow_and_use_after_free_are_found(void **state)
{
    bump *b;
    debug_alloc *d = make(&b);
    as_allocator a = debug_allocator(d);
    unsigned char *p = as_alloc(a, 16, 0);
    unsigned char *q = as_alloc(a, 16, 0);
    assert_int_equal(debug_scan(d), 0);
    p[16] = 'x'; /* one past the end: into the guard */
    assert_int_equal(debug_scan(d), 1);
    assert_int_equal(events[0].kind, AS_EV_OVERFLOW);
    as_free(a, q, 16, 0);
    q[3] = 'y'; /* write after free: the poison is damaged */
    assert_int_equal(debug_scan(d), 2); /* p's guard is still damaged too */
    assert_int_equal(events[1].kind, AS_EV_USE_AFTER_FREE);
    assert_int_equal(nevents, 2);
    assert_int_equal(debug_scan(d), 2); /* still there, reported once */
    assert_int_equal(nevents, 2);
    debug_destroy(d);
    bump_destroy(b);
}

typedef struct damage_list {
    debug_damage r[8];
    int n;
} damage_list;

static void collect(void *user, const debug_damage *dmg)
{
    damage_list *l = user;
    if (l->n < 8)
        l->r[l->n++] = *dmg;
}

/* issue 13: a write past the end stays in the guard until the block is
 * freed; the check reports each damaged range and lists it. */
static void test_guard_damage_is_kept_until_free(void **state)
{
    (void)state;
    bump *b;
    debug_alloc *d = make(&b);
    as_allocator a = debug_allocator(d);
    unsigned char *p = as_alloc(a, 32, 0);
    memset(p, 'n', 40); /* write name 40: 8 bytes into the guard */
    assert_int_equal(debug_scan(d), 1);
    assert_int_equal(nevents, 1);
    assert_int_equal(events[0].kind, AS_EV_OVERFLOW);
    assert_int_equal(p[32], 'n'); /* the evidence is still there */
    assert_int_equal(p[39], 'n');
    assert_int_equal(p[40], DEBUG_GUARD_BYTE);
    damage_list l = {0};
    assert_int_equal(debug_each_damage(d, NULL, collect, &l), 1);
    assert_ptr_equal(l.r[0].block, p);
    assert_int_equal(l.r[0].offset, 32);
    assert_int_equal(l.r[0].len, 8);
    assert_int_equal(l.r[0].kind, DEBUG_DAMAGE_GUARD);
    assert_true(debug_is_damaged(d, p, 32));
    assert_false(debug_is_damaged(d, p, 40));
    assert_false(debug_is_damaged(d, p, 31));
    p[44] = 'z'; /* a second range: reported as new damage */
    assert_int_equal(debug_scan(d), 2);
    assert_int_equal(nevents, 2);
    l.n = 0;
    assert_int_equal(debug_each_damage(d, p, collect, &l), 2);
    assert_int_equal(l.r[1].offset, 44);
    assert_int_equal(l.r[1].len, 1);
    as_free(a, p, 32, 0); /* reported already: no third event; then repaired */
    assert_int_equal(nevents, 2);
    for (int i = 32; i < 32 + DEBUG_GUARD_SIZE; i++)
        assert_int_equal(p[i], DEBUG_GUARD_BYTE);
    assert_int_equal(debug_each_damage(d, NULL, NULL, NULL), 0);
    assert_null(debug_check(d));
    debug_destroy(d);
    bump_destroy(b);
}

/* Damage nobody checked for is reported by the free, or by the leak report. */
static void test_free_and_leak_report_report_damage(void **state)
{
    (void)state;
    bump *b;
    debug_alloc *d = make(&b);
    as_allocator a = debug_allocator(d);
    unsigned char *p = as_alloc(a, 8, 0), *q = as_alloc(a, 8, 0);
    p[8] = 1;
    as_free(a, p, 8, 0);
    assert_int_equal(nevents, 1);
    assert_int_equal(events[0].kind, AS_EV_OVERFLOW);
    q[9] = 1;
    assert_int_equal(debug_report_leaks(d), 1);
    assert_int_equal(nevents, 3);
    assert_int_equal(events[1].kind, AS_EV_LEAK);
    assert_int_equal(events[2].kind, AS_EV_OVERFLOW);
    assert_ptr_equal(events[2].ptr, q);
    debug_destroy(d);
    bump_destroy(b);
}

/* A write after free stays in the poison while the block is quarantined;
 * a reset forgets it. */
static void test_poison_damage_is_kept_until_reset(void **state)
{
    (void)state;
    bump *b;
    debug_alloc *d = make(&b);
    as_instance in = debug_instance(d);
    unsigned char *p = as_alloc(in.a, 16, 0);
    as_free(in.a, p, 16, 0);
    memset(p, 'y', 4); /* write other 4 */
    assert_int_equal(debug_scan(d), 1);
    assert_int_equal(events[0].kind, AS_EV_USE_AFTER_FREE);
    assert_int_equal(p[0], 'y');
    assert_int_equal(p[4], DEBUG_POISON_BYTE);
    damage_list l = {0};
    assert_int_equal(debug_each_damage(d, NULL, collect, &l), 1);
    assert_int_equal(l.r[0].offset, 0);
    assert_int_equal(l.r[0].len, 4);
    assert_int_equal(l.r[0].kind, DEBUG_DAMAGE_POISON);
    assert_true(in.probe->reset(d, AS_RESET_FREE_ALL, 0));
    assert_int_equal(debug_each_damage(d, NULL, NULL, NULL), 0);
    assert_int_equal(debug_scan(d), 0);
    debug_destroy(d);
    bump_destroy(b);
}

/* The tutorial's DebugBumpAllocator as written: no guards, so over a bump
 * data1/data2/data3 sit at 0/100/300, the offset ends at 500 and the peak
 * (highest offset) is 500 - the figures Zig 0.11 prints for tests/zig. */
static void test_tutorial_mode_has_no_guards(void **state)
{
    (void)state;
    bump *b = bump_create(8192);
    debug_alloc *d = debug_create_tutorial(bump_instance(b));
    debug_set_sink(d, (as_event_sink){on_event, NULL});
    nevents = 0;
    assert_true(debug_is_tutorial(d));
    as_allocator a = debug_allocator(d);
    unsigned char *d1 = as_alloc(a, 100, 0), *d2 = as_alloc(a, 200, 2), *d3 = as_alloc(a, 200, 0);
    assert_int_equal(d2 - d1, 100);
    assert_int_equal(d3 - d1, 300);
    assert_int_equal(bump_offset(b), 500);
    as_free(a, d1, 100, 0);
    as_free(a, d2, 200, 2);
    debug_stats st = debug_get_stats(d);
    assert_int_equal(st.active_allocations, 1);
    assert_int_equal(st.total_allocated, 500);
    assert_int_equal(st.total_freed, 300);
    assert_int_equal(st.peak_offset, 500);
    assert_int_equal(st.peak_bytes, 500);
    assert_int_equal(debug_scan(d), 0); /* nothing to check without guards */
    a.vtable->free(d, d1, 100, 0, 0);
    assert_int_equal(events[0].kind, AS_EV_DOUBLE_FREE);
    assert_int_equal(debug_report_leaks(d), 1);
    assert_ptr_equal(events[1].ptr, d3);
    assert_null(debug_check(d));
    debug_destroy(d);
    bump_destroy(b);
}

/* Peak is live bytes for the guarded one, the highest offset in the
 * tutorial's: they part as soon as a free is followed by an allocation. */
static void test_peak_offset_is_not_peak_bytes(void **state)
{
    (void)state;
    bump *b = bump_create(1024);
    debug_alloc *d = debug_create_tutorial(bump_instance(b));
    as_allocator a = debug_allocator(d);
    void *x = as_alloc(a, 100, 0);
    as_free(a, x, 100, 0);
    assert_non_null(as_alloc(a, 50, 0));
    assert_int_equal(debug_get_stats(d).peak_bytes, 100);
    assert_int_equal(debug_get_stats(d).peak_offset, 150);
    debug_destroy(d);
    bump_destroy(b);
}

static void test_memory_limit(void **state)
{
    bump *b;
    debug_alloc *d = make(&b);
    as_allocator a = debug_allocator(d);
    debug_set_limit(d, 100);
    void *p = as_alloc(a, 60, 0);
    assert_non_null(p);
    assert_null(as_alloc(a, 41, 0));
    assert_int_equal(events[0].kind, AS_EV_MEMORY_LIMIT);
    assert_non_null(as_alloc(a, 40, 0));
    debug_destroy(d);
    bump_destroy(b);
}

static void test_quarantine_then_reuse_over_freelist(void **state)
{
    freelist *f = freelist_create(1 << 16, FREELIST_FIRST_FIT);
    debug_alloc *d = debug_create(freelist_instance(f));
    as_allocator a = debug_allocator(d);
    void *first = as_alloc(a, 64, 3);
    as_free(a, first, 64, 3);
    void *again = as_alloc(a, 64, 3);
    assert_ptr_not_equal(first, again); /* still quarantined */
    as_free(a, again, 64, 3);
    for (int i = 0; i < DEBUG_QUARANTINE + 2; i++) {
        void *x = as_alloc(a, 64, 3);
        as_free(a, x, 64, 3);
    }
    assert_null(debug_check(d));
    assert_int_equal(debug_get_stats(d).active_allocations, 0);
    assert_int_equal(debug_scan(d), 0);
    debug_destroy(d);
    freelist_destroy(f);
}

static void test_many_blocks_lookup(void **state)
{
    bump *b = bump_create(1 << 22);
    debug_alloc *d = debug_create(bump_instance(b));
    as_allocator a = debug_allocator(d);
    static void *ptrs[20000];
    for (int i = 0; i < 20000; i++)
        assert_non_null(ptrs[i] = as_alloc(a, 8, 3));
    size_t len;
    for (int i = 0; i < 20000; i += 997)
        assert_true(debug_lookup(d, ptrs[i], &len, NULL, NULL) && len == 8);
    assert_null(debug_check(d));
    debug_destroy(d);
    bump_destroy(b);
}

/* The kept evidence is drawn: damaged guard and poison bytes are spans of
 * their own kind, with their block, until the repair at free. */
static void test_damage_is_a_span_kind(void **state)
{
    (void)state;
    bump *b = bump_create(256);
    debug_alloc *d = debug_create(bump_instance(b));
    as_instance in = debug_instance(d);
    as_allocator a = in.a;
    unsigned char *x = as_alloc(a, 32, 0), *y = as_alloc(a, 16, 0);
    memset(x, 'A', 40); /* 8 bytes into x's guard */
    as_free(a, y, 16, 0);
    memset(y, 'B', 4); /* 4 bytes into y's poison */
    tk_view v;
    tk_inspect(&in, &v);
    size_t damaged = 0, runs = 0;
    for (size_t i = 0; i < v.count; i++) {
        if (v.spans[i].kind != AS_SPAN_DAMAGED)
            continue;
        runs++;
        damaged += v.spans[i].len;
        assert_true(v.spans[i].block == x || v.spans[i].block == y);
        if (v.spans[i].block == x)
            assert_int_equal(v.spans[i].offset, 32);
        else
            assert_int_equal(v.spans[i].offset, 48);
    }
    assert_int_equal(runs, 2);
    assert_int_equal(damaged, 12);
    as_usage u;
    as_usage_of(in.probe, in.a.ctx, &u);
    assert_int_equal(u.damaged_bytes, 12);
    as_free(a, x, 32, 0); /* x's guard is repaired at its free */
    as_usage_of(in.probe, in.a.ctx, &u);
    assert_int_equal(u.damaged_bytes, 4);
    debug_destroy(d);
    bump_destroy(b);
}

/* The tutorial's mode has its own probe: no guard, and its peak figure is
 * the highest offset. */
static void test_tutorial_probe(void **state)
{
    (void)state;
    bump *b = bump_create(256);
    debug_alloc *d = debug_create_tutorial(bump_instance(b));
    as_instance in = debug_instance(d);
    assert_ptr_equal(in.probe, &debug_tutorial_probe);
    assert_int_equal(in.probe->guard_size, 0);
    void *p = as_alloc(in.a, 100, 0);
    as_free(in.a, p, 100, 0);
    assert_non_null(as_alloc(in.a, 50, 0));
    as_figure f[8];
    size_t n = in.probe->figures(in.a.ctx, f, 8);
    assert_int_equal(n, 4);
    assert_string_equal(f[3].name, "peak usage");
    assert_int_equal(f[3].value, 150);
    debug_destroy(d);
    bump_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial_program),
        cmocka_unit_test(test_invalid_and_wrong_size_frees),
        cmocka_unit_test(test_overflow_and_use_after_free_are_found),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_quarantine_then_reuse_over_freelist),
        cmocka_unit_test(test_many_blocks_lookup),
        cmocka_unit_test(test_guard_damage_is_kept_until_free),
        cmocka_unit_test(test_free_and_leak_report_report_damage),
        cmocka_unit_test(test_poison_damage_is_kept_until_reset),
        cmocka_unit_test(test_tutorial_mode_has_no_guards),
        cmocka_unit_test(test_peak_offset_is_not_peak_bytes),
        cmocka_unit_test(test_damage_is_a_span_kind),
        cmocka_unit_test(test_tutorial_probe),
    };
    return cmocka_run_group_tests_name("debug", tests, NULL, NULL);
}
